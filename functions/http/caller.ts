// Who is calling: the JWT claims API Gateway's authorizer verified, and the route's access check.
import type { APIGatewayEventRequestContextJWTAuthorizer } from "aws-lambda";
import { HttpProblem } from "./problems.ts";
import { type Access, ROLE_GROUPS, type Role } from "./routes.ts";

export interface Caller {
  /** The token's `sub`: a user id, or a machine client's id for client-credentials tokens. */
  sub: string;
  roles: ReadonlySet<Role>;
  scopes: ReadonlySet<string>;
}

/** The caller of a public route that sent no token: its empty `sub` matches no id (ids are ≥ 1 char). */
export const ANONYMOUS: Caller = Object.freeze({
  sub: "",
  roles: new Set<Role>(),
  scopes: new Set<string>(),
});

type Claims = APIGatewayEventRequestContextJWTAuthorizer["jwt"]["claims"];
type ClaimValue = Claims[string] | undefined;

/**
 * A list-valued claim as API Gateway hands it over: HTTP APIs flatten arrays into a string such
 * as `[buyers sellers]`; a real array (or a JSON-style string) is accepted as well.
 */
export const claimList = (value: ClaimValue): string[] => {
  if (Array.isArray(value)) return value.filter((item) => typeof item === "string" && item !== "");
  if (typeof value !== "string") return [];
  const inner = value.trim().replace(/^\[/, "").replace(/\]$/, "");
  return inner
    .split(/[\s,]+/)
    .map((item) => item.replace(/^"|"$/g, ""))
    .filter((item) => item !== "");
};

const GROUP_ROLES = new Map<string, Role>(
  Object.entries(ROLE_GROUPS).map(([role, group]) => [group, role as Role]),
);

/**
 * The caller from verified claims, or undefined when there are none usable: no authorizer, no
 * `sub`, or an ID token (the API takes access tokens; ID tokens also carry groups).
 */
export const callerFromAuthorizer = (
  authorizer: Partial<APIGatewayEventRequestContextJWTAuthorizer> | undefined,
): Caller | undefined => {
  const jwt = authorizer?.jwt;
  const claims = jwt?.claims;
  if (!claims) return undefined;
  const sub = claims.sub;
  if (typeof sub !== "string" || sub.trim() === "") return undefined;
  if (claims.token_use !== undefined && claims.token_use !== "access") return undefined;
  const roles = new Set<Role>();
  for (const group of claimList(claims["cognito:groups"])) {
    const role = GROUP_ROLES.get(group);
    if (role) roles.add(role);
  }
  const scopes = new Set([...(jwt.scopes ?? []), ...claimList(claims.scope)]);
  return { sub, roles, scopes };
};

/** 401 without a usable token, 403 with the wrong role or scope; public routes need nothing. */
export const authorize = (access: Access, caller: Caller | undefined): Caller => {
  if (access.kind === "public") return caller ?? ANONYMOUS;
  if (!caller) throw new HttpProblem("UNAUTHORIZED", "a valid bearer access token is required");
  const allowed =
    access.kind === "roles"
      ? access.roles.some((role) => caller.roles.has(role))
      : caller.scopes.has(access.scope);
  if (!allowed) {
    const need =
      access.kind === "roles"
        ? `one of the roles ${access.roles.join(", ")}`
        : `the scope ${access.scope}`;
    throw new HttpProblem("FORBIDDEN", `this route needs ${need}`);
  }
  return caller;
};
