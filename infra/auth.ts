// Who may call the API: a Cognito user pool for people (one group per role) who sign in to the web
// console through the hosted login (authorization code with PKCE) or with SRP, and OAuth resource
// servers whose scopes machine clients obtain with the client-credentials grant, one app client per
// calling system holding only its own scope (one per carrier, each bound to its carrier's parcels). MFA is optional in the pool; the staff groups reach a
// token only once their member has an authenticator app (the pre-token-generation trigger).
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { ENROLMENT_SCOPES, MFA_GROUPS_ENV } from "../functions/auth/staff-mfa.ts";
import { RESOURCE_SERVERS, ROLE_GROUPS } from "../functions/http/routes.ts";
import { createFunction } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";

/**
 * What the console asks the hosted login for every day: who signed in, nothing more. Roles are
 * groups; no attribute is read from the ID token, and without `aws.cognito.signin.user.admin` the
 * access token cannot call Cognito's user API (change attributes, MFA settings, delete the user).
 */
export const CONSOLE_SCOPES = ["openid"] as const;

/**
 * What people's app clients may read and write. An empty list would mean "every attribute" to
 * Cognito, so each names something. Nothing the API decides reads an attribute (a caller is its
 * `sub` and groups; recipients come from the order), so the clients read the address and whether it
 * is verified, and write only `locale` (nothing reads it). Not the email: a stolen access token must
 * not move where password resets go.
 */
const PEOPLE_READ = new cognito.ClientAttributes().withStandardAttributes({
  email: true,
  emailVerified: true,
});
const PEOPLE_WRITE = new cognito.ClientAttributes().withStandardAttributes({ locale: true });

/** The stack output naming a carrier's client id: `CarrierClientIdYamato` for `yamato`. */
export const carrierClientOutput = (carrier: string): string =>
  `CarrierClientId${carrier.charAt(0).toUpperCase()}${carrier.slice(1)}`;

export interface AuthProps {
  /** Deletion protection + RETAIN when true; DESTROY for dev stacks. */
  protectData: boolean;
  /** Prefix of the Cognito domain that serves the OAuth token endpoint. */
  domainPrefix: string;
  /** The console's address (`https://<domain>/`): where the hosted login sends people back. */
  consoleUrl: string;
  /** Sellers, like operators, need an authenticator app before their tokens carry the group. */
  sellersNeedMfa: boolean;
  /** Carrier codes (`shipment.carrier`): one carrier client each. */
  carriers: readonly string[];
}

