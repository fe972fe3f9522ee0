// The CloudFront distribution's firewall: a WAF web ACL with per-IP rate limits and AWS's managed
// rules, and an alarm on what it blocks. A web ACL for CloudFront (scope CLOUDFRONT) can only be
// created in us-east-1: a stack there holds it itself; a stack elsewhere gets it from a small
// companion stack in us-east-1 (its ARN passed through an SSM parameter), or uses an existing one.
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as ssm from "aws-cdk-lib/aws-ssm";
import * as wafv2 from "aws-cdk-lib/aws-wafv2";
import * as cr from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { ROUTES, type Route } from "../functions/http/routes.ts";
import { runbookLink } from "./alarms.ts";
import { deployTimeFunctionRole } from "./edge.ts";

/** The only region where a CloudFront web ACL (and its metrics and alarms) can live. */
export const EDGE_FIREWALL_REGION = "us-east-1";

/**
 * Requests one client IP may send through CloudFront per 5 minutes before WAF answers 429 for the
 * rest of the window (docs/runbook.md#edge-and-rate-limits says how to change them). The systems'
 * routes are counted apart from people's, so neither can use up the other's allowance.
 */
export const EDGE_RATE_LIMITS = {
  /** Every request but the systems': a console session loads a few dozen files, then a call per click. */
  all: 1000,
  /** POSTs but the systems' (people's writes): a person clicks a few per minute. */
  writes: 300,
  /** The systems' routes (order import, carrier events): 20 a second, from one address. */
  systems: 6000,
  windowSeconds: 300,
} as const;

/** Blocked requests per 5 minutes that raise the alarm: more than a scanner's odd probe. */
export const EDGE_BLOCKED_ALARM_THRESHOLD = 100;

/** CloudWatch metric names of the web ACL's rules (its dashboard and alarm use them). */
export const EDGE_RULES = {
  rateAll: "RateLimitPerIp",
  rateWrites: "RateLimitWritesPerIp",
  rateSystems: "RateLimitSystemsPerIp",
  knownBadInputs: "KnownBadInputs",
  common: "CommonRuleSet",
} as const;

/**
 * Rules of AWS's common rule set only counted, not enforced, because the API's legitimate
 * requests match them: bodies up to 64 KiB (the rule's limit is 8 KiB), free-text comments and
 * reasons a buyer may write with markup in them (the console renders them as text), machine
 * clients that send no User-Agent.
 */
export const COMMON_RULES_COUNTED = [
  "SizeRestrictions_BODY",
  "CrossSiteScripting_BODY",
  "NoUserAgent_HEADER",
] as const;

/** The 429's body: a problem document, as the API answers its own errors. */
const RATE_LIMITED_BODY = JSON.stringify({
  type: "about:blank",
  title: "Too Many Requests",
  status: 429,
  detail: `More than the allowed requests from this address in ${EDGE_RATE_LIMITS.windowSeconds / 60} minutes; try again later.`,
  code: "RATE_LIMITED",
});

/**
 * The routes systems call with a client-credentials token (an OAuth scope): the order import and
 * the carrier's events. Taken from the route table, so a system route added later is counted with
 * them.
 */
export const systemRoutes = (routes: readonly Route[] = ROUTES): Route[] =>
  routes.filter((route) => route.access.kind === "scope");

/** A route's path as an anchored regular expression: each `{param}` one path segment. */
export const pathPattern = (path: string): string =>
  `^${path.replace(/[.]/g, "\\.").replace(/\{[^/}]+\}/g, "[^/]+")}$`;

const methodIs = (method: string): wafv2.CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { method: {} },
    positionalConstraint: "EXACTLY",
    searchString: method,
    textTransformations: [{ priority: 0, type: "NONE" }],
  },
});

const both = (
  first: wafv2.CfnWebACL.StatementProperty,
  second: wafv2.CfnWebACL.StatementProperty,
): wafv2.CfnWebACL.StatementProperty => ({ andStatement: { statements: [first, second] } });

