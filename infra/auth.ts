// Who may call the API: a Cognito user pool for people (one group per role, MFA for everyone) who
// sign in to the web console through the hosted login (authorization code with PKCE) or with SRP,
// and OAuth resource servers whose scopes machine clients obtain with the client-credentials
// grant, one app client per calling system holding only its own scope.
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { RESOURCE_SERVERS, ROLE_GROUPS } from "../functions/http/routes.ts";

/** What the console asks the hosted login for: who signed in, no API scopes (roles are groups). */
export const CONSOLE_SCOPES = ["openid", "email", "profile"] as const;

export interface AuthProps {
  /** Deletion protection + RETAIN when true; DESTROY for dev stacks. */
  protectData: boolean;
  /** Prefix of the Cognito domain that serves the OAuth token endpoint. */
  domainPrefix: string;
  /** The console's address (`https://<domain>/`): where the hosted login sends people back. */
  consoleUrl: string;
}

export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  /** People: SRP sign-in only (the password never leaves the device), no secret. */
  readonly userClient: cognito.UserPoolClient;
  /** The web console: the hosted login's authorization code with PKCE, no secret (a browser app). */
  readonly consoleClient: cognito.UserPoolClient;
  /** The marketplace's order system: client credentials with a secret, scope `orders/write` only. */
  readonly orderSystemClient: cognito.UserPoolClient;
  /** The carrier feed: client credentials with a secret, scope `carrier/events` only. */
  readonly carrierClient: cognito.UserPoolClient;
  /** Every app client, as the API's JWT authorizer must trust them (its audience). */
  readonly clients: readonly cognito.UserPoolClient[];
  /** Serves `/oauth2/token` for the client-credentials grant. */
  readonly domain: cognito.UserPoolDomain;
  /** Issuer of the pool's tokens, as the API's JWT authorizer expects it. */
  readonly issuerUrl: string;

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
      // Everyone, operators included, signs in with an authenticator app (TOTP): Cognito cannot
      // require MFA for one group only, and the API's JWT authorizer trusts one issuer, so
      // operators cannot have a pool of their own without a Lambda authorizer (docs/design.md, "The stack").
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus: threat protection that also blocks sign-ins with compromised credentials.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
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
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    // One client per system, so that a leaked carrier secret cannot import orders (and the
    // other way round): each can obtain its own scope and nothing else.
    this.orderSystemClient = this.machineClient("OrderSystemClient", scopeNamed("orders/write"));
    this.carrierClient = this.machineClient("CarrierClient", scopeNamed("carrier/events"));
    this.consoleClient = this.userPool.addClient("ConsoleClient", {
      // A public client: a secret in a browser app would be no secret; PKCE protects the code.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: CONSOLE_SCOPES.map((scope) => cognito.OAuthScope.custom(scope)),
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // People sign in again each working day (a stolen refresh token expires by then too).
      refreshTokenValidity: Duration.days(1),
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
      this.carrierClient,
    ];

    const { region } = Stack.of(this);
    this.issuerUrl = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`;
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
