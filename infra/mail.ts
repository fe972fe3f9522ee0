// Outgoing email: the SES identity that authorizes the sender address and a configuration set
// (TLS required, reputation metrics, suppression of bounces and complaints) every send goes through.
import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as ses from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";
import type { DeploymentConfig } from "./config.ts";

export interface MailProps {
  mailIdentity: DeploymentConfig["mailIdentity"];
  /** The one sender address the service's mail may have (MAIL_FROM). */
  mailFrom: string;
}

export class Mail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly configurationSetArn: string;
  readonly mailFrom: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.mailFrom = props.mailFrom;
    this.configurationSet = new ses.ConfigurationSet(this, "ConfigurationSet", {
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const { kind, name } = props.mailIdentity;
    this.identity = new ses.EmailIdentity(this, "Identity", {
      identity: kind === "domain" ? ses.Identity.domain(name) : ses.Identity.email(name),
      configurationSet: this.configurationSet,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: "ses",
      resource: "configuration-set",
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /**
   * SES authorizes a send against both the sender's identity and the configuration set. SendEmail
   * only (the mailer builds no raw MIME), and from the service's address only: a domain identity
   * would otherwise let the grantee send as anyone in the domain.
   */
  grantSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ses:SendEmail"],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn],
        conditions: { StringEquals: { "ses:FromAddress": this.mailFrom } },
      }),
    );
  }
}
