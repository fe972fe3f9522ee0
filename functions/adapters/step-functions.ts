// The cancellation workflow on Step Functions (Standard): waking a waiting execution, for every
// function that changes an order; starting and listing executions, for the reconciler. The Step
// Functions SDK is loaded on the first call (sdk.ts): a function that never calls it never loads it.
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { WorkflowExecutions, WorkflowInput, WorkflowSignals } from "../app/ports.ts";
import type { RequestStatus } from "../domain/types.ts";
import { type ClientSource, clientOf } from "./client-source.ts";
import { sfnSdk } from "./sdk.ts";

/** Errors that mean the wait the token belonged to is already over: nothing left to wake. */
const STALE_TOKEN_ERRORS = new Set(["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"]);

export class StepFunctionsSignals implements WorkflowSignals {
  constructor(private readonly client: ClientSource<SFNClient>) {}

  /** SendTaskSuccess: the wait ends and the execution reads the record again. */
  async wake(taskToken: string, detail: { status: RequestStatus }): Promise<boolean> {
    const client = await clientOf(this.client);
    const { SendTaskSuccessCommand } = sfnSdk();
    try {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(detail) }));
      return true;
    } catch (error) {
      if (STALE_TOKEN_ERRORS.has((error as Error).name)) return false;
      throw error;
    }
  }
}

export class StepFunctionsExecutions implements WorkflowExecutions {
  constructor(
    private readonly options: { client: ClientSource<SFNClient>; stateMachineArn: string },
  ) {}

  private client(): Promise<SFNClient> {
    return clientOf(this.options.client);
  }

  async start(input: WorkflowInput, name: string): Promise<boolean> {
    const client = await this.client();
    const { StartExecutionCommand } = sfnSdk();
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name !== "ExecutionAlreadyExists") throw error;
      return false;
    }
  }

  async isRunning(name: string): Promise<boolean> {
    const client = await this.client();
    const { DescribeExecutionCommand } = sfnSdk();
    const executionArn = `${this.options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
    try {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === "RUNNING";
    } catch (error) {
      if ((error as Error).name === "ExecutionDoesNotExist") return false;
      throw error;
    }
  }

  async runningNames(): Promise<Set<string>> {
    const client = await this.client();
    const { ListExecutionsCommand } = sfnSdk();
    const names = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListExecutionsCommand({
          stateMachineArn: this.options.stateMachineArn,
          statusFilter: "RUNNING",
          maxResults: 1000,
          nextToken,
        }),
      );
      for (const execution of page.executions ?? []) {
        if (execution.name) names.add(execution.name);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return names;
  }
}
