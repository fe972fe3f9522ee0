// Who may call the API: a Cognito user pool for people (one group per role) and OAuth resource
// servers whose scopes machine clients obtain with the client-credentials grant.
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { RESOURCE_SERVERS, ROLE_GROUPS } from "../functions/http/routes.ts";
import { acknowledge } from "./nag.ts";

export interface AuthProps {
  /** Deletion protection + RETAIN when true; DESTROY for dev stacks. */
  protectData: boolean;
  /** Prefix of the Cognito domain that serves the OAuth token endpoint. */
  domainPrefix: string;
}

export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  /** People: SRP or user-password sign-in, no secret (a browser or app cannot keep one). */
  readonly userClient: cognito.UserPoolClient;
  /** Systems (order import, carrier events): client credentials with a secret. */
  readonly systemClient: cognito.UserPoolClient;
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
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus: threat protection that blocks compromised credentials and asks risky sign-ins for
      // a second factor, which is what makes optional MFA acceptable here.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.userPool,
      "AwsSolutions-COG2",
      "MFA is optional so buyers can sign in without enrolling an authenticator; Plus threat " +
        "protection (ENFORCED) blocks compromised credentials and demands a second factor on risky sign-ins.",
    );

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
      return resourceScopes.map((scope) => cognito.OAuthScope.resourceServer(server, scope));
    });

    // The token endpoint of the client-credentials grant lives on the pool's domain.
    this.domain = this.userPool.addDomain("Domain", {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    this.userClient = this.userPool.addClient("UserClient", {
      authFlows: { userSrp: true, userPassword: true },
      generateSecret: false,
      // Sign-in is through the Cognito API (SRP), not the hosted UI: no OAuth redirects to allow.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.systemClient = this.userPool.addClient("SystemClient", {
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes },
      accessTokenValidity: Duration.hours(1),
    });
    // Left unset, Cognito would also let this client sign people in (SRP, custom auth).
    (this.systemClient.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = [
      "ALLOW_REFRESH_TOKEN_AUTH",
    ];

    const { region } = Stack.of(this);
    this.issuerUrl = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
