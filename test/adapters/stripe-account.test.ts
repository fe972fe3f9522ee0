// The Stripe account deployed: read from the Secrets Manager secret STRIPE_SECRET_ARN names (a
// mocked client), once per container, again after a failed read, never quoted in an error; local
// mode's account instead when one is set; none at all without either.
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ENV } from "../../functions/adapters/config.ts";
import { secretsManagerSdk } from "../../functions/adapters/sdk.ts";
import {
  parseStripeSecret,
  StripeSecretInvalidError,
  secretStripeAccount,
  stripeAccount,
  useStripeAccount,
} from "../../functions/adapters/stripe-account.ts";
import { errorFields } from "../../functions/app/error-fields.ts";

const { GetSecretValueCommand, SecretsManagerClient } = secretsManagerSdk();

const SECRET_KEY = "sk_live_51TheSecretKeyOfTheTest";
const WEBHOOK_SECRET = "whsec_TheSigningSecretOfTheTest";
const SECRET = JSON.stringify({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });

const arn = (name: string) =>
  `arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:${name}-AbCdEf`;

const throttled = () =>
  Object.assign(new Error("Rate exceeded"), {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400 },
  });

const secretsManager = mockClient(SecretsManagerClient);
let arnBefore: string | undefined;

beforeEach(() => {
  secretsManager.reset();
  arnBefore = process.env[ENV.stripeSecretArn];
  delete process.env[ENV.stripeSecretArn];
  useStripeAccount(undefined);
});

afterEach(() => {
  if (arnBefore === undefined) delete process.env[ENV.stripeSecretArn];
  else process.env[ENV.stripeSecretArn] = arnBefore;
  useStripeAccount(undefined);
});

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
};

/** Everything an error could show in a log line or a rethrow. */
const everything = (error: Error): string =>
  [
    error.message,
    String(error),
    error.stack ?? "",
    JSON.stringify(error),
    JSON.stringify(errorFields(error)),
  ].join("\n");

describe("stripeAccount", () => {
  it("without STRIPE_SECRET_ARN or a local account: undefined, and Secrets Manager is never asked", async () => {
    expect(await stripeAccount()).toBeUndefined();
    expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it("reads the secret STRIPE_SECRET_ARN names once, and keeps the account for the container's life", async () => {
    const secretArn = arn("stripe-once");
    process.env[ENV.stripeSecretArn] = secretArn;
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const [first, second] = await Promise.all([stripeAccount(), stripeAccount()]);
    const third = await stripeAccount();
    expect(first).toEqual({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: secretArn,
    });
  });

  it("a failed read is tried again on the next call, then kept", async () => {
    process.env[ENV.stripeSecretArn] = arn("stripe-retry");
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(throttled())
      .resolves({ SecretString: SECRET });
    await expect(stripeAccount()).rejects.toMatchObject({ name: "ThrottlingException" });
    await expect(stripeAccount()).resolves.toMatchObject({ secretKey: SECRET_KEY });
    await stripeAccount();
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it("local mode's account wins over the secret: the stand-in's address, no read", async () => {
    process.env[ENV.stripeSecretArn] = arn("stripe-local");
    const local = {
      secretKey: "sk_test_local",
      webhookSecret: "whsec_local",
      host: "127.0.0.1",
      port: 4010,
      protocol: "http" as const,
    };
    useStripeAccount(local);
    expect(await stripeAccount()).toEqual(local);
    expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
  });
});

describe("secretStripeAccount", () => {
  it("a secret that is not the account fails by name without quoting it, and is read again once fixed", async () => {
    const read = secretStripeAccount(arn("stripe-bad"), new SecretsManagerClient({}));
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: `{"secretKey":"${SECRET_KEY}",` })
      .resolves({ SecretString: SECRET });
    const error = await rejection(read());
    expect(error).toBeInstanceOf(StripeSecretInvalidError);
    expect(error).toMatchObject({ name: "StripeSecretInvalid" });
    expect(everything(error)).not.toContain("TheSecretKeyOfTheTest");
    await expect(read()).resolves.toEqual({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  });
});

describe("parseStripeSecret", () => {
  it.each([
    ["no SecretString (a binary secret)", undefined],
    ["not JSON", `secretKey=${SECRET_KEY}`],
    ["a JSON string", JSON.stringify(SECRET_KEY)],
    ["an array", JSON.stringify([SECRET_KEY, WEBHOOK_SECRET])],
    ["no webhookSecret", JSON.stringify({ secretKey: SECRET_KEY })],
    [
      "a publishable key for the secret key",
      JSON.stringify({ secretKey: "pk_live_TheSecretKeyOfTheTest", webhookSecret: WEBHOOK_SECRET }),
    ],
    ["the two swapped", JSON.stringify({ secretKey: WEBHOOK_SECRET, webhookSecret: SECRET_KEY })],
  ])("%s: StripeSecretInvalid, with neither value in the error", (_, text) => {
    let error: Error | undefined;
    try {
      parseStripeSecret(text);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toBeInstanceOf(StripeSecretInvalidError);
    const shown = everything(error as Error);
    expect(shown).not.toContain("TheSecretKeyOfTheTest");
    expect(shown).not.toContain("TheSigningSecretOfTheTest");
  });

  it("takes secret and restricted keys, live and test, and only the two values", () => {
    for (const secretKey of ["sk_test_abc", "sk_live_abc", "rk_live_abc", "rk_test_abc"]) {
      expect(
        parseStripeSecret(JSON.stringify({ secretKey, webhookSecret: "whsec_x", note: "n" })),
      ).toEqual({ secretKey, webhookSecret: "whsec_x" });
    }
  });
});
