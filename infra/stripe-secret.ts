// The Stripe account's secret (context `stripeSecretArn`; docs/deploy.md): only the functions that
// call Stripe get its ARN and may read it: the workflow's step (refunds), RecordDelivery and
// RetryRefund (they ask about a refund first), StripeWebhook (verifies, then asks) and the
// reconciler (asks about refunds pending too long). The value itself is read at run time
// (functions/adapters/stripe-account.ts), never put in the template.
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { ENV } from "../functions/adapters/config.ts";

/**
 * Gives `fn` the secret: its ARN in STRIPE_SECRET_ARN and GetSecretValue on that secret alone (no
 * DescribeSecret, no other secret). Without a secret, nothing: such a function has no Stripe.
 */
export const grantStripeSecret = (fn: lambda.Function, secretArn: string | undefined): void => {
  if (secretArn === undefined) return;
  fn.addEnvironment(ENV.stripeSecretArn, secretArn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [secretArn],
    }),
  );
};
