// Who may call the API: a Cognito user pool for people (one group per role, MFA for everyone) and
// OAuth resource servers whose scopes machine clients obtain with the client-credentials grant,
// one app client per calling system holding only its own scope.
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { RESOURCE_SERVERS, ROLE_GROUPS } from "../functions/http/routes.ts";

export interface AuthProps {
  /** Deletion protection + RETAIN when true; DESTROY for dev stacks. */
  protectData: boolean;
  /** Prefix of the Cognito domain that serves the OAuth token endpoint. */
  domainPrefix: string;
}

export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  /** People: SRP sign-in only (the password never leaves the device), no secret. */
  readonly userClient: cognito.UserPoolClient;
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
      // operators cannot have a pool of their own without a Lambda authorizer (README: The stack).
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
    this.clients = [this.userClient, this.orderSystemClient, this.carrierClient];

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
