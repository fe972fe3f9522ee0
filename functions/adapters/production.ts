// The production adapters of each port, each built on first use from the environment (config.ts)
// and kept for the container's life. A function's composition root (its handler module) takes
// only the ones its route or step uses, and the bundler leaves the rest out.
import { type Payments, type SealStore, systemClock } from "../app/ports.ts";
import { dynamoDb, eventBridge, s3, ses, sqs, stepFunctions } from "./aws-clients.ts";
import {
  auditSealBucket,
  deadLetterQueueUrl,
  eventBusName,
  mailFrom,
  operatorEmails,
  publicOrigin,
  refundsTableName,
  sesConfigurationSet,
  stateMachineArn,
  tableName,
} from "./config.ts";
import { DynamoAttentionIndex } from "./dynamodb/attention-index.ts";
import { DynamoAuditHeads } from "./dynamodb/audit-heads.ts";
import { DynamoDecisionLinks } from "./dynamodb/decision-links.ts";
import { DynamoExecutionRecords } from "./dynamodb/execution-records.ts";
import { DynamoOrderLists } from "./dynamodb/order-lists.ts";
import { DynamoOrders } from "./dynamodb/orders.ts";
import { DynamoSealCursor } from "./dynamodb/seal-cursor.ts";
import { DynamoSellerCounters } from "./dynamodb/seller-counters.ts";
import { EventBridgePublisher } from "./eventbridge-publisher.ts";
import { LedgerPayments } from "./ledger-payments.ts";
import { logger, metrics } from "./powertools.ts";
import { PaymentProviderNotConfiguredError, ProviderPayments } from "./provider-payments.ts";
import { S3SealStore } from "./s3-seal-store.ts";
import { SesMailer } from "./ses-mailer.ts";
import { SqsDeadLetters } from "./sqs-dead-letters.ts";
import { StepFunctionsExecutions, StepFunctionsSignals } from "./step-functions.ts";
import { stripeAccount } from "./stripe-account.ts";

/** A value built once, on the first call. */
const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
};

const table = () => ({ client: dynamoDb(), tableName: tableName() });

export const orders = /* @__PURE__ */ once(() => new DynamoOrders(table()));
export const orderLists = /* @__PURE__ */ once(() => new DynamoOrderLists(table()));
export const attentionIndex = /* @__PURE__ */ once(() => new DynamoAttentionIndex(table()));
export const executionRecords = /* @__PURE__ */ once(() => new DynamoExecutionRecords(table()));
export const decisionLinks = /* @__PURE__ */ once(() => new DynamoDecisionLinks(table()));
export const sellerCounters = /* @__PURE__ */ once(() => new DynamoSellerCounters(table()));
export const signals = /* @__PURE__ */ once(() => new StepFunctionsSignals(stepFunctions));
export const executions = /* @__PURE__ */ once(
  () => new StepFunctionsExecutions({ client: stepFunctions, stateMachineArn: stateMachineArn() }),
);
export const mailer = /* @__PURE__ */ once(
  () => new SesMailer({ client: ses, from: mailFrom(), configurationSet: sesConfigurationSet() }),
);
export const eventPublisher = /* @__PURE__ */ once(
  () => new EventBridgePublisher({ client: eventBridge, busName: eventBusName() }),
);
let wrapPaymentsWith: ((provider: Payments) => Payments) | undefined;

/**
 * Local mode puts its stand-in's faults and counts around the provider (local/payments.ts); called
 * before the first refund. Nothing deployed calls it.
 */
export const wrapPayments = (wrap: (provider: Payments) => Payments): void => {
  wrapPaymentsWith = wrap;
};

let stripeAdapter: Promise<Payments> | undefined;

/**
 * The Stripe adapter, built on the first Stripe refund (its SDK is loaded only then); a failure
 * to build it (its secret could not be read) is tried again on the next call.
 */
const stripePayments = (): Promise<Payments> => {
  stripeAdapter ??= (async () => {
    const account = await stripeAccount();
    if (!account) throw new PaymentProviderNotConfiguredError("no Stripe account is configured");
    const { StripePayments } = await import("./stripe-payments.ts");
    return new StripePayments(account);
  })().catch((error: unknown) => {
    stripeAdapter = undefined;
    throw error;
  });
  return stripeAdapter;
};

export const payments = /* @__PURE__ */ once((): Payments => {
  const ledger = new LedgerPayments({ client: dynamoDb(), tableName: refundsTableName() });
  return new ProviderPayments({
    ledger: wrapPaymentsWith ? wrapPaymentsWith(ledger) : ledger,
    stripe: stripePayments,
  });
});
let localSealStore: SealStore | undefined;

/**
 * Local mode keeps the digests itself (local/seals.ts); called before the first seal. Nothing
 * deployed calls it.
 */
export const useSealStore = (store: SealStore): void => {
  localSealStore = store;
};

export const auditHeads = /* @__PURE__ */ once(() => new DynamoAuditHeads(table()));
export const sealCursor = /* @__PURE__ */ once(() => new DynamoSealCursor(table()));
export const sealStore = /* @__PURE__ */ once(
  (): SealStore => localSealStore ?? new S3SealStore({ client: s3, bucket: auditSealBucket() }),
);
export const failedStarts = /* @__PURE__ */ once(
  () => new SqsDeadLetters({ client: sqs, queueUrl: deadLetterQueueUrl() }),
);

/** What every function has: the clock and the logger. */
export const basics = { clock: systemClock, log: logger };

/**
 * What sending notices takes (the workflow's segment), metrics included, and the seller's
 * decision links its mail mints.
 */
export const noticeDeps = () => ({
  ...basics,
  metrics,
  mailer: mailer(),
  events: eventPublisher(),
  operatorEmails: operatorEmails(),
  decisionLinks: { links: decisionLinks(), origin: publicOrigin() },
});
