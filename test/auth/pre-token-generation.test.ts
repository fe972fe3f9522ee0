// The pre-token-generation trigger on a mocked Cognito: staff groups stay in the tokens of a user
// with TOTP turned on, are held back (and named in a claim) for one without, buyers' tokens pass
// without a Cognito call, sellers count as staff only when the deployment says so, and a failed
// look-up fails the sign-in instead of issuing a staff token unchecked.
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import type { PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHandler, handler } from "../../functions/auth/pre-token-generation.ts";
import { GROUPS_AWAITING_MFA_CLAIM, MFA_GROUPS_ENV } from "../../functions/auth/staff-mfa.ts";

const POOL = "ap-northeast-1_Example";

/** A V2 event as Cognito sends it for a hosted-login sign-in, response not yet filled. */
const tokenEvent = (userName: string, groups: string[]): PreTokenGenerationV2TriggerEvent =>
  ({
    version: "2",
    triggerSource: "TokenGeneration_HostedAuth",
    region: "ap-northeast-1",
    userPoolId: POOL,
    userName,
    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "console-client" },
    request: {
      userAttributes: { sub: "7d4e1c2a-sub", email: userName, email_verified: "true" },
      groupConfiguration: {
        groupsToOverride: groups,
        iamRolesToOverride: [],
        preferredRole: undefined,
      },
      scopes: ["openid"],
    },
    response: { claimsAndScopeOverrideDetails: null },
  }) as unknown as PreTokenGenerationV2TriggerEvent;

const enrolled = {
  Username: "x",
  UserMFASettingList: ["SOFTWARE_TOKEN_MFA"],
  PreferredMfaSetting: "SOFTWARE_TOKEN_MFA",
};
const notEnrolled = { Username: "x", UserAttributes: [] };

const setUp = (mfaGroups: string[]) => {
  const client = new CognitoIdentityProviderClient({ region: "ap-northeast-1" });
  const cognito = mockClient(client);
  const trigger = createHandler({ cognito: () => client, mfaGroups: () => mfaGroups });
  return { cognito, trigger };
};

const STAFF = ["operators", "sellers"];

