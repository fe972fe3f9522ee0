// One state machine's executions, as IAM names them: DescribeExecution takes an execution ARN, so
// a function that asks whether a request's execution runs is granted this machine's executions
// (a wildcard after its name) and cdk-nag is told why.
import { ArnFormat, type CfnElement, Stack, Token } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { acknowledge } from "./nag.ts";

/** Grants `grantee` DescribeExecution on `machine`'s executions only. */
export const grantDescribeExecutions = (
  grantee: iam.IGrantable & { role?: iam.IRole },
  machine: sfn.StateMachine,
): void => {
  const stack = Stack.of(machine);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["states:DescribeExecution"],
      resources: [
        stack.formatArn({
          service: "states",
          resource: "execution",
          resourceName: `${machine.stateMachineName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  const machineId = stack.getLogicalId(machine.node.defaultChild as CfnElement);
  const literal = (value: string, pseudo: string) =>
    Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
  if (grantee.role) {
    acknowledge(
      grantee.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${literal(stack.region, "Region")}:${literal(stack.account, "AccountId")}:execution:<${machineId}.Name>:*]`,
      "DescribeExecution takes an execution ARN: the wildcard covers this state machine's executions only.",
    );
  }
};
