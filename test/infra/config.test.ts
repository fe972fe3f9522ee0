// Deployment settings from CDK context: defaults, the forms the CLI and cdk.json give, and the
// mistakes that must fail the synth rather than the first request.
import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, mergePolicy } from "../../functions/domain/policy.ts";
import { readConfig } from "../../infra/config.ts";

const WEB_ACL_ARN =
  "arn:aws:wafv2:us-east-1:123456789012:global/webacl/shared-edge/a1b2c3d4-5678-90ab-cdef-0123456789ab";

const STRIPE_SECRET_ARN =
  "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shipped-cancellation/stripe-AbC123";

const read = (context: Record<string, unknown> = {}) => readConfig(new App({ context }).node);

describe("readConfig", () => {
  it("defaults: protected data, example sender verified as an address, default policy", () => {
    expect(read()).toEqual({
      protectData: true,
      mailFrom: "no-reply@example.com",
      mailIdentity: { kind: "email", name: "no-reply@example.com" },
      operatorEmails: [],
      policy: DEFAULT_POLICY,
      alarmEmail: undefined,
      authDomainPrefix: undefined,
      consoleOrigin: undefined,
      edgeWebAclArn: undefined,
      sellerMfa: true,
      stripeSecretArn: undefined,
      carriers: ["yamato", "sagawa", "japanpost"],
      auditRetentionYears: 7,
    });
  });

  it("auditRetentionYears: whole years from 1 to 100, as a number or the CLI's string", () => {
    expect(read({ auditRetentionYears: 10 }).auditRetentionYears).toBe(10);
    expect(read({ auditRetentionYears: "1" }).auditRetentionYears).toBe(1);
    expect(read({ auditRetentionYears: 100 }).auditRetentionYears).toBe(100);
    for (const bad of [0, 101, 7.5, "seven", "-3", true]) {
      expect(() => read({ auditRetentionYears: bad }), String(bad)).toThrow(
        /context "auditRetentionYears": must be a whole number of years from 1 to 100/,
      );
    }
  });

  it("carriers: a list, a JSON list or comma separated; codes, each once, at least one", () => {
    expect(read({ carriers: ["yamato", "seino"] }).carriers).toEqual(["yamato", "seino"]);
    expect(read({ carriers: "yamato, sagawa" }).carriers).toEqual(["yamato", "sagawa"]);
    expect(read({ carriers: '["dhl","ups"]' }).carriers).toEqual(["dhl", "ups"]);
    expect(() => read({ carriers: "Yamato" })).toThrow(
      /context "carriers": "Yamato" is not a carrier code/,
    );
    expect(() => read({ carriers: "japan-post" })).toThrow(/is not a carrier code/);
    expect(() => read({ carriers: ["yamato", 7] })).toThrow(/"7" is not a carrier code/);
    expect(() => read({ carriers: "yamato,yamato" })).toThrow(/"yamato" is listed twice/);
    expect(() => read({ carriers: [] })).toThrow(/name at least one carrier/);
    expect(() => read({ carriers: "[yamato" })).toThrow(/context "carriers": is not valid JSON/);
    const many = Array.from({ length: 21 }, (_, i) => `carrier${i}`);
    expect(() => read({ carriers: many })).toThrow(/at most 20 carriers/);
  });

  it("sellerMfa: sellers need an authenticator unless the deployment says false", () => {
    expect(read({ sellerMfa: false }).sellerMfa).toBe(false);
    expect(read({ sellerMfa: "false" }).sellerMfa).toBe(false);
    expect(read({ sellerMfa: "true" }).sellerMfa).toBe(true);
    expect(() => read({ sellerMfa: "no" })).toThrow(/context "sellerMfa": must be true or false/);
  });

  it("edgeWebAclArn: a CloudFront (global, us-east-1) web ACL's ARN", () => {
    expect(read({ edgeWebAclArn: WEB_ACL_ARN }).edgeWebAclArn).toBe(WEB_ACL_ARN);
  });

  it("stripeSecretArn: a secret's complete ARN, as create-secret prints it", () => {
    expect(read({ stripeSecretArn: STRIPE_SECRET_ARN }).stripeSecretArn).toBe(STRIPE_SECRET_ARN);
    expect(read({ stripeSecretArn: "" }).stripeSecretArn).toBeUndefined();
  });

  it("consoleOrigin: an https origin, or http on the developer's machine", () => {
    expect(read({ consoleOrigin: "https://console.example.jp" }).consoleOrigin).toBe(
      "https://console.example.jp",
    );
    expect(read({ consoleOrigin: "http://localhost:5173" }).consoleOrigin).toBe(
      "http://localhost:5173",
    );
  });

  it("takes the strings `-c key=value` gives as well as cdk.json's JSON values", () => {
    const fromCli = read({
      protectData: "false",
      operatorEmails: "a@example.com, b@example.com",
      policy: '{"cancellationWindowDays":7}',
    });
    const fromJson = read({
      protectData: false,
      operatorEmails: ["a@example.com", "b@example.com"],
      policy: { cancellationWindowDays: 7 },
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.protectData).toBe(false);
    expect(fromCli.operatorEmails).toEqual(["a@example.com", "b@example.com"]);
    expect(fromCli.policy).toEqual(mergePolicy({ cancellationWindowDays: 7 }));
  });

  it("mailDomain makes the domain the identity", () => {
    expect(read({ mailDomain: "shop.example.jp", mailFrom: "info@shop.example.jp" })).toMatchObject(
      {
        mailFrom: "info@shop.example.jp",
        mailIdentity: { kind: "domain", name: "shop.example.jp" },
      },
    );
  });

  it.each([
    [{ policy: { cancellationWindowDays: 0 } }, /context "policy": invalid policy/],
    [{ policy: "{not json" }, /context "policy": is not valid JSON/],
    [{ policy: [1] }, /context "policy": policy overrides must be a JSON object/],
    [{ protectData: "no" }, /context "protectData": must be true or false/],
    [{ mailFrom: "someone" }, /context "mailFrom"/],
    [{ mailFrom: "a@example.com\r\nBcc: x@evil.test" }, /context "mailFrom"/],
    [{ mailDomain: "example.com", mailFrom: "a@other.test" }, /not an address in mailDomain/],
    [{ mailDomain: "not a domain" }, /context "mailDomain"/],
    [{ operatorEmails: "ops@example.com,oops" }, /context "operatorEmails"/],
    [{ alarmEmail: 42 }, /context "alarmEmail": must be a string/],
    [{ authDomainPrefix: "Has_Upper" }, /context "authDomainPrefix"/],
    [{ consoleOrigin: "console.example.jp" }, /context "consoleOrigin": .* is not an origin/],
    [{ consoleOrigin: "http://console.example.jp" }, /context "consoleOrigin": .* must be https/],
    [{ consoleOrigin: "https://console.example.jp/" }, /write it as https:\/\/console.example.jp/],
    [{ consoleOrigin: "https://console.example.jp/app" }, /context "consoleOrigin"/],
    [{ consoleOrigin: "*" }, /context "consoleOrigin"/],
    // A regional web ACL cannot be attached to CloudFront.
    [
      { edgeWebAclArn: WEB_ACL_ARN.replace(":global/", ":regional/") },
      /context "edgeWebAclArn": .* is not the ARN of a CloudFront web ACL/,
    ],
    [{ edgeWebAclArn: WEB_ACL_ARN.replace("us-east-1", "ap-northeast-1") }, /"edgeWebAclArn"/],
    [{ edgeWebAclArn: "shared-edge" }, /context "edgeWebAclArn"/],
    // The grant names the secret's ARN exactly: a name or a partial ARN (no suffix) would match none.
    [
      { stripeSecretArn: "shipped-cancellation/stripe" },
      /context "stripeSecretArn": .* is not the complete ARN of a Secrets Manager secret/,
    ],
    [{ stripeSecretArn: STRIPE_SECRET_ARN.replace(/-AbC123$/, "") }, /"stripeSecretArn"/],
    [
      { stripeSecretArn: STRIPE_SECRET_ARN.replace(":secret:", ":parameter/") },
      /"stripeSecretArn"/,
    ],
    [{ stripeSecretArn: `${STRIPE_SECRET_ARN}*` }, /"stripeSecretArn"/],
    [{ stripeSecretArn: { arn: STRIPE_SECRET_ARN } }, /"stripeSecretArn": must be a string/],
  ])("rejects %j", (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});
