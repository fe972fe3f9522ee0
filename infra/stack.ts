// The whole service in one stack: the orders table and its stream, sign-in, mail, the domain
// events' bus, the cancellation workflow and what starts it, the HTTP API, the reconciler, the
// edge and the alarms.
import {
  CfnOutput,
  Duration,
  Lazy,
  RemovalPolicies,
  RemovalPolicy,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { ENV } from "../functions/adapters/config.ts";
import {
  ORDERS_TABLE,
  PENDING_WORK_INDEX,
  type Projection,
  REFUNDS_TABLE,
  TIME_TO_LIVE_ATTRIBUTE,
} from "../functions/adapters/dynamodb/table.ts";
import { EVENT_SOURCE } from "../functions/domain/published-events.ts";
import { Alarms, METRICS_NAMESPACE } from "./alarms.ts";
import { Api } from "./api.ts";
import { AuditSeals } from "./audit-seals.ts";
import { Auth, carrierClientOutput } from "./auth.ts";
import type { DeploymentConfig } from "./config.ts";
import { OperationsDashboard } from "./dashboard.ts";
import { EdgeDistribution } from "./edge.ts";
import { type EdgeWebAclSource, edgeWebAcl } from "./edge-firewall.ts";
import { grantDescribeExecutions } from "./executions.ts";
import { createFunction } from "./lambda-defaults.ts";
import { Mail } from "./mail.ts";
import { RequestStarts } from "./request-starts.ts";
import { grantStripeSecret } from "./stripe-secret.ts";
import { CancellationWorkflow } from "./workflow.ts";

/** An index's projection as CDK takes it: only the attributes its list returns, or keys only. */
const cdkProjection = (projection: Projection) =>
  projection.type === "INCLUDE"
    ? {
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...projection.attributes],
      }
    : { projectionType: dynamodb.ProjectionType.KEYS_ONLY };

/** How long the archive keeps events for replays. */
export const EVENT_ARCHIVE_DAYS = 30;

const functionsIn = (scope: Construct): lambda.Function[] =>
  scope.node.findAll().filter((node) => node instanceof lambda.Function);

export interface ShippedCancellationStackProps extends StackProps {
  config: DeploymentConfig;
  /** Where the CloudFront distribution's WAF web ACL comes from (edgeWebAclSource). */
  edgeWebAcl: EdgeWebAclSource;
}

