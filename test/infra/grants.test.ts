// What each role of the stack may do, pinned: one row of actions per role (every function's, the
// state machines', the pipe's, CDK's deploy-time functions'), compared with the synthesized
// policies both ways, so a new grant, a new role or a dropped one is a visible change here. With
// it, what the data keeps: the mail grant's sender condition, versioned buckets, and log groups
// kept or deleted with the stack as `protectData` says, and who may read the Stripe account's
// secret. Bundling is skipped; four synths.
import { describe, expect, it } from "vitest";
import { ENV } from "../../functions/adapters/config.ts";
import { synthesize } from "../support/synth.ts";

interface Statement {
  Action: string | string[];
  Condition?: unknown;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A role's statements: its inline policies and every AWS::IAM::Policy attached to it. */
const statementsOf = (synth: ReturnType<typeof synthesize>, roleId: string): Statement[] => {
  const inline = (
    (synth.resources[roleId]?.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[]
  ).flatMap((policy) => policy.PolicyDocument.Statement);
  const attached = synth
    .ofType("AWS::IAM::Policy")
    .filter(([, policy]) =>
      list(policy.Properties.Roles as unknown).some(
        (role) => (role as { Ref?: string }).Ref === roleId,
      ),
    )
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
  return [...inline, ...attached];
};

/** A role's logical id without CDK's hash: its construct path. */
const roleName = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, "");

// What every function of ours does besides its work: its own log group, X-Ray.
const FUNCTION = [
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "xray:PutTelemetryRecords",
  "xray:PutTraceSegments",
];
// What a logging, traced state machine needs (log delivery and X-Ray take no resource ARN).
const STATE_MACHINE = [
  "logs:CreateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:DescribeLogGroups",
  "logs:DescribeResourcePolicies",
  "logs:GetLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:UpdateLogDelivery",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:PutTelemetryRecords",
  "xray:PutTraceSegments",
];
const GET = ["dynamodb:GetItem"];
const CHANGE = ["dynamodb:GetItem", "dynamodb:UpdateItem"];
const WAKE = ["states:SendTaskSuccess"];
/** An execution for a completed request's refund (a reversal, a retry), when none waits. */
const RESUME = ["states:DescribeExecution", "states:StartExecution"];

/** Every role of the stack (in ap-northeast-1) and exactly the actions it is granted. */
const EXPECTED: Record<string, string[]> = {
  // The API's routes (infra/api.ts ROUTE_PERMISSIONS): none sends mail, publishes or starts.
  ApiGetPolicyRole: FUNCTION,
  // The put and, in its transaction, the seller counters' update (their items alone).
  ApiImportOrderRole: [...FUNCTION, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  ApiListOrdersRole: [...FUNCTION, "dynamodb:Query"],
  ApiGetOrderRole: [...FUNCTION, ...GET],
  ApiRecordShipmentRole: [...FUNCTION, ...CHANGE],
  // Asks the ledger (GetItem on the refunds table) before deciding.
  // Delivered after the cancellation: starts the latest request's execution for the return's mail.
  ApiRecordDeliveryRole: [...FUNCTION, ...CHANGE, ...WAKE, ...RESUME],
  // The parcel's moves change no request's status (nothing to wake); its notices need an execution.
  ApiRecordTrackingEventRole: [...FUNCTION, ...CHANGE, ...RESUME],
  ApiPreviewCancellationRole: [...FUNCTION, ...GET],
  ApiRequestCancellationRole: [...FUNCTION, ...CHANGE],
  ApiGetCancellationRequestRole: [...FUNCTION, ...GET],
  ApiWithdrawCancellationRequestRole: [...FUNCTION, ...CHANGE, ...WAKE],
  ApiSellerDecisionRole: [...FUNCTION, ...CHANGE, ...WAKE],
  ApiMarketplaceDecisionRole: [...FUNCTION, ...CHANGE, ...WAKE],
  // A reversed refund's retry may start its completed request's execution.
  ApiRetryRefundRole: [...FUNCTION, ...CHANGE, ...WAKE, ...RESUME],
  ApiListSellerCancellationRequestsRole: [...FUNCTION, "dynamodb:Query"],
  ApiListOperatorCancellationRequestsRole: [...FUNCTION, "dynamodb:Query"],
  // Stripe's signed events: the order, the ledger (GetItem), the waiting execution.
  ApiStripeWebhookRole: [...FUNCTION, ...CHANGE, ...WAKE, ...RESUME],
  // A refund inquiry and its close: one change each, nothing woken; the open ones: one index.
  ApiOpenRefundInquiryRole: [...FUNCTION, ...CHANGE],
  ApiCloseRefundInquiryRole: [...FUNCTION, ...CHANGE],
  ApiListRefundInquiriesRole: [...FUNCTION, "dynamodb:Query"],
  ApiListSellerParcelsRole: [...FUNCTION, "dynamodb:Query"],
  ApiGetAuditRole: [...FUNCTION, ...GET],
  // The decision link's page reads the link's item and its order; its form changes the order as
  // the seller's route does, wakes the execution, and marks the link's item used (UpdateItem).
  ApiDecisionLinkPageRole: [...FUNCTION, ...GET],
  ApiDecideByLinkRole: [...FUNCTION, ...CHANGE, ...WAKE],
  // The seller counters of the window: one Query of their partition.
  ApiGetSellerMetricsRole: [...FUNCTION, "dynamodb:Query"],
  ApiGetOperatorSellerMetricsRole: [...FUNCTION, "dynamodb:Query"],
  // The workflow's segment: the order, the ledger (PutItem), the mail (and the decision links it
  // mints: PutItem of LINK# items only), the events.
  WorkflowStepFunctionRole: [
    ...FUNCTION,
    ...CHANGE,
    "dynamodb:PutItem",
    "events:PutEvents",
    "ses:SendEmail",
  ],
  WorkflowStateMachineRole: [...STATE_MACHINE, "dynamodb:UpdateItem", "lambda:InvokeFunction"],
  RequestStartsStarterRole: [...STATE_MACHINE, "states:StartExecution"],
  RequestStartsPipeRole: [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:SendMessage",
    "states:StartSyncExecution",
  ],
  // PendingWork, the order, the executions, the pipe's dead letters (receive and delete only).
  ReconcilerRole: [
    ...FUNCTION,
    ...CHANGE,
    "dynamodb:Query",
    "sqs:DeleteMessage",
    "sqs:ReceiveMessage",
    "states:DescribeExecution",
    "states:ListExecutions",
    "states:SendTaskSuccess",
    "states:StartExecution",
  ],
  // The hourly audit seal: the AuditHeads index, its cursor item, new digests in its bucket.
  AuditSealsSealerRole: [...FUNCTION, ...CHANGE, "dynamodb:Query", "s3:PutObject"],
  // The sign-in trigger: one user's MFA settings, on the pool alone (test/infra/auth.test.ts).
  AuthPreTokenGenerationRole: [...FUNCTION, "cognito-idp:AdminGetUser"],
  // CDK's deploy-time functions: the console's upload, the web ACL's ARN from us-east-1.
  EdgeConsoleDeploymentRole: [
    "cloudfront:CreateInvalidation",
    "cloudfront:GetInvalidation",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutObject",
  ],
  EdgeWebAclArnReaderRole: ["logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParameter"],
};

const main = synthesize();

describe("every role's actions", () => {
  const roles = main.ofType("AWS::IAM::Role").map(([id]) => id);

  it("the table names every role of the stack, and no other", () => {
    const names = roles.map(roleName);
    // A role missing here is a new grant: add its row with exactly the actions it needs.
    expect({
      notInTable: names.filter((name) => !(name in EXPECTED)).sort(),
      notInStack: Object.keys(EXPECTED).filter((name) => !names.includes(name)),
    }).toEqual({ notInTable: [], notInStack: [] });
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${[...new Set(expected)].length} actions`, () => {
      const roleId = roles.find((id) => roleName(id) === name);
      expect(roleId, name).toBeDefined();
      const actions = statementsOf(main, roleId as string).flatMap((statement) =>
        list(statement.Action),
      );
      expect([...new Set(actions)].sort()).toEqual([...new Set(expected)].sort());
    });
  }
});

describe("the Stripe account's secret", () => {
  const SECRET_ARN =
    "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shipped-cancellation/stripe-AbC123";
  /** The functions that call Stripe: refunds, the asks before deciding, webhooks, the sweep. */
  const CALLERS = [
    "ApiRecordDeliveryRole",
    "ApiRetryRefundRole",
    "ApiStripeWebhookRole",
    "ReconcilerRole",
    "WorkflowStepFunctionRole",
  ];

  /** Each role's statements that mention Secrets Manager, by role name. */
  const secretStatements = (synth: ReturnType<typeof synthesize>) =>
    Object.fromEntries(
      synth
        .ofType("AWS::IAM::Role")
        .map(([id]): [string, Statement[]] => [
          roleName(id),
          statementsOf(synth, id).filter((statement) =>
            list(statement.Action).some((action) => action.startsWith("secretsmanager:")),
          ),
        ])
        .filter(([, statements]) => statements.length > 0),
    );

  /** The functions whose environment names the secret, by logical id without the hash. */
  const withSecretEnv = (synth: ReturnType<typeof synthesize>) =>
    synth
      .ofType("AWS::Lambda::Function")
      .filter(([, fn]) => {
        const variables = (fn.Properties.Environment as { Variables?: Record<string, unknown> })
          ?.Variables;
        return variables !== undefined && ENV.stripeSecretArn in variables;
      })
      .map(([id, fn]) => [
        roleName(id),
        (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables[
          ENV.stripeSecretArn
        ],
      ]);

  it("without stripeSecretArn: no function names a secret or may read one", () => {
    expect(secretStatements(main)).toEqual({});
    expect(withSecretEnv(main)).toEqual([]);
  });

  it("with it: only the five functions that call Stripe may read it, GetSecretValue on that secret alone", () => {
    const synth = synthesize({ stripeSecretArn: SECRET_ARN });
    const granted = secretStatements(synth);
    expect(Object.keys(granted).sort()).toEqual(CALLERS);
    for (const [role, statements] of Object.entries(granted)) {
      expect(statements, role).toEqual([
        expect.objectContaining({
          Action: "secretsmanager:GetSecretValue",
          Effect: "Allow",
          Resource: SECRET_ARN,
        }),
      ]);
      expect(statements[0]?.Condition, role).toBeUndefined();
    }
    // Its ARN reaches the same five (logical ids are the roles' without "Role"), and the
    // template holds the ARN, never a value.
    expect(withSecretEnv(synth).sort()).toEqual(
      CALLERS.map((role) => [role.replace(/Role$/, ""), SECRET_ARN]).sort(),
    );
    // Every other action of every role is as without the secret.
    for (const role of CALLERS) {
      const roleId = synth.ofType("AWS::IAM::Role").find(([id]) => roleName(id) === role)?.[0];
      const actions = statementsOf(synth, roleId as string).flatMap((statement) =>
        list(statement.Action),
      );
      expect([...new Set(actions)].sort(), role).toEqual(
        [...new Set([...(EXPECTED[role] ?? []), "secretsmanager:GetSecretValue"])].sort(),
      );
    }
  });
});

describe("mail", () => {
  const sesStatements = (synth: ReturnType<typeof synthesize>) =>
    synth
      .ofType("AWS::IAM::Role")
      .flatMap(([id]) => statementsOf(synth, id))
      .filter((statement) => list(statement.Action).some((action) => action.startsWith("ses:")));

  it("SendEmail from the sender address alone", () => {
    const statements = sesStatements(main);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Condition).toEqual({
      StringEquals: { "ses:FromAddress": "no-reply@example.com" },
    });
  });

  it("with a domain identity too: the grant is for mailFrom, not anyone in the domain", () => {
    const statements = sesStatements(
      synthesize({ mailDomain: "example.jp", mailFrom: "orders@example.jp" }),
    );
    expect(statements.map((statement) => statement.Condition)).toEqual([
      { StringEquals: { "ses:FromAddress": "orders@example.jp" } },
    ]);
  });
});

describe("what is kept", () => {
  it("the console and access-log buckets are versioned; old versions expire", () => {
    // The audit seals' bucket keeps every version locked (test/infra/audit-seals.test.ts).
    const buckets = main
      .ofType("AWS::S3::Bucket")
      .filter(([, bucket]) => bucket.Properties.ObjectLockEnabled !== true);
    expect(buckets).toHaveLength(2);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.VersioningConfiguration, id).toEqual({ Status: "Enabled" });
      const rules = (bucket.Properties.LifecycleConfiguration as { Rules: object[] }).Rules;
      expect(rules, id).toContainEqual(
        expect.objectContaining({
          NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) },
        }),
      );
    }
  });

  it("protectData (the default): every log group stays when the stack is deleted", () => {
    const groups = main.ofType("AWS::Logs::LogGroup");
    expect(groups.length).toBeGreaterThan(20);
    for (const [id, group] of groups) {
      expect([group.DeletionPolicy, group.UpdateReplacePolicy], id).toEqual(["Retain", "Retain"]);
    }
  });

  it("protectData=false: every log group goes with the stack", () => {
    const dev = synthesize({ protectData: "false" });
    for (const [id, group] of dev.ofType("AWS::Logs::LogGroup")) {
      expect([group.DeletionPolicy, group.UpdateReplacePolicy], id).toEqual(["Delete", "Delete"]);
    }
  });
});
