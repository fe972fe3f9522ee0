// Starts and signals the cancellation workflow (Step Functions Standard). The Step Functions SDK is
// loaded on the first call (sdk.ts): a function that never calls the workflow never loads it.
import type { SFNClient } from "@aws-sdk/client-sfn";
import { type ClientSource, clientOf } from "./client-source.ts";
import { sfnSdk } from "./sdk.ts";

/** The execution input: the workflow reads everything else from the order record. */
export interface WorkflowInput {
  orderId: string;
  requestId: string;
  /**
   * Follows the request into its execution's log lines: the API call's correlation id when the
   * cancellation POST starts it, the request id when the reconciler does. Always present: each
   * step's payload reads it from the execution input.
   */
  correlationId: string;
}

/** Errors that mean the wait the token belonged to is already over: nothing left to signal. */
const STALE_TOKEN_ERRORS = new Set(["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"]);

export class WorkflowClient {
  constructor(
    private readonly options: { client: ClientSource<SFNClient>; stateMachineArn: string },
  ) {}

  private client(): Promise<SFNClient> {
    return clientOf(this.options.client);
  }

  /**
   * Starts an execution for the request, named by the request id (a resumed one by `name`).
   * Standard workflows treat a second start with the same name and input as the same execution,
   * so a retried start is harmless. Returns false when an execution of that name already ended
   * (a name is never reused: the reconciler resumes the request under a new one).
   */
  async start(input: WorkflowInput, name: string = input.requestId): Promise<boolean> {
    const client = await this.client();
    const { StartExecutionCommand } = sfnSdk();
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn(),
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

  /**
   * Whether the execution of that name is running: asked only when a start under the same name
   * met another input (the reconciler's own, against the API call's correlation id).
   */
  async isRunning(name: string): Promise<boolean> {
    const client = await this.client();
    const { DescribeExecutionCommand } = sfnSdk();
    const executionArn = `${this.stateMachineArn().replace(":stateMachine:", ":execution:")}:${name}`;
    try {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === "RUNNING";
    } catch (error) {
      if ((error as Error).name === "ExecutionDoesNotExist") return false;
      throw error;
    }
  }

  /** The names of the state machine's running executions (every page). */
  async runningExecutionNames(): Promise<Set<string>> {
    const client = await this.client();
    const { ListExecutionsCommand } = sfnSdk();
    const names = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn(),
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

  private stateMachineArn(): string {
    if (!this.options.stateMachineArn) throw new Error("no state machine is configured");
    return this.options.stateMachineArn;
  }

  /** Ends a wait with an outcome. Returns false when the wait had already ended. */
  async succeed(taskToken: string, output: object): Promise<boolean> {
    const client = await this.client();
    const { SendTaskSuccessCommand } = sfnSdk();
    return this.ignoreStale(() =>
      client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  /** Ends a wait with a named error that the state machine catches. */
  async fail(taskToken: string, error: string, cause: string): Promise<boolean> {
    const client = await this.client();
    const { SendTaskFailureCommand } = sfnSdk();
    return this.ignoreStale(() =>
      client.send(new SendTaskFailureCommand({ taskToken, error, cause })),
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