describe("pre-token generation", () => {
  beforeEach(() => {
    // The trigger's log lines (Powertools writes them to stdout and stderr) are read by one test.
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it("an operator with TOTP turned on keeps the group (the token is left as Cognito made it)", async () => {
    const { cognito, trigger } = setUp(STAFF);
    cognito.on(AdminGetUserCommand).resolves(enrolled);
    const event = tokenEvent("op@example.jp", ["operators"]);

    const result = await trigger(event);

    expect(result.response.claimsAndScopeOverrideDetails).toBeNull();
    expect(cognito.commandCalls(AdminGetUserCommand).map((call) => call.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: "op@example.jp" },
    ]);
  });

  it("an operator without TOTP loses the group and the token names it as awaiting MFA", async () => {
    const { cognito, trigger } = setUp(STAFF);
    cognito.on(AdminGetUserCommand).resolves(notEnrolled);

    const result = await trigger(tokenEvent("op@example.jp", ["operators"]));

    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      groupOverrideDetails: {
        groupsToOverride: [],
        iamRolesToOverride: [],
        preferredRole: undefined,
      },
      accessTokenGeneration: {
        claimsToAddOrOverride: { [GROUPS_AWAITING_MFA_CLAIM]: "operators" },
      },
    });
  });

  it("an operator who has only set TOTP up without turning it on is not enrolled", async () => {
    // VerifySoftwareToken without SetUserMFAPreference: Cognito would not ask for a code.
    const { cognito, trigger } = setUp(STAFF);
    cognito.on(AdminGetUserCommand).resolves({ Username: "x", UserMFASettingList: [] });
    const result = await trigger(tokenEvent("op@example.jp", ["operators"]));
    expect(
      result.response.claimsAndScopeOverrideDetails?.groupOverrideDetails?.groupsToOverride,
    ).toEqual([]);
  });

  it("a person who is also a buyer keeps the buyer group while the staff groups wait", async () => {
    const { cognito, trigger } = setUp(STAFF);
    cognito.on(AdminGetUserCommand).resolves(notEnrolled);
    const result = await trigger(tokenEvent("both@example.jp", ["buyers", "operators", "sellers"]));
    const details = result.response.claimsAndScopeOverrideDetails;
    expect(details?.groupOverrideDetails?.groupsToOverride).toEqual(["buyers"]);
    expect(details?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      [GROUPS_AWAITING_MFA_CLAIM]: "operators sellers",
    });
  });

  it("a buyer's token passes untouched, without asking Cognito anything", async () => {
    const { cognito, trigger } = setUp(STAFF);
    const result = await trigger(tokenEvent("buyer@example.jp", ["buyers"]));
    expect(result.response.claimsAndScopeOverrideDetails).toBeNull();
    expect(cognito.calls()).toHaveLength(0);
  });

  it("a user in no group passes untouched too", async () => {
    const { cognito, trigger } = setUp(STAFF);
    const event = tokenEvent("new@example.jp", []);
    event.request.groupConfiguration = {};
    const result = await trigger(event);
    expect(result.response.claimsAndScopeOverrideDetails).toBeNull();
    expect(cognito.calls()).toHaveLength(0);
  });

  describe("sellers, as the deployment chooses (context sellerMfa)", () => {
    it("counted as staff: a seller without TOTP loses the group", async () => {
      const { cognito, trigger } = setUp(["operators", "sellers"]);
      cognito.on(AdminGetUserCommand).resolves(notEnrolled);
      const result = await trigger(tokenEvent("shop@example.jp", ["sellers"]));
      const details = result.response.claimsAndScopeOverrideDetails;
      expect(details?.groupOverrideDetails?.groupsToOverride).toEqual([]);
      expect(details?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
        [GROUPS_AWAITING_MFA_CLAIM]: "sellers",
      });
    });

    it("not counted: a seller without TOTP keeps the group, and Cognito is not asked", async () => {
      const { cognito, trigger } = setUp(["operators"]);
      const result = await trigger(tokenEvent("shop@example.jp", ["sellers"]));
      expect(result.response.claimsAndScopeOverrideDetails).toBeNull();
      expect(cognito.calls()).toHaveLength(0);
    });

    it("not counted: an operator who is also a seller loses only the operators group", async () => {
      const { cognito, trigger } = setUp(["operators"]);
      cognito.on(AdminGetUserCommand).resolves(notEnrolled);
      const result = await trigger(tokenEvent("both@example.jp", ["sellers", "operators"]));
      const details = result.response.claimsAndScopeOverrideDetails;
      expect(details?.groupOverrideDetails?.groupsToOverride).toEqual(["sellers"]);
      expect(details?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
        [GROUPS_AWAITING_MFA_CLAIM]: "operators",
      });
    });
  });

  it("a failed look-up fails the sign-in, with a message that tells the user nothing internal", async () => {
    const { cognito, trigger } = setUp(STAFF);
    cognito.on(AdminGetUserCommand).rejects(
      Object.assign(new Error("Rate exceeded for op@example.jp"), {
        name: "TooManyRequestsException",
        $metadata: { requestId: "req-1" },
      }),
    );
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
    }

    await expect(trigger(tokenEvent("op@example.jp", ["operators"]))).rejects.toThrow(
      /^MFA settings unavailable$/,
    );
    const logged = written.join("");
    expect(logged).toContain("TooManyRequestsException");
    expect(logged).toContain("req-1");
    expect(logged).not.toContain("op@example.jp");
  });

  it("the deployed handler reads the staff groups from MFA_GROUPS and asks Cognito through the SDK", async () => {
    const cognito = mockClient(CognitoIdentityProviderClient);
    cognito.on(AdminGetUserCommand).resolves(notEnrolled);
    vi.stubEnv(MFA_GROUPS_ENV, "operators");
    vi.stubEnv("AWS_REGION", "ap-northeast-1");
    try {
      const seller = await handler(tokenEvent("shop@example.jp", ["sellers"]));
      expect(seller.response.claimsAndScopeOverrideDetails).toBeNull();
      const operator = await handler(tokenEvent("op@example.jp", ["operators"]));
      expect(operator.response.claimsAndScopeOverrideDetails?.groupOverrideDetails).toMatchObject({
        groupsToOverride: [],
      });
      expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
      cognito.restore();
    }
  });
});
