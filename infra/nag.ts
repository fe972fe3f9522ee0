// cdk-nag 3: the AwsSolutions pack runs as a CDK validation plugin on every synth, and any finding
// not acknowledged here, one by one with its reason, fails the synth (warnings included).
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};

/** A rule id, optionally with one finding: `AwsSolutions-IAM5[Resource::*]`. */
const FINDING_ID = /^AwsSolutions-[A-Z]+\d+(\[.+\])?$/;

/**
 * Acknowledges one finding (`AwsSolutions-XXX` or `AwsSolutions-XXX[finding]`) on one construct and
 * what it contains. Never use it on a stack or the app: a reason holds for one resource.
 */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  // The synth report suggests `AwsSolutions::AwsSolutions-…`: cdk-nag does not recognize that form,
  // and CDK's own matching of it lets unacknowledged warnings pass.
  if (!FINDING_ID.test(id))
    throw new Error(`acknowledge "AwsSolutions-RULE[finding]", not "${id}"`);
  Validations.of(scope).acknowledge({ id, reason });
};
