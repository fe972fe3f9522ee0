// Who is calling: the JWT claims API Gateway's authorizer verified, the carrier a carrier client is
// bound to, and the route's access check.
import type { APIGatewayEventRequestContextJWTAuthorizer } from "aws-lambda";
import { HttpProblem } from "./problems.ts";
import { type Access, ROLE_GROUPS, type Role, type Scope } from "./routes.ts";

export interface Caller {
  /** The token's `sub`: a user id, or a machine client's id for client-credentials tokens. */
  sub: string;
  roles: ReadonlySet<Role>;
  scopes: ReadonlySet<string>;
  /**
   * For a carrier client (scope `carrier/events`): the carrier (`shipment.carrier`) it reports
   * for. Deployed, its app client's in the mapping (CARRIER_CLIENTS_ENV); locally, the token's
   * `carrier` claim. Absent: any carrier (a local token that names none). `null`: a deployed
   * client the mapping does not name, which may not report (403 on the carrier routes).
   */
  carrier?: string | null;
}

type Claims = APIGatewayEventRequestContextJWTAuthorizer["jwt"]["claims"];
type ClaimValue = Claims[string] | undefined;

/** The scope of carrier clients, whose tokens are bound to one carrier. */
const CARRIER_SCOPE: Scope = "carrier/events";

/**
 * The environment variable of the carrier routes' functions: a JSON object, app client id →
 * carrier code (`{ "6v1…": "yamato" }`), written by the stack (infra/api.ts). Unset (unit tests,
 * local mode) there is no mapping: a token's `carrier` claim binds it, and one without may report
 * for any carrier. Set, only the mapping binds (a claim is ignored), and a client missing from it
 * is bound to none.
 */
export const CARRIER_CLIENTS_ENV = "CARRIER_CLIENTS";

/** Client id → carrier code, as the deployment binds its carrier clients. */
export type CarrierClients = Readonly<Record<string, string>>;

let parsedClients: { raw: string; clients: CarrierClients } | undefined;

/** The mapping in the environment, or undefined when there is none (read once per value). */
export const carrierClientsFromEnv = (
  environment: NodeJS.ProcessEnv = process.env,
): CarrierClients | undefined => {
  const raw = environment[CARRIER_CLIENTS_ENV];
  if (raw === undefined || raw === "") return undefined;
  if (parsedClients?.raw === raw) return parsedClients.clients;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const valid =
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((carrier) => typeof carrier === "string" && carrier !== "");
  // A broken mapping binds nobody to anything: every carrier call fails (500, logged).
  if (!valid) throw new Error(`${CARRIER_CLIENTS_ENV} is not a JSON object of client id → carrier`);
  parsedClients = { raw, clients: value as CarrierClients };
  return parsedClients.clients;
};

/** The carrier a carrier client's token is bound to (see `Caller.carrier`). */
export const carrierOfToken = (
  claims: Claims,
  clients: CarrierClients | undefined,
): string | null | undefined => {
  if (clients) {
    const clientId = claims.client_id;
    return typeof clientId === "string" && Object.hasOwn(clients, clientId)
      ? (clients[clientId] as string)
      : null;
  }
  const claimed = claims.carrier;
  return typeof claimed === "string" && claimed !== "" ? claimed : undefined;
};

/** The carrier whose parcels the caller may report on; undefined: any (an unbound local token). */
export const boundCarrier = (caller: Caller): string | undefined => caller.carrier ?? undefined;

/** The caller of a public route that sent no token: its empty `sub` matches no id (ids are ≥ 1 char). */
export const ANONYMOUS: Caller = Object.freeze({
  sub: "",
  roles: new Set<Role>(),
  scopes: new Set<string>(),
});

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
  carrierClients: () => CarrierClients | undefined = carrierClientsFromEnv,
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
  if (!scopes.has(CARRIER_SCOPE)) return { sub, roles, scopes };
  return { sub, roles, scopes, carrier: carrierOfToken(claims, carrierClients()) };
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
  if (access.kind === "scope" && access.scope === CARRIER_SCOPE && caller.carrier === null) {
    throw new HttpProblem(
      "FORBIDDEN",
      "this client is bound to no carrier: report with the client issued for the parcel's carrier",
    );
  }
  return caller;
};
