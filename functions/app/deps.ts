// The production wiring of AppDeps, built once per Lambda container from the environment.
import { dynamoDb, eventBridge, ses, stepFunctions } from "../adapters/aws-clients.ts";
import {
  eventBusName,
  mailFrom,
  operatorEmails,
  optionalStateMachineArn,
  refundsTableName,
  sesConfigurationSet,
  tableName,
} from "../adapters/config.ts";
import { EventBridgePublisher } from "../adapters/event-publisher.ts";
import { SesMailer } from "../adapters/mailer.ts";
import { OrderStore } from "../adapters/order-store.ts";
import { LedgerPaymentGateway, type PaymentGateway } from "../adapters/payment-gateway.ts";
import { WorkflowClient } from "../adapters/workflow-client.ts";
import type { AppDeps } from "./apply-event.ts";
import { countMetric, logger, publishMeasurements } from "./powertools.ts";

let deps: (AppDeps & { gateway: PaymentGateway }) | undefined;

/** Built on first use rather than at import, so tests can import handlers without the env. */
export const defaultDeps = (): AppDeps & { gateway: PaymentGateway } => {
  if (deps) return deps;
  const store = new OrderStore({ client: dynamoDb, tableName: tableName() });
  deps = {
    store,
    mailer: new SesMailer({
      client: ses,
      from: mailFrom(),
      configurationSet: sesConfigurationSet(),
    }),
    // Workflow tasks never start or signal executions (and cannot know the ARN: it would be a cycle).
    workflow: new WorkflowClient({
      client: stepFunctions,
      stateMachineArn: optionalStateMachineArn(),
    }),
    events: new EventBridgePublisher({ client: eventBridge, busName: eventBusName() }),
    gateway: new LedgerPaymentGateway({ client: dynamoDb, tableName: refundsTableName() }),
    operatorEmails: operatorEmails(),
    logger,
    now: () => new Date().toISOString(),
    count: countMetric,
    measure: publishMeasurements,
    correlationId: () => logger.correlationId(),
  };
  return deps;
};
