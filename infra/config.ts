// The deployment's settings, read from CDK context (cdk.json or `cdk synth -c key=value`) and
// validated at synth time, so a bad value fails the synth instead of the first request.
//
// - `protectData` (default true): tables and user pool get deletion protection and RETAIN, log
//   groups RETAIN; false, for dev stacks: neither, and DESTROY.
// - `mailFrom` (default `no-reply@example.com`): the SES sender address (MAIL_FROM).
// - `mailDomain` (optional): verify this domain as the SES identity instead of the `mailFrom`
//   address (which must then be in it); the stack outputs its DKIM records.
// - `operatorEmails` (default none): operators' alert addresses, a list or comma separated.
// - `policy` (default `{}`): JSON object merged over the default policy (mergePolicy), POLICY_JSON.
// - `alarmEmail` (optional): an SNS topic for the alarms, with this address subscribed.
// - `authDomainPrefix` (default `shipped-cancellation-<account>`): Cognito domain prefix of the
//   token endpoint; set it when one account holds two stacks.
// - `consoleOrigin` (default none: no CORS): the web console's origin (`https://console.example.jp`),
//   the one origin the API answers CORS preflights for.
// - `edgeWebAclArn` (optional): an existing WAF web ACL (scope CLOUDFRONT, so in us-east-1) for the
//   CloudFront distribution, instead of the one the app creates (infra/edge-firewall.ts).
// - `sellerMfa` (default true): sellers, like operators, act in their role only once they have an
//   authenticator app (TOTP); false: only operators need one (docs/design.md, "Sign-in").
// - `stripeSecretArn` (optional): the complete ARN of the Secrets Manager secret holding the Stripe
//   account, JSON `{ "secretKey": "sk_…", "webhookSecret": "whsec_…" }` (docs/deploy.md). Without
//   it no function can call Stripe, and Stripe orders' card refunds fail as not configured.
// - `carriers` (default `["yamato", "sagawa", "japanpost"]`): the carriers that report parcels, a
//   list or comma separated, each a `shipment.carrier` code (lower-case letters and digits): one
//   client-credentials app client each, bound to that carrier (infra/auth.ts).
// - `auditRetentionYears` (default 7): how long each hourly seal of the audit chains stays locked
//   (S3 Object Lock, compliance mode: nobody, the account's root included, can delete or shorten
//   it), whole years from 1 to 100.
import type { Node } from "constructs";
import { mergePolicy, type Policy } from "../functions/domain/policy.ts";

export interface DeploymentConfig {
  protectData: boolean;
  mailFrom: string;
  /** The SES identity: the `mailDomain` when given, otherwise the `mailFrom` address. */
  mailIdentity: { kind: "domain" | "email"; name: string };
  operatorEmails: string[];
  policy: Policy;
  alarmEmail: string | undefined;
  authDomainPrefix: string | undefined;
  /** The one browser origin allowed to call the API (CORS); undefined: no CORS at all. */
  consoleOrigin: string | undefined;
  /** An existing CloudFront web ACL to attach; undefined: the app creates its own. */
  edgeWebAclArn: string | undefined;
  /** Whether the `sellers` group, like `operators`, needs TOTP before tokens carry it. */
  sellerMfa: boolean;
  /** The Stripe account's secret; undefined: no Stripe (ledger only). */
  stripeSecretArn: string | undefined;
  /** Carrier codes, each with an app client that may report only on its parcels. */
  carriers: string[];
  /** Years each audit seal stays locked in compliance mode. */
  auditRetentionYears: number;
}

/** The carriers the marketplace hands parcels to, unless context says otherwise. */
export const DEFAULT_CARRIERS = ["yamato", "sagawa", "japanpost"] as const;

/**
 * At most this many carriers: each is an app client the API's JWT authorizer lists among its
 * audiences, and a list this long is a mistake rather than a marketplace's carriers.
 */
export const MAX_CARRIERS = 20;

/** One address, nothing that could smuggle a second header or recipient. */
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const COGNITO_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A WAFv2 web ACL for CloudFront: global scope, which only exists in us-east-1. */
const CLOUDFRONT_WEB_ACL_ARN =
  /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;
/**
 * A secret's complete ARN: its name and the six characters Secrets Manager appends. The grant
 * names exactly this secret, so a partial ARN (no suffix) would grant nothing that matches.
 */
/** A carrier code as `shipment.carrier` holds it (yamato): it also names its client and output. */
const CARRIER_CODE = /^[a-z][a-z0-9]{0,31}$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]{1,512}-[A-Za-z0-9]{6}$/;

const fail = (key: string, message: string): never => {
  throw new Error(`context "${key}": ${message}`);
};

// `-c key=value` on the command line always yields a string; cdk.json yields JSON values.
const parseJson = (key: string, raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return fail(key, "is not valid JSON");
  }
};

const readBoolean = (node: Node, key: string, fallback: boolean): boolean => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined) return fallback;
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  return fail(key, "must be true or false");
};

const readString = (node: Node, key: string): string | undefined => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string") return fail(key, "must be a string");
  return raw.trim();
};

const readEmail = (node: Node, key: string): string | undefined => {
  const value = readString(node, key);
  if (value !== undefined && !EMAIL.test(value)) fail(key, `"${value}" is not an email address`);
  return value;
};

