// The three calls of Cognito's user API that enrol an authenticator app, made from the browser with
// the person's own access token (which must carry aws.cognito.signin.user.admin): the AWS JSON
// protocol, no AWS credentials. The endpoint is the token's issuer's origin (Session.userApi).

/** A refusal from Cognito: its exception's name (`CodeMismatchException`, ...). */
export class CognitoUserApiError extends Error {
  constructor(readonly type: string) {
    super(`Cognito answered ${type}`);
    this.name = "CognitoUserApiError";
  }
}

const call = async <T>(endpoint: string, operation: string, body: object): Promise<T> => {
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    // `__type` may come qualified (`…#CodeMismatchException`).
    const type = String(payload.__type ?? `HTTP${response.status}`)
      .split("#")
      .pop();
    throw new CognitoUserApiError(type ?? "Unknown");
  }
  return payload as T;
};

/** A new TOTP secret for the signed-in person (base32), not yet in force. */
export const associateSoftwareToken = async (endpoint: string, accessToken: string) => {
  const { SecretCode } = await call<{ SecretCode?: string }>(endpoint, "AssociateSoftwareToken", {
    AccessToken: accessToken,
  });
  if (!SecretCode) throw new CognitoUserApiError("NoSecretCode");
  return SecretCode;
};

/** Checks a code from the app against the secret; true when it matched. */
export const verifySoftwareToken = async (
  endpoint: string,
  accessToken: string,
  code: string,
  deviceName: string,
) => {
  const { Status } = await call<{ Status?: string }>(endpoint, "VerifySoftwareToken", {
    AccessToken: accessToken,
    UserCode: code,
    FriendlyDeviceName: deviceName,
  });
  return Status === "SUCCESS";
};

/** Turns TOTP on (and preferred): from now on every sign-in asks for a code. */
export const turnOnSoftwareToken = (endpoint: string, accessToken: string) =>
  call<object>(endpoint, "SetUserMFAPreference", {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });

/** The address authenticator apps take (Key Uri Format): `otpauth://totp/<issuer>:<account>?…`. */
export const otpauthUri = (issuer: string, account: string, secret: string) => {
  // Percent-encoding throughout (URLSearchParams would write a space as "+").
  const query = Object.entries({ secret, issuer, algorithm: "SHA1", digits: "6", period: "30" })
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join("&");
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?${query}`;
};

/** The secret in groups of four, easier to type (apps ignore the spaces). */
export const groupedSecret = (secret: string) => secret.match(/.{1,4}/g)?.join(" ") ?? secret;