export class ShippedCancellationStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly refundsTable: dynamodb.TableV2;
  readonly auth: Auth;
  readonly mail: Mail;
  readonly eventBus: events.EventBus;
  readonly workflow: CancellationWorkflow;
  readonly requestStarts: RequestStarts;
  readonly api: Api;
  readonly edge: EdgeDistribution;
  readonly auditSeals: AuditSeals;
  readonly alarms: Alarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: ShippedCancellationStackProps) {
    super(scope, id, props);
    const { config } = props;

    const key = (attribute: { name: string; type: string }) => ({
      name: attribute.name,
      // Same string values ("S" | "N" | "B") as CDK's enum.
      type: attribute.type as dynamodb.AttributeType,
    });
    this.table = new dynamodb.TableV2(this, "Orders", {
      partitionKey: key(ORDERS_TABLE.partitionKey),
      sortKey: key(ORDERS_TABLE.sortKey),
      globalSecondaryIndexes: ORDERS_TABLE.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        ...cdkProjection(index.projection),
      })),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.protectData,
      removalPolicy: config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Each new request's workflow starts from the stream (request-starts.ts).
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      // The seller's decision links alone carry it: DynamoDB deletes each a while after it expired.
      timeToLiveAttribute: TIME_TO_LIVE_ATTRIBUTE,
    });

    // The payment provider's ledger (the default adapter): a table of its own, so that only the
    // refund task's role can write a refund; the routes that must ask about one may read it.
    this.refundsTable = new dynamodb.TableV2(this, "Refunds", {
      partitionKey: key(REFUNDS_TABLE.partitionKey),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.protectData,
      removalPolicy: config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.auth = new Auth(this, "Auth", {
      protectData: config.protectData,
      domainPrefix: config.authDomainPrefix ?? `shipped-cancellation-${this.account}`,
      // The distribution fronts the API, which trusts the console's client: built after both,
      // its address reaches the client when the template is written.
      consoleUrl: Lazy.string({ produce: () => this.edge.consoleUrl }),
      sellersNeedMfa: config.sellerMfa,
      carriers: config.carriers,
    });

    this.mail = new Mail(this, "Mail", {
      mailIdentity: config.mailIdentity,
      mailFrom: config.mailFrom,
    });

    // Integrators' domain events (SPEC "For integrators"; docs/events.md): one bus, its archive
    // kept so a consumer can replay what it missed.
    this.eventBus = new events.EventBus(this, "DomainEvents");
    this.eventBus.archive("DomainEventsArchive", {
      description: "Every domain event, kept for replays (docs/events.md).",
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(EVENT_ARCHIVE_DAYS),
    });

    // Shared by the workflow's functions and the API's (the reconciler has its own: the state
    // machine's ARN, which the workflow's own functions cannot know: a dependency cycle).
    const environment: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.refundsTableName]: this.refundsTable.tableName,
      [ENV.mailFrom]: config.mailFrom,
      [ENV.sesConfigurationSet]: this.mail.configurationSet.configurationSetName,
      [ENV.operatorEmails]: config.operatorEmails.join(","),
      [ENV.policy]: JSON.stringify(config.policy),
      [ENV.eventBusName]: this.eventBus.eventBusName,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };

    this.workflow = new CancellationWorkflow(this, "Workflow", {
      table: this.table,
      refundsTable: this.refundsTable,
      // The seller's mail links to the distribution (decision links, the console): built after
      // the workflow (it fronts the API, whose routes name the state machine), its domain reaches
      // the steps' environment when the template is written.
      environment: {
        ...environment,
        [ENV.publicOrigin]: Lazy.string({
          produce: () => `https://${this.edge.distribution.distributionDomainName}`,
        }),
      },
      stripeSecretArn: config.stripeSecretArn,
    });
    const { stateMachine } = this.workflow;
    // The workflow's steps send every notification and publish every domain event.
    for (const fn of this.workflow.functions) {
      this.mail.grantSend(fn);
      this.eventBus.grantPutEventsTo(fn);
    }
    this.requestStarts = new RequestStarts(this, "RequestStarts", {
      table: this.table,
      workflow: stateMachine,
    });

    this.api = new Api(this, "Api", {
      table: this.table,
      refundsTable: this.refundsTable,
      stateMachine,
      environment,
      jwtIssuer: this.auth.issuerUrl,
      // People's and both systems' tokens: each client's id is its tokens' `client_id`.
      jwtAudience: this.auth.clients.map((client) => client.userPoolClientId),
      consoleOrigin: config.consoleOrigin,
      stripeSecretArn: config.stripeSecretArn,
      carrierClients: this.auth.carrierClientMap(),
    });

    // Nothing stalls: every five minutes the reconciler starts or resumes open requests whose
    // execution never began or is gone, wakes waits a lost signal left waiting, gives a finished
    // request whose mail or events a failure left behind an execution to send them, and drains
    // the pipe's dead letters. It sends nothing itself (only a request's execution does).
    const { deadLetters } = this.requestStarts;
    const reconciler = createFunction(this, "Reconciler", {
      entry: "functions/workflow/reconcile.ts",
      environment: {
        [ENV.tableName]: this.table.tableName,
        // The ledger, asked about refunds pending too long (read only).
        [ENV.refundsTableName]: this.refundsTable.tableName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        [ENV.stateMachineArn]: stateMachine.stateMachineArn,
        [ENV.deadLetterQueueUrl]: deadLetters.queueUrl,
      },
      timeout: Duration.minutes(5),
      // One sweep at a time, which no flood of the API can keep from running.
      reservedConcurrency: 1,
    });
    reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [`${this.table.tableArn}/index/${PENDING_WORK_INDEX}`],
      }),
    );
    // It asks the provider (the ledger, or Stripe) about refunds pending too long, so a lost
    // webhook leaves nothing waiting.
    grantStripeSecret(reconciler, config.stripeSecretArn);
    reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem"],
        resources: [this.refundsTable.tableArn],
      }),
    );
    reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        resources: [this.table.tableArn],
      }),
    );
    stateMachine.grantStartExecution(reconciler);
    reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["states:SendTaskSuccess"],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    // The dead letters it drains: ReceiveMessage and DeleteMessageBatch only (functions/adapters/
    // sqs-dead-letters.ts), not grantConsumeMessages' visibility changes and queue look-ups.
    reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
        resources: [deadLetters.queueArn],
      }),
    );
    // Which executions still run: one ListExecutions (RUNNING) per sweep, on this machine only.
    reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["states:ListExecutions"],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    // Whether a request's first execution runs, when it was not listed yet and its input (the
    // API call's correlation id) differs from the reconciler's own: this machine's executions only.
    grantDescribeExecutions(reconciler, stateMachine);
    new events.Rule(this, "ReconcilerSchedule", {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(reconciler)],
    });

    // The console and the API on one HTTPS origin, behind the WAF (before the alarms: its
    // deployment function is watched like every other).
    const webAcl = edgeWebAcl(this, props.edgeWebAcl);
    this.edge = new EdgeDistribution(this, "Edge", {
      httpApi: this.api.httpApi,
      authDomain: this.auth.domain,
      consoleClient: this.auth.consoleClient,
      userApiUrl: this.auth.userApiUrl,
      webAclArn: webAcl.arn,
      originSecret: this.api.originSecret,
    });

    // Every hour, the heads of the orders whose audit chain grew, sealed where nobody can change
    // them (audit-seals.ts); the bucket logs its accesses beside the distribution's.
    this.auditSeals = new AuditSeals(this, "AuditSeals", {
      table: this.table,
      accessLogs: this.edge.logBucket,
      retentionYears: config.auditRetentionYears,
    });

    this.alarms = new Alarms(this, "Alarms", {
      stateMachine,
      pipeDeadLetters: deadLetters,
      // Every function in the stack, the workflow's included.
      functions: functionsIn(this),
      auditSealer: this.auditSeals.sealer,
      alarmEmail: config.alarmEmail,
    });
    // What on-call looks at first (docs/runbook.md explains each widget).
    this.dashboard = new OperationsDashboard(this, "Operations", {
      stateMachine,
      functions: functionsIn(this),
    });

    webAcl.firewall?.notify(this.alarms.topic);

    // Logs are kept with the data they explain: with protectData, deleting the stack leaves every
    // log group (each still expires its events after its retention).
    RemovalPolicies.of(this).apply(
      config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      { applyToResourceTypes: ["AWS::Logs::LogGroup"] },
    );

    // The one public address: the API's own (execute-api) answers only CloudFront (api.ts).
    new CfnOutput(this, "ConsoleUrl", { value: this.edge.consoleUrl });
    new CfnOutput(this, "UserPoolId", { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, "UserClientId", { value: this.auth.userClient.userPoolClientId });
    new CfnOutput(this, "OrderSystemClientId", {
      value: this.auth.orderSystemClient.userPoolClientId,
    });
    // One per carrier: CarrierClientIdYamato, CarrierClientIdSagawa, …
    for (const [carrier, client] of this.auth.carrierClients) {
      new CfnOutput(this, carrierClientOutput(carrier), { value: client.userPoolClientId });
    }
    new CfnOutput(this, "TokenEndpoint", {
      value: `${this.auth.domain.baseUrl()}/oauth2/token`,
    });
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "EventBusName", { value: this.eventBus.eventBusName });
    new CfnOutput(this, "StateMachineArn", { value: stateMachine.stateMachineArn });
    new CfnOutput(this, "AuditSealBucketName", { value: this.auditSeals.bucket.bucketName });
    // A domain identity is verified by these DKIM CNAME records in the domain's DNS.
    if (config.mailIdentity.kind === "domain") {
      this.mail.identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(this, `DkimRecord${index + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
        });
      });
    }
  }
}
