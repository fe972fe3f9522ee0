// The marketplace's Stripe account: its secret key and webhook signing secret, and where its API
// is. Deployed, both secrets come from AWS Secrets Manager (`STRIPE_SECRET_ARN`, a JSON secret
// `{ "secretKey": "sk_…", "webhookSecret": "whsec_…" }`), read once per cold start; local mode
// names its stand-in instead (`useStripeAccount`). Nothing here logs or throws the values: an
// error names what is wrong, never what the secret holds.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { secretsManager } from "./aws-clients.ts";
import { type ClientSource, clientOf } from "./client-source.ts";
import { ENV } from "./config.ts";
import { secretsManagerSdk } from "./sdk.ts";

export interface StripeAccount {
  secretKey: string;
  webhookSecret: string;
  /** The stand-in's address in local mode; Stripe's own API otherwise. */
  host?: string;
  port?: number;
  protocol?: "http" | "https";
}

/** The secret could not be used as the Stripe account; the message says why, not what it holds. */
export class StripeSecretInvalidError extends Error {
  override readonly name = "StripeSecretInvalid";
}

/** A secret key (`sk_…`) or a restricted key (`rk_…`), live or test. */
const SECRET_KEY = /^(sk|rk)_(live|test)_\S+$/;
const WEBHOOK_SECRET = /^whsec_\S+$/;

/** The account a secret's text names; throws without quoting it (JSON.parse's message would). */
export const parseStripeSecret = (text: string | undefined): StripeAccount => {
  if (text === undefined) {
    throw new StripeSecretInvalidError("the Stripe secret has no SecretString");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StripeSecretInvalidError("the Stripe secret is not a JSON object");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StripeSecretInvalidError("the Stripe secret is not a JSON object");
  }
  const { secretKey, webhookSecret } = value as Record<string, unknown>;
  if (typeof secretKey !== "string" || !SECRET_KEY.test(secretKey)) {
    throw new StripeSecretInvalidError("the Stripe secret's secretKey is not an sk_… or rk_… key");
  }
  if (typeof webhookSecret !== "string" || !WEBHOOK_SECRET.test(webhookSecret)) {
    throw new StripeSecretInvalidError("the Stripe secret's webhookSecret is not a whsec_… secret");
  }
  return { secretKey, webhookSecret };
};

/**
 * The account in the secret `secretArn`, read on the first call and kept; a failed read (Secrets
 * Manager throttled or out of reach, a secret not yet filled in) is tried again on the next call.
 */
export const secretStripeAccount = (
  secretArn: string,
  client: ClientSource<SecretsManagerClient>,
): (() => Promise<StripeAccount>) => {
  let account: Promise<StripeAccount> | undefined;
  const read = async (): Promise<StripeAccount> => {
    const { GetSecretValueCommand } = secretsManagerSdk();
    const secret = await (await clientOf(client)).send(
      new GetSecretValueCommand({ SecretId: secretArn }),
    );
    return parseStripeSecret(secret.SecretString);
  };
  return () => {
    account ??= read().catch((error: unknown) => {
      account = undefined;
      throw error;
    });
    return account;
  };
};

let configured: StripeAccount | undefined;
let deployed: { secretArn: string; account: () => Promise<StripeAccount> } | undefined;

/** Local mode and tests: the account to use instead of the deployment's secret. */
export const useStripeAccount = (account: StripeAccount | undefined): void => {
  configured = account;
};

/**
 * The account, or undefined where none is configured (ledger only): local mode's, else the
 * deployment's secret when the function was given one (only the functions that call Stripe are).
 */
export const stripeAccount = async (): Promise<StripeAccount | undefined> => {
  if (configured) return configured;
  const secretArn = process.env[ENV.stripeSecretArn];
  if (!secretArn) return undefined;
  if (deployed?.secretArn !== secretArn) {
    deployed = { secretArn, account: secretStripeAccount(secretArn, secretsManager) };
  }
  return deployed.account();
};
