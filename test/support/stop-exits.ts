// Run by test/local/step-functions.test.ts in a process of its own: parks a wait of an hour,
// stops the execution and prints "stopped". The process must then end by itself.
import { LocalStepFunctions } from "../../local/step-functions.ts";

const ARN = "arn:aws:states:ap-northeast-1:000000000000:stateMachine:StopExits";
const definition = {
  StartAt: "Wait",
  States: {
    Wait: {
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken",
      Parameters: {
        TableName: "orders",
        Key: { pk: { S: "ORDER#1" }, sk: { S: "ORDER" } },
        UpdateExpression: "SET #t = :token",
        ExpressionAttributeNames: { "#t": "token" },
        ExpressionAttributeValues: { ":token": { "S.$": "$$.Task.Token" } },
      },
      TimeoutSeconds: 3600,
      End: true,
    },
  },
};

const local = new LocalStepFunctions({
  stateMachineArn: ARN,
  definition,
  dynamoDb: { send: async () => ({}) },
  lambdas: () => undefined,
});
const execution = local.startExecution("parked", "{}");
while (!local.isWaiting(execution.executionArn)) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
local.abortAll();
await local.settle();
console.log("stopped");
