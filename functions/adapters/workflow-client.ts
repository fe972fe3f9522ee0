// Starts and signals the cancellation workflow (Step Functions Standard).
import {
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
   * Starts the request's execution, named by the request id. Standard workflows treat a second
   * start with the same name and input as the same execution, so a retried start is harmless.
   */
  async start(input: WorkflowInput): Promise<void> {
    if (!this.options.stateMachineArn) throw new Error("no state machine is configured");
    try {
      await this.options.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name: input.requestId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // Already started by an earlier, half-finished attempt: that execution carries on.
      if ((error as Error).name !== "ExecutionAlreadyExists") throw error;
    }
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
