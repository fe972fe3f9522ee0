// Cognito's pre-token-generation trigger (event version 2: ID and access tokens), on every sign-in
// and refresh. Staff groups (MFA_GROUPS: operators and, by the deployment's choice, sellers) stay
// in a token only when the user has TOTP turned on: with MFA optional in the pool, such a user is
// challenged at every sign-in, so enrolment is what this checks. A user without it gets the token
// without those groups and a claim naming them, which sends the console to enrolment. Buyers' tokens
// pass untouched and never wait for a Cognito call. Flow: staff groups? → AdminGetUser → override.
import { createRequire } from "node:module";
import { Logger } from "@aws-lambda-powertools/logger";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { GROUPS_AWAITING_MFA_CLAIM, groupList, MFA_GROUPS_ENV, splitGroups } from "./staff-mfa.ts";

// Required, not imported: an ES module importing the CommonJS SDK scans its whole source at cold
// start (functions/adapters/sdk.ts). Loaded on the first staff token only.
const requireSdk = createRequire(import.meta.url);
const cognitoSdk = () =>
  requireSdk(
    "@aws-sdk/client-cognito-identity-provider",
  ) as typeof import("@aws-sdk/client-cognito-identity-provider");

const logger = new Logger();

export interface PreTokenGenerationDeps {
  cognito: () => CognitoIdentityProviderClient;
  /** The groups that need TOTP. */
  mfaGroups: () => readonly string[];
}

/** Whether the user has TOTP turned on (it is then among the MFA settings Cognito enforces). */
const hasTotp = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  userName: string,
): Promise<boolean> => {
  const { AdminGetUserCommand } = cognitoSdk();
  const user = await cognito.send(
    new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userName }),
  );
  return (user.UserMFASettingList ?? []).includes("SOFTWARE_TOKEN_MFA");
};

export const createHandler =
  (deps: PreTokenGenerationDeps) =>
  async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const groups = event.request.groupConfiguration.groupsToOverride ?? [];
    const mfaGroups = deps.mfaGroups();
    if (!groups.some((group) => mfaGroups.includes(group))) return event;
    let totp: boolean;
    try {
      totp = await hasTotp(deps.cognito(), event.userPoolId, event.userName);
    } catch (error) {
      // The sign-in fails and can be tried again: a staff token is never issued unchecked. By
      // name and request id only (the user name is an email address).
      const failure = error as { name?: string; $metadata?: { requestId?: string } };
      logger.error("could not read the user's MFA settings", {
        sub: event.request.userAttributes.sub,
        error: { name: failure.name, awsRequestId: failure.$metadata?.requestId },
      });
      throw new Error("MFA settings unavailable");
    }
    const { kept, held } = splitGroups(groups, mfaGroups, totp);
    if (held.length === 0) return event;
    logger.info("staff groups held back until an authenticator is enrolled", {
      sub: event.request.userAttributes.sub,
      held,
      trigger: event.triggerSource,
    });
    event.response = {
      claimsAndScopeOverrideDetails: {
        // Both tokens lose the groups; the roles (if any) stay as Cognito chose them.
        groupOverrideDetails: { ...event.request.groupConfiguration, groupsToOverride: kept },
        accessTokenGeneration: {
          claimsToAddOrOverride: { [GROUPS_AWAITING_MFA_CLAIM]: held.join(" ") },
        },
      },
    };
    return event;
  };

let client: CognitoIdentityProviderClient | undefined;

export const handler = createHandler({
  cognito: () => {
    // Cognito waits 5 s for a trigger: one retry at most, then the sign-in fails.
    client ??= new (cognitoSdk().CognitoIdentityProviderClient)({ maxAttempts: 2 });
    return client;
  },
  mfaGroups: () => groupList(process.env[MFA_GROUPS_ENV]),
});
