// Starts and signals the cancellation workflow (Step Functions Standard).
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";

/** The execution input: the workflow reads everything else from the order record. */
export interface WorkflowInput {
  orderId: string;
  requestId: string;
}

/** Errors that mean the wait the token belonged to is already over: nothing left to signal. */
const STALE_TOKEN_ERRORS = new Set(["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"]);

export class WorkflowClient {
  constructor(private readonly options: { client: SFNClient; stateMachineArn: string }) {}

  /**
   * Starts an execution for the request, named by the request id (a resumed one by `name`).
   * Standard workflows treat a second start with the same name and input as the same execution,
   * so a retried start is harmless; an execution of that name that already ended is left alone
   * (the reconciler resumes the request under a new name).
   */
  async start(input: WorkflowInput, name: string = input.requestId): Promise<void> {
    try {
      await this.options.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn(),
          name,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== "ExecutionAlreadyExists") throw error;
    }
  }

  /** The status of the execution named `name`, or undefined when there is none. */
  async status(name: string): Promise<ExecutionStatus | undefined> {
    const executionArn = `${this.stateMachineArn().replace(":stateMachine:", ":execution:")}:${name}`;
    try {
      const result = await this.options.client.send(new DescribeExecutionCommand({ executionArn }));
      return result.status;
    } catch (error) {
      if ((error as Error).name === "ExecutionDoesNotExist") return undefined;
      throw error;
    }
  }

  private stateMachineArn(): string {
    if (!this.options.stateMachineArn) throw new Error("no state machine is configured");
    return this.options.stateMachineArn;
  }

  /** Ends a wait with an outcome. Returns false when the wait had already ended. */
  async succeed(taskToken: string, output: object): Promise<boolean> {
    return this.ignoreStale(() =>
      this.options.client.send(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }),
      ),
    );
  }

  /** Ends a wait with a named error that the state machine catches. */
  async fail(taskToken: string, error: string, cause: string): Promise<boolean> {
    return this.ignoreStale(() =>
      this.options.client.send(new SendTaskFailureCommand({ taskToken, error, cause })),
    );
  }

  private async ignoreStale(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (STALE_TOKEN_ERRORS.has((error as Error).name)) return false;
      throw error;
    }
  }
}
