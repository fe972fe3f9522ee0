// Local stand-in for Cognito's tokens and the HTTP API's JWT authorizer: a signing key made at
// start-up, tokens minted on request, and verification of signature, issuer, audience and expiry.
import { errors, exportJWK, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from "jose";

export const LOCAL_ISSUER = "http://127.0.0.1/_local/issuer";
export const LOCAL_CLIENT_ID = "local-client";
const TOKEN_LIFETIME_SECONDS = 3600;

export interface TokenRequest {
  sub: string;
  groups?: string[];
  scopes?: string[];
  /** The carrier a carrier client reports for (the `carrier` claim); none: any carrier. */
  carrier?: string;
}

export interface VerifiedToken {
  claims: JWTPayload & Record<string, unknown>;
  scopes: string[];
}

export class LocalTokens {
  private constructor(
    private readonly keys: Awaited<ReturnType<typeof generateKeyPair>>,
    private readonly keyId: string,
  ) {}

  static async create(): Promise<LocalTokens> {
    const keys = await generateKeyPair("RS256");
    const jwk = await exportJWK(keys.publicKey);
    return new LocalTokens(keys, `local-${String(jwk.n).slice(0, 8)}`);
  }

  /**
   * An access token shaped like Cognito's: `client_id` (no `aud`), groups, space-separated scope;
   * plus, for a carrier's client, the `carrier` claim that stands in for the deployed stack's one
   * app client per carrier (functions/http/caller.ts).
   */
  async mint(request: TokenRequest): Promise<string> {
    const payload: JWTPayload & Record<string, unknown> = {
      client_id: LOCAL_CLIENT_ID,
      token_use: "access",
      ...(request.groups?.length ? { "cognito:groups": request.groups } : {}),
      ...(request.scopes?.length ? { scope: request.scopes.join(" ") } : {}),
      ...(request.carrier ? { carrier: request.carrier } : {}),
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", kid: this.keyId })
      .setSubject(request.sub)
      .setIssuer(LOCAL_ISSUER)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
      .sign(this.keys.privateKey);
  }

  /**
   * Verifies as API Gateway's JWT authorizer does: signature, `iss`, `exp`/`nbf`, and `aud` or
   * `client_id` among the audiences. Returns undefined for any invalid token.
   */
  async verify(
    token: string,
    audiences: string[] = [LOCAL_CLIENT_ID],
  ): Promise<VerifiedToken | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        issuer: LOCAL_ISSUER,
        algorithms: ["RS256"],
        requiredClaims: ["exp", "sub"],
      });
      const audience = [payload.aud, payload.client_id].flat().filter(Boolean);
      if (!audience.some((value) => audiences.includes(String(value)))) return undefined;
      const scope = typeof payload.scope === "string" ? payload.scope : "";
      return { claims: payload, scopes: scope.split(" ").filter(Boolean) };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
