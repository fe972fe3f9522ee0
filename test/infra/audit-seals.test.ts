// The hourly seal of the audit chains as synthesized: a bucket with Object Lock in compliance mode
// (retention from context), versioned, private, TLS only, encrypted, logged, kept; the sealer run
// every hour with only what it needs (new digests under its prefix, the AuditHeads index, its
// cursor item), its own alarm; and a margin longer than any function could hold a write back.
// Bundling is skipped; two synths.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SEAL_MARGIN_SECONDS } from "../../functions/app/seal-audit-heads.ts";
import { DEFAULT_ENV } from "../../infra/create-app.ts";
import { WIDGETS } from "../../infra/dashboard.ts";
import { type Resource, synthesize } from "../support/synth.ts";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

const main = synthesize();
const [sealBucket, ...otherLocked] = main
  .ofType("AWS::S3::Bucket")
  .filter(([, bucket]) => bucket.Properties.ObjectLockEnabled === true);
const [bucketId, bucket] = sealBucket as [string, Resource];

const [sealer, ...otherSealers] = main
  .ofType("AWS::Lambda::Function")
  .filter(([, fn]) =>
    JSON.stringify(fn.Properties.Environment ?? {}).includes("AUDIT_SEAL_BUCKET"),
  );
const [sealerId, sealerFunction] = sealer as [string, Resource];
const roleId = ((sealerFunction.Properties.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"] ??
  [])[0] as string;

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The sealer role's statements, but for its log group's and X-Ray's. */
const sealerStatements = (): Statement[] =>
  main
    .ofType("AWS::IAM::Policy")
    .filter(([, policy]) =>
      list(policy.Properties.Roles as unknown).some(
        (role) => (role as { Ref?: string }).Ref === roleId,
      ),
    )
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    )
    .filter((statement) =>
      list(statement.Action).every(
        (action) => !action.startsWith("logs:") && !action.startsWith("xray:"),
      ),
    );

describe("the seal bucket", () => {
  it("is the one bucket with Object Lock: compliance mode, 7 years by default", () => {
    expect(otherLocked).toEqual([]);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 7 } },
    });
  });

  it("takes its retention in years from the context auditRetentionYears", () => {
    const ten = synthesize({ auditRetentionYears: "10" })
      .ofType("AWS::S3::Bucket")
      .find(([, each]) => each.Properties.ObjectLockEnabled === true)?.[1];
    expect(ten?.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 10 } },
    });
  });

  it("is versioned, private, S3-encrypted, without ACLs, logged beside the distribution's logs, and kept", () => {
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: "Enabled" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
        ],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      LoggingConfiguration: { LogFilePrefix: "audit-seals/" },
    });
    // Whatever the stack's protectData says: a locked object could not be deleted anyway.
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
    const dev = synthesize({ protectData: "false" })
      .ofType("AWS::S3::Bucket")
      .find(([, each]) => each.Properties.ObjectLockEnabled === true)?.[1];
    expect([dev?.DeletionPolicy, dev?.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
  });

  it("refuses every request without TLS, and S3 may deliver its access logs under its prefix only", () => {
    const policies = main.ofType("AWS::S3::BucketPolicy");
    /** The statements of the policy of the bucket whose logical id is `id`. */
    const statementsOn = (id: string): Statement[] => {
      const found = policies.find(([, policy]) =>
        JSON.stringify(policy.Properties.Bucket).includes(id),
      );
      expect(found, id).toBeDefined();
      return (
        (found as [string, Resource])[1].Properties.PolicyDocument as { Statement: Statement[] }
      ).Statement;
    };
    const denies = statementsOn(bucketId);
    expect(denies).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
    const destination = (
      bucket.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } }
    ).DestinationBucketName.Ref;
    const delivery = statementsOn(destination).filter((statement) =>
      JSON.stringify(statement.Principal ?? "").includes("logging.s3.amazonaws.com"),
    );
    expect(delivery).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: {
          "Fn::Join": ["", [{ "Fn::GetAtt": [destination, "Arn"] }, "/audit-seals/*"]],
        },
        Condition: {
          ArnLike: { "aws:SourceArn": { "Fn::GetAtt": [bucketId, "Arn"] } },
          StringEquals: { "aws:SourceAccount": DEFAULT_ENV.account },
        },
      }),
    ]);
    // The distribution's log bucket keeps its ACL setting for CloudFront alone.
    expect(main.resources[destination]?.Properties.AccessControl).toBeUndefined();
  });
});

