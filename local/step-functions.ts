// A local Step Functions service: runs the synthesized state machine definition with
// aws-local-stepfunctions and emulates its Task states by kind:
// - a Lambda ARN → the handler module of that function, called in-process;
// - `aws-sdk:dynamodb:<action>[.waitForTaskToken]` → the same DynamoDB call on the local endpoint;
//   with `.waitForTaskToken` the task is then parked until SendTaskSuccess/Failure or its timeout.
// Executions are named and idempotent by name, as in a Standard workflow.
import { randomUUID } from "node:crypto";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { StateMachine } from "aws-local-stepfunctions";

export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Finds the in-process handler for a Lambda Task's resource ARN. */
export type LambdaResolver = (functionArn: string) => TaskHandler | undefined;

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface HistoryEvent {
  id: number;
  timestamp: Date;
  type: string;
  stateName?: string;
  error?: string;
  cause?: string;
}

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  history: HistoryEvent[];
  done: Promise<void>;
  abort: () => void;
}

/** An error carrying a name, as the AWS JSON protocol reports it (`__type`). */
export class ServiceError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

interface ParkedTask {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/** The execution-history event type AWS reports for one of the interpreter's events. */
const historyType = (type: string, stateType: string | undefined, error: unknown): string => {
  switch (type) {
    case "StateEntered":
      return `${stateType}StateEntered`;
    case "StateExited":
      return `${stateType}StateExited`;
    case "StateFailed":
      return error === "States.Timeout" ? "TaskTimedOut" : "TaskFailed";
    case "StateRetried":
      return "TaskRetried";
    case "StateCaught":
      return "TaskCaught";
    case "ExecutionTimeout":
      return "ExecutionTimedOut";
    default:
      return type;
  }
};

/** Where local mode puts a wait's timeout for the interpreter (see `withLocalTimeouts`). */
const LOCAL_TIMEOUT_KEY = "__localTimeoutSeconds";

/**
 * AWS evaluates `TimeoutSecondsPath` against the state's input; aws-local-stepfunctions evaluates
 * it against the input after `Parameters`. So for Tasks with both, the timeout is copied into the
 * Parameters under a private key (removed again before the task's call) and the path points there.
 */
const withLocalTimeouts = (definition: Definition): Definition => {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (state.Type !== "Task" || !state.TimeoutSecondsPath || !state.Parameters)
        return [name, state];
      return [
        name,
        {
          ...state,
          Parameters: { ...state.Parameters, [`${LOCAL_TIMEOUT_KEY}.$`]: state.TimeoutSecondsPath },
          TimeoutSecondsPath: `$.${LOCAL_TIMEOUT_KEY}`,
        },
      ];
    }),
  );
  return { ...definition, States: states };
};

interface StateDefinition {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSecondsPath?: string;
}
interface Definition {
  StartAt: string;
  States: Record<string, StateDefinition>;
}

/** A task's own error, named the way the state machine's Retry and Catch clauses expect. */
const namedError = (name: string, message: string): Error => {
  const error = new Error(message);
  error.name = name;
  return error;
};

export interface LocalStepFunctionsOptions {
  stateMachineArn: string;
  definition: { StartAt: string; States: Record<string, object> };
  lambdas: LambdaResolver;
  /** Any client of the local DynamoDB endpoint (a document client passes raw commands through). */
  dynamoDb: { send(command: UpdateItemCommand): Promise<unknown> };
  /** Milliseconds to wait between retries, by state name (tests make retries instant). */
  retryIntervalOverrides?: Record<string, number>;
}