const not = (statement: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.StatementProperty => ({
  notStatement: { statement },
});

/** A request to one of the systems' routes: its method and its path. */
export const systemRequests = (
  routes: readonly Route[] = systemRoutes(),
): wafv2.CfnWebACL.StatementProperty => {
  const statements = routes.map((route) =>
    both(methodIs(route.method), {
      regexMatchStatement: {
        fieldToMatch: { uriPath: {} },
        regexString: pathPattern(route.path),
        textTransformations: [{ priority: 0, type: "NONE" }],
      },
    }),
  );
  const [only, ...more] = statements;
  if (!only) throw new Error("the route table has no system route");
  return more.length === 0 ? only : { orStatement: { statements } };
};

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

const rateRule = (
  name: string,
  priority: number,
  limit: number,
  scopeDownStatement?: wafv2.CfnWebACL.StatementProperty,
): wafv2.CfnWebACL.RuleProperty => ({
  name,
  priority,
  statement: {
    rateBasedStatement: {
      limit,
      aggregateKeyType: "IP",
      evaluationWindowSec: EDGE_RATE_LIMITS.windowSeconds,
      ...(scopeDownStatement ? { scopeDownStatement } : {}),
    },
  },
  action: {
    block: { customResponse: { responseCode: 429, customResponseBodyKey: "rateLimited" } },
  },
  visibilityConfig: visibility(name),
});

const managedRules = (
  name: string,
  priority: number,
  groupName: string,
  counted: readonly string[] = [],
): wafv2.CfnWebACL.RuleProperty => ({
  name,
  priority,
  statement: {
    managedRuleGroupStatement: {
      vendorName: "AWS",
      name: groupName,
      ...(counted.length > 0
        ? {
            ruleActionOverrides: counted.map((rule) => ({
              name: rule,
              actionToUse: { count: {} },
            })),
          }
        : {}),
    },
  },
  // The group's own actions apply (block), except the rules overridden to count above.
  overrideAction: { none: {} },
  visibilityConfig: visibility(name),
});

/** The web ACL and its blocked-requests alarm; only in us-east-1. */
export class EdgeFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly blockedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    if (stack.region !== EDGE_FIREWALL_REGION) {
      throw new Error(
        `A CloudFront web ACL must be created in ${EDGE_FIREWALL_REGION}, not in ${stack.region}`,
      );
    }
    // Named after its stack, which is unique in its account and region: the metrics' dimension.
    const name = `${stack.stackName}-edge`;
    this.webAcl = new wafv2.CfnWebACL(this, "WebAcl", {
      name,
      description: "Rate limits and managed rules in front of the console and the API",
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      customResponseBodies: {
        rateLimited: { contentType: "APPLICATION_JSON", content: RATE_LIMITED_BODY },
      },
      rules: [
        // Floods first: a client over its limit costs no further rule evaluation. People's
        // requests and the systems' are counted apart.
        rateRule(EDGE_RULES.rateAll, 0, EDGE_RATE_LIMITS.all, not(systemRequests())),
        rateRule(
          EDGE_RULES.rateWrites,
          1,
          EDGE_RATE_LIMITS.writes,
          both(methodIs("POST"), not(systemRequests())),
        ),
        rateRule(EDGE_RULES.rateSystems, 2, EDGE_RATE_LIMITS.systems, systemRequests()),
        // Exploit patterns (Log4j, Java deserialization, …) nobody sends by accident: blocked.
        managedRules(EDGE_RULES.knownBadInputs, 3, "AWSManagedRulesKnownBadInputsRuleSet"),
        managedRules(EDGE_RULES.common, 4, "AWSManagedRulesCommonRuleSet", COMMON_RULES_COUNTED),
      ],
    });

    this.blockedAlarm = new cloudwatch.Alarm(this, "BlockedRequests", {
      metric: new cloudwatch.Metric({
        namespace: "AWS/WAFV2",
        metricName: "BlockedRequests",
        // CloudFront web ACLs' metrics carry no Region dimension; Rule ALL sums every rule.
        dimensionsMap: { WebACL: name, Rule: "ALL" },
        statistic: "Sum",
        period: Duration.minutes(5),
      }),
      threshold: EDGE_BLOCKED_ALARM_THRESHOLD,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `The edge firewall blocked ${EDGE_BLOCKED_ALARM_THRESHOLD} or more requests in 5 minutes (rate limits or managed rules). Runbook: ${runbookLink("EdgeBlockedRequests")}`,
    });
  }

  /** Alarms notify this topic (it must be in the same region as the alarm). */
  notify(topic: sns.ITopic | undefined): void {
    if (topic) this.blockedAlarm.addAlarmAction(new actions.SnsAction(topic));
  }
}