describe("the sealer", () => {
  it("is one function, every hour, with the table and the bucket named in its environment", () => {
    expect(otherSealers).toEqual([]);
    const rules = main
      .ofType("AWS::Events::Rule")
      .filter(([, rule]) => JSON.stringify(rule.Properties.Targets).includes(sealerId));
    expect(rules.map(([, rule]) => rule.Properties.ScheduleExpression)).toEqual(["rate(1 hour)"]);
    const variables = (
      sealerFunction.Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables.AUDIT_SEAL_BUCKET).toEqual({ Ref: bucketId });
    expect(variables).toHaveProperty("TABLE_NAME");
  });

  it("may put new digests under digests/, query AuditHeads, and get and update its cursor item: nothing else", () => {
    const statements = sealerStatements();
    const table = main.ofType("AWS::DynamoDB::GlobalTable")[0]?.[0] ?? "";
    expect(statements).toHaveLength(3);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: { "Fn::Join": ["", [{ "Fn::GetAtt": [bucketId, "Arn"] }, "/digests/*"]] },
        }),
        expect.objectContaining({
          Effect: "Allow",
          Action: "dynamodb:Query",
          Resource: {
            "Fn::Join": ["", [{ "Fn::GetAtt": [table, "Arn"] }, "/index/AuditHeads"]],
          },
        }),
        expect.objectContaining({
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
          Resource: { "Fn::GetAtt": [table, "Arn"] },
          Condition: {
            "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["AUDITSEAL#CURSOR"] },
          },
        }),
      ]),
    );
    for (const statement of statements)
      expect(statement.Condition ?? {}, JSON.stringify(statement)).not.toHaveProperty("Null");
  });

  it("raises its own alarm on any error, whose runbook entry says what to do", () => {
    const alarms = main
      .ofType("AWS::CloudWatch::Alarm")
      .filter(([, alarm]) => JSON.stringify(alarm.Properties.Dimensions).includes(sealerId));
    expect(alarms.map(([, alarm]) => alarm.Properties)).toEqual([
      expect.objectContaining({
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Threshold: 1,
        AlarmDescription: expect.stringMatching(/Runbook: docs\/runbook\.md#auditsealfailed$/),
      }),
    ]);
    const dashboard = JSON.stringify(main.ofType("AWS::CloudWatch::Dashboard")[0]?.[1].Properties);
    expect(dashboard).toContain(WIDGETS.auditSeals);
    expect(dashboard).toContain("AuditHeadsSealed");
    expect(dashboard).toContain("AuditSealAge");
    const runbook = readFileSync(new URL("../../docs/runbook.md", import.meta.url), "utf8");
    expect(runbook).toContain(`### ${WIDGETS.auditSeals}`);
  });

  it("waits out a margin longer than twice any function's timeout: a write stamped in a window is stored before it is sealed", () => {
    // Those that may write orders: every function given the table (CDK's own deploy-time
    // functions, which are not, run only while the stack deploys).
    const timeouts = main
      .ofType("AWS::Lambda::Function")
      .filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes("TABLE_NAME"))
      .map(([, fn]) => Number(fn.Properties.Timeout ?? 3));
    expect(timeouts.length).toBeGreaterThan(20);
    expect(Math.max(...timeouts) * 2).toBeLessThanOrEqual(SEAL_MARGIN_SECONDS);
  });
});