export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  /** People: SRP sign-in only (the password never leaves the device), no secret. */
  readonly userClient: cognito.UserPoolClient;
  /** The web console: the hosted login's authorization code with PKCE, no secret (a browser app). */
  readonly consoleClient: cognito.UserPoolClient;
  /** The marketplace's order system: client credentials with a secret, scope `orders/write` only. */
  readonly orderSystemClient: cognito.UserPoolClient;
  /**
   * The carriers' feeds, by carrier code: client credentials with a secret, scope
   * `carrier/events` only, each bound to its carrier's parcels by the API (`carrierClientMap`).
   */
  readonly carrierClients: ReadonlyMap<string, cognito.UserPoolClient>;
  /** Every app client, as the API's JWT authorizer must trust them (its audience). */
  readonly clients: readonly cognito.UserPoolClient[];
  /** Serves `/oauth2/token` for the client-credentials grant. */
  readonly domain: cognito.UserPoolDomain;
  /** Issuer of the pool's tokens, as the API's JWT authorizer expects it. */
  readonly issuerUrl: string;
  /**
   * Cognito's user API (the issuer's origin), which the console calls to enrol an authenticator:
   * the console's Content-Security-Policy must allow it in `connect-src`.
   */
  readonly userApiUrl: string;
  /** The groups that need TOTP before a token carries them. */
  readonly mfaGroups: readonly string[];
  /** Holds the staff groups back from the tokens of users without TOTP. */
  readonly preTokenGeneration: ReturnType<typeof createFunction>;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, "UserPool", {
      // Accounts come from the marketplace's onboarding, never from the open internet.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Optional, TOTP only: buyers sign in with a password; a user who turned TOTP on is asked
      // for a code at every sign-in, and staff roles need it (the trigger below; docs/design.md,
      // "Sign-in"). No remembered devices: they would let a sign-in skip the code.
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // A changed address stays unused (for sign-in and password resets) until its code is entered.
      autoVerify: { email: true },
      keepOriginal: { email: true },
      // Plus: threat protection that also blocks sign-ins with compromised credentials.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.userPool,
      "AwsSolutions-COG2",
      "MFA is optional on purpose: shoppers sign in without an authenticator, while the " +
        "pre-token-generation trigger keeps the operators (and sellers) groups out of the tokens " +
        "of anyone without TOTP turned on, and Cognito asks for a code at every sign-in once it is.",
    );

    this.mfaGroups = [ROLE_GROUPS.operator, ...(props.sellersNeedMfa ? [ROLE_GROUPS.seller] : [])];
    this.preTokenGeneration = createFunction(this, "PreTokenGeneration", {
      entry: "functions/auth/pre-token-generation.ts",
      environment: { [MFA_GROUPS_ENV]: this.mfaGroups.join(",") },
      // Cognito waits at most 5 s for a trigger.
      timeout: Duration.seconds(5),
      memorySize: 256,
    });
    // Version 2: the access token's groups and claims too (the Plus plan allows it).
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.preTokenGeneration,
      cognito.LambdaVersion.V2_0,
    );
    // Its one call, on this pool. A policy of its own, not the role's default one: the function
    // waits for that, the pool names the function, and this statement names the pool (a cycle).
    new iam.Policy(this, "PreTokenGenerationReadsMfa", {
      roles: [this.preTokenGeneration.role as iam.IRole],
      statements: [
        new iam.PolicyStatement({
          actions: ["cognito-idp:AdminGetUser"],
          resources: [this.userPool.userPoolArn],
        }),
      ],
    });

    for (const [role, groupName] of Object.entries(ROLE_GROUPS)) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        description: `${role}s of the marketplace`,
      });
    }

    const scopes = RESOURCE_SERVERS.flatMap(({ identifier, scopes: names }) => {
      const resourceScopes = names.map(
        (scopeName) =>
          new cognito.ResourceServerScope({
            scopeName,
            scopeDescription: `${identifier}/${scopeName}`,
          }),
      );
      const server = this.userPool.addResourceServer(`Server-${identifier}`, {
        identifier,
        scopes: resourceScopes,
      });
      return resourceScopes.map((scope) => ({
        name: `${identifier}/${scope.scopeName}`,
        scope: cognito.OAuthScope.resourceServer(server, scope),
      }));
    });
    const scopeNamed = (name: string): cognito.OAuthScope => {
      const found = scopes.find((candidate) => candidate.name === name);
      if (!found) throw new Error(`no resource server scope ${name}`);
      return found.scope;
    };

    // The token endpoint of the client-credentials grant lives on the pool's domain.
    this.domain = this.userPool.addDomain("Domain", {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    this.userClient = this.userPool.addClient("UserClient", {
      // SRP only: no USER_PASSWORD_AUTH, which would send the password itself to Cognito.
      authFlows: { userSrp: true },
      generateSecret: false,
      // Sign-in is through the Cognito API (SRP), not the hosted UI: no OAuth redirects to allow.
      // Its tokens always carry aws.cognito.signin.user.admin (Cognito gives API sign-ins that
      // scope whatever the client says), hence the narrow attributes.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      readAttributes: PEOPLE_READ,
      writeAttributes: PEOPLE_WRITE,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // Each refresh (GetTokensFromRefreshToken) returns a new refresh token and ends the old one
      // after 10 s (a retry's grace), so a copied refresh token dies at the owner's next refresh.
      // CDK then leaves out ALLOW_REFRESH_TOKEN_AUTH, which rotation does not work with.
      refreshTokenRotationGracePeriod: Duration.seconds(10),
      enableTokenRevocation: true,
    });

    // One client per system, so that a leaked carrier secret cannot import orders (and the
    // other way round): each can obtain its own scope and nothing else. One per carrier too: the
    // API lets each report only on the parcels handed to its carrier, so a leaked secret reaches
    // one carrier's parcels, not every shipped order.
    this.orderSystemClient = this.machineClient("OrderSystemClient", scopeNamed("orders/write"));
    this.carrierClients = new Map(
      props.carriers.map((carrier) => [
        carrier,
        this.machineClient(`CarrierClient-${carrier}`, scopeNamed("carrier/events")),
      ]),
    );
    this.consoleClient = this.userPool.addClient("ConsoleClient", {
      // A public client: a secret in a browser app would be no secret; PKCE protects the code.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        // The user API's scope is allowed only for enrolling an authenticator: the console asks
        // for it then and nowhere else (ENROLMENT_SCOPES, functions/auth/staff-mfa.ts).
        scopes: [...new Set([...CONSOLE_SCOPES, ...ENROLMENT_SCOPES])].map((scope) =>
          cognito.OAuthScope.custom(scope),
        ),
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      readAttributes: PEOPLE_READ,
      writeAttributes: PEOPLE_WRITE,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // The console never refreshes (people sign in again when the hour is up) and revokes the
      // refresh token on sign-out, so it lives no longer than the access token it came with. No
      // rotation here: it needs ALLOW_REFRESH_TOKEN_AUTH gone, and every other ExplicitAuthFlows
      // value is a sign-in flow this hosted-login client should not have.
      refreshTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
    });
    // The hosted login needs no API sign-in flows; left unset, Cognito would allow SRP and custom
    // auth for this client too.
    (this.consoleClient.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = [
      "ALLOW_REFRESH_TOKEN_AUTH",
    ];
    this.clients = [
      this.userClient,
      this.consoleClient,
      this.orderSystemClient,
      ...this.carrierClients.values(),
    ];

    const { region } = Stack.of(this);
    this.userApiUrl = `https://cognito-idp.${region}.amazonaws.com`;
    this.issuerUrl = `${this.userApiUrl}/${this.userPool.userPoolId}`;
  }

  /**
   * Client id → carrier code of every carrier client, as the carrier routes' functions read it
   * (functions/http/caller.ts, CARRIER_CLIENTS_ENV): JSON, the ids resolved at deploy.
   */
  carrierClientMap(): string {
    const entries = [...this.carrierClients].map(([carrier, client]) => [
      client.userPoolClientId,
      carrier,
    ]);
    return Stack.of(this).toJsonString(Object.fromEntries(entries));
  }

  /** Client credentials with a secret, for one scope; it can sign nobody in. */
  private machineClient(id: string, scope: cognito.OAuthScope): cognito.UserPoolClient {
    const client = this.userPool.addClient(id, {
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes: [scope] },
      accessTokenValidity: Duration.hours(1),
    });
    // Left unset, Cognito would also let this client sign people in (SRP, custom auth).
    (client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = [
      "ALLOW_REFRESH_TOKEN_AUTH",
    ];
    return client;
  }
}