export class LocalStepFunctions {
  private readonly machine: StateMachine;
  private readonly definition: Definition;
  private readonly executions = new Map<string, Execution>();
  private readonly parked = new Map<string, ParkedTask>();
  private readonly runningTasks = new Set<Promise<unknown>>();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.definition = withLocalTimeouts(options.definition as Definition);
    this.machine = new StateMachine(this.definition as never);
  }

  get stateMachineArn(): string {
    return this.options.stateMachineArn;
  }

  private executionArnOf(name: string): string {
    return `${this.options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
  }

  /** Starts an execution; the same name and input again is the same execution (Standard). */
  startExecution(name: string, input: string): Execution {
    const executionArn = this.executionArnOf(name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.input === input && existing.status === "RUNNING") return existing;
      throw new ServiceError(
        "ExecutionAlreadyExists",
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const parsedInput: unknown = JSON.parse(input);
    const run = this.machine.run(parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(executionArn) as never,
        retryIntervalOverrides: this.options.retryIntervalOverrides,
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: parsedInput,
          StartTime: new Date().toISOString(),
        },
        // Each read mints a fresh token, as each task of a real execution gets its own.
        Task: {
          get Token() {
            return randomUUID();
          },
        },
      } as never,
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn: this.options.stateMachineArn,
      name,
      status: "RUNNING",
      input,
      startDate: new Date(),
      history: [],
      done: Promise.resolve(),
      abort: () => run.abort(),
    };
    this.executions.set(executionArn, execution);
    const recordHistory = this.recordHistory(
      execution,
      run.eventLogs as AsyncGenerator<Record<string, unknown>>,
    );
    execution.done = run.result
      .then((output: unknown) => {
        execution.status = "SUCCEEDED";
        execution.output = JSON.stringify(output ?? null);
      })
      .catch((error: Error & { cause?: unknown }) => {
        execution.status =
          error.name === "ExecutionAbortedError"
            ? "ABORTED"
            : error.name === "ExecutionTimeoutError"
              ? "TIMED_OUT"
              : "FAILED";
        execution.error = error.name;
        execution.cause = typeof error.cause === "string" ? error.cause : error.message;
      })
      .then(async () => {
        execution.stopDate = new Date();
        this.dropParkedTasks(executionArn);
        await recordHistory;
      });
    return execution;
  }

  describeExecution(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new ServiceError(
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${executionArn}'`,
      );
    return execution;
  }

  listExecutions(): Execution[] {
    return [...this.executions.values()];
  }

  stopExecution(executionArn: string): void {
    const execution = this.describeExecution(executionArn);
    if (execution.status === "RUNNING") execution.abort();
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    this.takeParked(taskToken).resolve(JSON.parse(output));
  }

  sendTaskFailure(taskToken: string, error = "", cause = ""): void {
    this.takeParked(taskToken).reject(namedError(error, cause));
  }

  /** Waits until every execution has stopped and no task is still running (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
    await Promise.allSettled([...this.runningTasks]);
  }

  abortAll(): void {
    for (const execution of this.executions.values()) {
      if (execution.status === "RUNNING") execution.abort();
    }
  }

  private takeParked(taskToken: string): ParkedTask {
    const task = this.parked.get(taskToken);
    // Unknown, already used, or its execution has stopped. (A token whose wait timed out while its
    // execution runs on is still accepted here, and its signal goes nowhere: harmless, since the
    // workflow re-reads the record after every wait.)
    if (!task)
      throw new ServiceError("TaskTimedOut", "Task Timed Out: the task token is not waiting");
    this.parked.delete(taskToken);
    return task;
  }

  private dropParkedTasks(executionArn: string) {
    for (const [token, task] of this.parked) {
      if (task.executionArn === executionArn) this.parked.delete(token);
    }
  }

  /** The execution history, in the shape of GetExecutionHistory's events. */
  private async recordHistory(
    execution: Execution,
    events: AsyncGenerator<Record<string, unknown>>,
  ) {
    for await (const event of events) {
      const state = event.state as { name?: string; type?: string } | undefined;
      const stateName = state?.name;
      execution.history.push({
        id: execution.history.length + 1,
        timestamp: new Date(Number(event.timestamp)),
        type: historyType(String(event.type), state?.type, event.Error),
        ...(stateName ? { stateName } : {}),
        ...(typeof event.Error === "string" ? { error: event.Error } : {}),
        ...(typeof event.Cause === "string" ? { cause: event.Cause } : {}),
      });
    }
  }

  /** One local handler per Task state of the definition, chosen by the state's resource. */
  private taskHandlers(executionArn: string): Record<string, TaskHandler> {
    const states = (
      this.options.definition as { States: Record<string, { Type: string; Resource?: string }> }
    ).States;
    const handlers: Record<string, TaskHandler> = {};
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type !== "Task" || !state.Resource) continue;
      handlers[stateName] = this.taskHandler(state.Resource, stateName, executionArn);
    }
    return handlers;
  }

  private taskHandler(resource: string, stateName: string, executionArn: string): TaskHandler {
    const sdk = /^arn:aws:states:::aws-sdk:dynamodb:(\w+?)(\.waitForTaskToken)?$/.exec(resource);
    if (sdk) {
      const [, action, waits] = sdk;
      if (action !== "updateItem") {
        throw new Error(`state ${stateName}: dynamodb:${action} is not emulated locally`);
      }
      return async (rawInput) => {
        const { [LOCAL_TIMEOUT_KEY]: _timeout, ...input } = rawInput as Record<string, unknown>;
        try {
          await this.options.dynamoDb.send(new UpdateItemCommand(input as never));
        } catch (error) {
          // The SDK integration reports service errors as `DynamoDb.<Exception>`.
          throw namedError(`DynamoDb.${(error as Error).name}`, (error as Error).message);
        }
        if (!waits) return {};
        const token = (input as { ExpressionAttributeValues?: Record<string, { S?: string }> })
          .ExpressionAttributeValues?.[":token"]?.S;
        if (!token) throw new Error(`state ${stateName}: no task token in its parameters`);
        return new Promise((resolve, reject) => {
          this.parked.set(token, { executionArn, resolve, reject });
        });
      };
    }
    const handler = this.options.lambdas(resource);
    if (!handler) throw new Error(`state ${stateName}: no local handler for ${resource}`);
    // Tracked, because aborting an execution does not stop a task already running.
    return (input) => {
      const running = handler(input);
      this.runningTasks.add(running);
      const forget = () => this.runningTasks.delete(running);
      running.then(forget, forget);
      return running;
    };
  }
}