/** Where the distribution's web ACL comes from (edgeWebAclSource decides). */
export type EdgeWebAclSource =
  /** The stack is in us-east-1: it holds the firewall itself. */
  | { kind: "own" }
  /** `edgeWebAclArn` from context: someone else's web ACL (and its alarms). */
  | { kind: "existing"; arn: string }
  /** Another region: the companion EdgeFirewallStack in us-east-1 publishes its ARN here. */
  | { kind: "companion"; parameterName: string };

/** SSM parameter (in us-east-1) holding the companion firewall's web ACL ARN. */
export const webAclArnParameterName = (stackName: string): string =>
  `/${stackName}/edge/web-acl-arn`;

export const edgeWebAclSource = (options: {
  region: string;
  stackName: string;
  edgeWebAclArn: string | undefined;
}): EdgeWebAclSource => {
  if (options.edgeWebAclArn !== undefined) return { kind: "existing", arn: options.edgeWebAclArn };
  if (options.region === EDGE_FIREWALL_REGION) return { kind: "own" };
  return { kind: "companion", parameterName: webAclArnParameterName(options.stackName) };
};

/** The web ACL ARN for the distribution, and the firewall when this stack holds it. */
export const edgeWebAcl = (
  scope: Construct,
  source: EdgeWebAclSource,
): { arn: string; firewall?: EdgeFirewall } => {
  switch (source.kind) {
    case "own": {
      const firewall = new EdgeFirewall(scope, "EdgeFirewall");
      return { arn: firewall.webAcl.attrArn, firewall };
    }
    case "existing":
      return { arn: source.arn };
    case "companion":
      return { arn: readWebAclArn(scope, source.parameterName) };
  }
};

/**
 * Reads the companion's parameter across regions at deploy time (CloudFormation cannot reference
 * another region's resources). The web ACL keeps its ARN when its rules change (they are updated
 * in place), so the value read at the first deploy stays right.
 */
const readWebAclArn = (scope: Construct, parameterName: string): string => {
  const stack = Stack.of(scope);
  const parameterArn = stack.formatArn({
    service: "ssm",
    region: EDGE_FIREWALL_REGION,
    resource: "parameter",
    resourceName: parameterName.slice(1),
  });
  const reader = new cr.AwsCustomResource(scope, "EdgeWebAclArn", {
    onUpdate: {
      service: "SSM",
      action: "getParameter",
      parameters: { Name: parameterName },
      region: EDGE_FIREWALL_REGION,
      physicalResourceId: cr.PhysicalResourceId.of(parameterName),
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameterArn] }),
    installLatestAwsSdk: false,
    // Its own log group and role like every function's: no AWS managed policy.
    ...deployTimeFunctionRole(scope, "EdgeWebAclArnReader"),
  });
  return reader.getResponseField("Parameter.Value");
};

export interface EdgeFirewallStackProps extends StackProps {
  /** The parameter the main stack reads (webAclArnParameterName). */
  parameterName: string;
  /** An SNS topic (SSL only) for the blocked-requests alarm, with this address subscribed. */
  alarmEmail: string | undefined;
}

/** The companion stack in us-east-1 for a main stack elsewhere: the firewall and its alarm. */
export class EdgeFirewallStack extends Stack {
  readonly firewall: EdgeFirewall;

  constructor(scope: Construct, id: string, props: EdgeFirewallStackProps) {
    super(scope, id, props);
    this.firewall = new EdgeFirewall(this, "EdgeFirewall");
    new ssm.StringParameter(this, "WebAclArn", {
      parameterName: props.parameterName,
      stringValue: this.firewall.webAcl.attrArn,
      description: "ARN of the CloudFront web ACL, read by the service's stack in its own region",
    });
    if (props.alarmEmail) {
      // The main stack's alarm topic is in its own region; an alarm notifies only its region's.
      const topic = new sns.Topic(this, "AlarmTopic", {
        displayName: "Shipped-cancellation edge alarms",
        enforceSSL: true,
      });
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      this.firewall.notify(topic);
    }
  }
}
