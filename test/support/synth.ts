// The stack synthesized for template tests: bundling skipped, the fixed environment, no cdk-nag
// (its own test runs it), and its resources by type.
import { Template } from "aws-cdk-lib/assertions";
import { createApp, DEFAULT_ENV } from "../../infra/create-app.ts";

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export const synthesize = (context: Record<string, unknown> = {}) => {
  const { stack } = createApp({
    context: { "aws:cdk:bundling-stacks": [], ...context },
    env: DEFAULT_ENV,
    nag: false,
    cfnValidation: false,
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, resource]) => resource.Type === type);
  return { resources, ofType };
};