const readEmailList = (node: Node, key: string): string[] => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === "") return [];
  const list: unknown[] = Array.isArray(raw)
    ? raw
    : typeof raw === "string"
      ? raw.split(",")
      : fail(key, "must be an array or a comma-separated string");
  return list.map((item) => {
    const address = typeof item === "string" ? item.trim() : "";
    if (!EMAIL.test(address)) fail(key, `"${String(item)}" is not an email address`);
    return address;
  });
};

const readPolicy = (node: Node): Policy => {
  const raw: unknown = node.tryGetContext("policy");
  const overrides = typeof raw === "string" ? parseJson("policy", raw) : (raw ?? {});
  try {
    return mergePolicy(overrides);
  } catch (error) {
    return fail("policy", (error as Error).message);
  }
};

/**
 * An origin exactly as browsers send it: `https://host[:port]`, no path, no wildcard; plain http
 * only for a console on the developer's own machine.
 */
const readOrigin = (node: Node, key: string): string | undefined => {
  const value = readString(node, key);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(key, `"${value}" is not an origin like https://console.example.com`);
  }
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    fail(key, `"${value}" must be https (http only for localhost)`);
  }
  if (url.origin !== value) {
    fail(key, `"${value}" is not an origin: write it as ${url.origin} (no path or trailing slash)`);
  }
  return value;
};

const readWebAclArn = (node: Node, key: string): string | undefined => {
  const value = readString(node, key);
  if (value !== undefined && !CLOUDFRONT_WEB_ACL_ARN.test(value)) {
    fail(
      key,
      `"${value}" is not the ARN of a CloudFront web ACL (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)`,
    );
  }
  return value;
};

const readSecretArn = (node: Node, key: string): string | undefined => {
  const value = readString(node, key);
  if (value !== undefined && !SECRET_ARN.test(value)) {
    fail(
      key,
      `"${value}" is not the complete ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, as create-secret prints it)`,
    );
  }
  return value;
};

const readCarriers = (node: Node): string[] => {
  const raw: unknown = node.tryGetContext("carriers");
  if (raw === undefined) return [...DEFAULT_CARRIERS];
  // `-c carriers='["yamato","sagawa"]'` arrives as a string, as does `-c carriers=yamato,sagawa`.
  const value =
    typeof raw === "string" && raw.trim().startsWith("[") ? parseJson("carriers", raw) : raw;
  const list: unknown[] = Array.isArray(value)
    ? value
    : typeof value === "string"
      ? value.split(",")
      : fail("carriers", "must be an array or a comma-separated string");
  const carriers = list.map((item) => {
    const code = typeof item === "string" ? item.trim() : "";
    if (!CARRIER_CODE.test(code)) {
      fail("carriers", `"${String(item)}" is not a carrier code (lower-case letters and digits)`);
    }
    return code;
  });
  if (carriers.length === 0) fail("carriers", "name at least one carrier");
  if (carriers.length > MAX_CARRIERS) fail("carriers", `at most ${MAX_CARRIERS} carriers`);
  const repeated = carriers.find((code, index) => carriers.indexOf(code) !== index);
  if (repeated !== undefined) fail("carriers", `"${repeated}" is listed twice`);
  return carriers;
};

/** Object Lock's default retention in years: S3 takes 1 to 100. */
const readRetentionYears = (node: Node, key: string, fallback: number): number => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === "") return fallback;
  const value = typeof raw === "string" ? Number(raw.trim()) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100) {
    return fail(key, "must be a whole number of years from 1 to 100");
  }
  return value;
};

export const readConfig = (node: Node): DeploymentConfig => {
  const mailFrom = readEmail(node, "mailFrom") ?? "no-reply@example.com";
  const mailDomain = readString(node, "mailDomain");
  if (mailDomain !== undefined) {
    if (!DOMAIN.test(mailDomain)) fail("mailDomain", `"${mailDomain}" is not a domain name`);
    // SES authorizes the sender by the identity that covers it: the address must be in the domain.
    if (!mailFrom.toLowerCase().endsWith(`@${mailDomain.toLowerCase()}`)) {
      fail("mailFrom", `"${mailFrom}" is not an address in mailDomain "${mailDomain}"`);
    }
  }
  const authDomainPrefix = readString(node, "authDomainPrefix");
  if (authDomainPrefix !== undefined && !COGNITO_PREFIX.test(authDomainPrefix)) {
    fail("authDomainPrefix", "use lowercase letters, digits and hyphens");
  }
  return {
    protectData: readBoolean(node, "protectData", true),
    mailFrom,
    mailIdentity:
      mailDomain !== undefined
        ? { kind: "domain", name: mailDomain }
        : { kind: "email", name: mailFrom },
    operatorEmails: readEmailList(node, "operatorEmails"),
    policy: readPolicy(node),
    alarmEmail: readEmail(node, "alarmEmail"),
    authDomainPrefix,
    consoleOrigin: readOrigin(node, "consoleOrigin"),
    edgeWebAclArn: readWebAclArn(node, "edgeWebAclArn"),
    sellerMfa: readBoolean(node, "sellerMfa", true),
    stripeSecretArn: readSecretArn(node, "stripeSecretArn"),
    carriers: readCarriers(node),
    auditRetentionYears: readRetentionYears(node, "auditRetentionYears", 7),
  };
};
