// Staff roles need an authenticator app; shoppers' do not. The pre-token-generation trigger holds
// the staff groups back from the tokens of a user without TOTP turned on and names them in a claim,
// which the console reads to walk that person through enrolment. No imports: the trigger, the CDK
// app and the browser console all share this module.

/** Access-token claim: the staff groups held back until the user enrols (space-separated). */
export const GROUPS_AWAITING_MFA_CLAIM = "groups_awaiting_mfa";

/** The trigger's environment variable: the groups that need TOTP (comma-separated). */
export const MFA_GROUPS_ENV = "MFA_GROUPS";

/**
 * The scope of Cognito's user API (AssociateSoftwareToken, VerifySoftwareToken, ...). The console
 * asks for it only to enrol an authenticator, never for everyday tokens.
 */
export const USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin";

/** What the console asks the hosted login for to enrol an authenticator (then revokes it). */
export const ENROLMENT_SCOPES = ["openid", USER_ADMIN_SCOPE] as const;

/** A comma- or space-separated list of group names, without blanks or repeats. */
export const groupList = (raw: string | undefined): string[] => [
  ...new Set((raw ?? "").split(/[\s,]+/).filter((group) => group !== "")),
];

/** Which of a user's groups the token keeps and which it holds back for want of TOTP. */
export const splitGroups = (
  groups: readonly string[],
  mfaGroups: readonly string[],
  hasTotp: boolean,
): { kept: string[]; held: string[] } => {
  if (hasTotp) return { kept: [...groups], held: [] };
  return {
    kept: groups.filter((group) => !mfaGroups.includes(group)),
    held: groups.filter((group) => mfaGroups.includes(group)),
  };
};
