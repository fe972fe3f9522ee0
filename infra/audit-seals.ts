// The hourly seal of the audit chains (SPEC "Audit trail"): a bucket with Object Lock in
// compliance mode (each digest locked for `auditRetentionYears`, which nobody can shorten or lift,
// the account's root included) and the sealer, run every hour, which may put digests there and
// nowhere else, read the AuditHeads index and move its cursor item, and nothing more.
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { ENV } from "../functions/adapters/config.ts";
import { SEAL_CURSOR_KEY } from "../functions/adapters/dynamodb/seal-cursor.ts";
import { AUDIT_HEADS_INDEX } from "../functions/adapters/dynamodb/table.ts";
import { SEAL_PREFIX } from "../functions/adapters/s3-seal-store.ts";
import { METRICS_NAMESPACE } from "./alarms.ts";
import { createFunction } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";

/** Where the seal bucket's server access logs go in the access-log bucket. */
export const SEAL_ACCESS_LOG_PREFIX = "audit-seals/";

export interface AuditSealsProps {
  /** The orders table: its AuditHeads index, and the sealer's cursor item. */
  table: dynamodb.ITableV2;
  /** The stack's access-log bucket (the distribution's): the seal bucket logs its accesses there. */
  accessLogs: s3.IBucket;
  /** Years each digest stays locked (context `auditRetentionYears`). */
  retentionYears: number;
}

export class AuditSeals extends Construct {
  readonly bucket: s3.Bucket;
  readonly sealer: lambda.Function;

  constructor(scope: Construct, id: string, props: AuditSealsProps) {
    super(scope, id);

    // Kept whatever happens to the stack: a locked object cannot be deleted anyway.
    this.bucket = new s3.Bucket(this, "Bucket", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    // Every digest locked in compliance mode for whole years, as the context says (CDK's
    // ObjectLockRetention writes a duration as days: 365-day years would end a lock early).
    cfnBucket.addPropertyOverride("ObjectLockConfiguration", {
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: props.retentionYears } },
    });
    // Its accesses are logged beside the distribution's, delivered under a bucket policy (the
    // access-log bucket keeps ACLs for CloudFront's logs, but this delivery needs none).
    cfnBucket.loggingConfiguration = {
      destinationBucketName: props.accessLogs.bucketName,
      logFilePrefix: SEAL_ACCESS_LOG_PREFIX,
    };
    props.accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("logging.s3.amazonaws.com")],
        actions: ["s3:PutObject"],
        resources: [props.accessLogs.arnForObjects(`${SEAL_ACCESS_LOG_PREFIX}*`)],
        conditions: {
          ArnLike: { "aws:SourceArn": this.bucket.bucketArn },
          StringEquals: { "aws:SourceAccount": Stack.of(this).account },
        },
      }),
    );

    this.sealer = createFunction(this, "Sealer", {
      entry: "functions/workflow/seal-audit.ts",
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.auditSealBucket]: this.bucket.bucketName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      // A day of a far-behind window is 24 × 8 index queries; it normally reads one hour.
      timeout: Duration.minutes(5),
    });
    // New digests only: no read, no delete, no retention change.
    const digests = `${this.bucket.bucketArn}/${SEAL_PREFIX}*`;
    this.sealer.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["s3:PutObject"], resources: [digests] }),
    );
    acknowledge(
      this.sealer.role as iam.IRole,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${SEAL_PREFIX}*]`,
      "The sealer puts a new digest each hour under the digests/ prefix, each key named by its window's end; it may only put there (If-None-Match), and Object Lock keeps every one.",
    );
    this.sealer.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [`${props.table.tableArn}/index/${AUDIT_HEADS_INDEX}`],
      }),
    );
    // Its cursor, and no other item of the table.
    this.sealer.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        resources: [props.table.tableArn],
        conditions: {
          "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [SEAL_CURSOR_KEY.pk] },
        },
      }),
    );

    new events.Rule(this, "Schedule", {
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.sealer)],
    });
  }
}
