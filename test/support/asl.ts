// The synthesized state machine as ASL JSON (references replaced by placeholder ARNs), and what
// asl-validator thinks of it.
import validateAsl from "asl-validator";
import { DEFAULT_ENV } from "../../infra/create-app.ts";
import {
  type CfnTemplate,
  placeholderValues,
  stateMachineDefinition,
} from "../../infra/definition.ts";

export const aslDefinition = (template: CfnTemplate, logicalId?: string) =>
  stateMachineDefinition(template, placeholderValues(template, DEFAULT_ENV), logicalId);

/** asl-validator's complaints about a definition (none when it is valid). */
export const aslErrors = (definition: object): string[] => {
  // The validator writes default QueryLanguage fields into what it is given.
  const result = validateAsl(structuredClone(definition));
  return result.isValid ? [] : result.errorsText("\n").split("\n");
};
