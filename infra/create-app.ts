// Builds the CDK app: the one stack, its settings from context, and cdk-nag. `infra/app.ts` (the
// CDK CLI's entry) and the tests and local mode all build it here, so they see the same system.
import { App, type Environment } from "aws-cdk-lib";
import { readConfig } from "./config.ts";
import { EDGE_FIREWALL_REGION, EdgeFirewallStack, edgeWebAclSource } from "./edge-firewall.ts";
import { addNagChecks } from "./nag.ts";
import { ShippedCancellationStack } from "./stack.ts";

export const STACK_NAME = "ShippedCancellation";

/** Synth works offline with no credentials: a dummy account and Tokyo unless the CLI knows better. */
export const DEFAULT_ENV: Required<Pick<Environment, "account" | "region">> = {
  account: "123456789012",
  region: "ap-northeast-1",
};

export interface AppOptions {
  /** Context values (see infra/config.ts), e.g. `{ "aws:cdk:bundling-stacks": [] }` to skip bundling. */
  context?: Record<string, unknown>;
  /**
   * aws-cdk-lib's built-in CloudFormation schema validation on synth (default true). It costs
   * seconds per synth, so tests that synthesize several variants turn it off.
   */
  cfnValidation?: boolean;
  outdir?: string;
}

/** The app with this project's synth rules, before any stack is added. */
export const newApp = (options: AppOptions = {}): App =>
  new App({
    builtinCloudFormationValidation: options.cfnValidation ?? true,
    // Every validation warning fails the synth, whatever acknowledgements exist elsewhere (CDK
    // otherwise forgives a plugin's warnings once it has matched any acknowledgement in its report).
    context: { "@aws-cdk/core:strictCfnValidateErrors": true, ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });

export interface CreateAppOptions extends AppOptions {
  env?: Environment;
  /** Register the cdk-nag plugin (default true). Tests run the pack on the tree themselves. */
  nag?: boolean;
}

export const createApp = (options: CreateAppOptions = {}) => {
  const app = newApp(options);
  const config = readConfig(app.node);
  const env = options.env ?? {
    account: process.env.CDK_DEFAULT_ACCOUNT ?? DEFAULT_ENV.account,
    region: process.env.CDK_DEFAULT_REGION ?? DEFAULT_ENV.region,
  };
  const edgeWebAcl = edgeWebAclSource({
    region: env.region ?? DEFAULT_ENV.region,
    stackName: STACK_NAME,
    edgeWebAclArn: config.edgeWebAclArn,
  });
  // A CloudFront web ACL exists only in us-east-1: for a stack elsewhere, a companion stack there.
  const firewallStack =
    edgeWebAcl.kind === "companion"
      ? new EdgeFirewallStack(app, `${STACK_NAME}EdgeFirewall`, {
          env: { account: env.account, region: EDGE_FIREWALL_REGION },
          description: "Post-shipment cancellation service: the CloudFront distribution's firewall",
          parameterName: edgeWebAcl.parameterName,
          alarmEmail: config.alarmEmail,
        })
      : undefined;
  const stack = new ShippedCancellationStack(app, STACK_NAME, {
    env,
    description: "Post-shipment cancellation service (発送済みキャンセル)",
    config,
    edgeWebAcl,
  });
  if (firewallStack) stack.addStackDependency(firewallStack, "its distribution uses the web ACL");
  if (options.nag ?? true) addNagChecks(app);
  return { app, stack, firewallStack, config };
};
