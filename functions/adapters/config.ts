// The environment a handler runs in: one place that names every variable the CDK stack sets.
import { type Policy, policyFromConfig } from "../domain/policy.ts";

export const ENV = {
  tableName: "TABLE_NAME",
  refundsTableName: "REFUNDS_TABLE_NAME",
  stateMachineArn: "STATE_MACHINE_ARN",
  mailFrom: "MAIL_FROM",
  sesConfigurationSet: "SES_CONFIGURATION_SET",
  operatorEmails: "OPERATOR_EMAILS",
  policy: "POLICY_JSON",
  eventBusName: "EVENT_BUS_NAME",
  deadLetterQueueUrl: "PIPE_DEAD_LETTER_QUEUE_URL",
  /** The bucket of the audit seals (S3 Object Lock); set only on the sealer. */
  auditSealBucket: "AUDIT_SEAL_BUCKET",
  /** The Stripe account's secret (stripe-account.ts); set only on the functions that call Stripe. */
  stripeSecretArn: "STRIPE_SECRET_ARN",
  /**
   * The service's public origin (the CloudFront distribution's `https://<domain>`; locally
   * `http://127.0.0.1:<port>`), which the seller's decision links and the console's address in
   * mail start with; set only on the functions that mail sellers. Never a request's Host.
   */
  publicOrigin: "PUBLIC_ORIGIN",
} as const;

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

export const tableName = (): string => required(ENV.tableName);
export const refundsTableName = (): string => required(ENV.refundsTableName);
export const stateMachineArn = (): string => required(ENV.stateMachineArn);
export const deadLetterQueueUrl = (): string => required(ENV.deadLetterQueueUrl);
export const eventBusName = (): string => required(ENV.eventBusName);
export const auditSealBucket = (): string => required(ENV.auditSealBucket);
export const mailFrom = (): string => required(ENV.mailFrom);
export const sesConfigurationSet = (): string | undefined =>
  process.env[ENV.sesConfigurationSet] || undefined;

/** The public origin, without a trailing slash; anything but an http(s) origin is refused. */
export const publicOrigin = (): string => {
  const value = required(ENV.publicOrigin).replace(/\/+$/, "");
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(value)) {
    throw new Error(`environment variable ${ENV.publicOrigin} is not an http(s) origin`);
  }
  return value;
};

/** Operators' alert addresses, comma separated. */
export const operatorEmails = (): string[] =>
  (process.env[ENV.operatorEmails] ?? "")
    .split(",")
    .map((address) => address.trim())
    .filter(Boolean);

let cachedPolicy: { json: string | undefined; policy: Policy } | undefined;

/** The policy in force: the defaults merged with the deployment's `POLICY_JSON` (parsed once). */
export const currentPolicy = (): Policy => {
  const json = process.env[ENV.policy];
  if (!cachedPolicy || cachedPolicy.json !== json) {
    cachedPolicy = { json, policy: policyFromConfig(json) };
  }
  return cachedPolicy.policy;
};
