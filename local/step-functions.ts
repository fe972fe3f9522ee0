// A local Step Functions state machine: runs one synthesized definition with
// aws-local-stepfunctions and emulates its Task states (nested ones in Map and Parallel states
// too) by kind:
// - a Lambda ARN → the handler module of that function, called in-process;
// - `aws-sdk:dynamodb:<action>[.waitForTaskToken]` → the same DynamoDB call on the local endpoint;
//   with `.waitForTaskToken` the task is then parked until SendTaskSuccess/Failure or its timeout;
// - `states:startExecution` (the optimized integration, request-response) → StartExecution of the
//   target state machine, in-process, with the integration's errors (`StepFunctions.<Name>`).
// A Standard machine's executions are named and idempotent by name; an Express machine's are not
// (its ARNs carry a unique suffix) and it also runs them synchronously (StartSyncExecution).
// Where recovery depends on an answer (unknown ARNs, stale tokens, redrive, listing) it is the one
// AWS gives. Each state machine of a template gets its own instance; sfn-endpoint.ts routes.
import { randomUUID } from "node:crypto";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { StateMachine } from "aws-local-stepfunctions";
import type { FaultInjector } from "./faults.ts";

export type TaskHandler = (input: unknown) => Promise<unknown>;

export type StateMachineType = "STANDARD" | "EXPRESS";

/** Finds the in-process handler for a Lambda Task's resource ARN. */
export type LambdaResolver = (functionArn: string) => TaskHandler | undefined;

export const EXECUTION_STATUSES = [
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "ABORTED",
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** The statuses RedriveExecution accepts. */
export const REDRIVABLE_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  "FAILED",
  "TIMED_OUT",
  "ABORTED",
]);

export interface HistoryEvent {
  id: number;
  timestamp: Date;
  type: string;
  stateName?: string;
  error?: string;
  cause?: string;
  /** TaskScheduled: the integration (`aws-sdk:dynamodb`); LambdaFunctionScheduled: none. */
  resourceType?: string;
  /** The integration's action (`updateItem.waitForTaskToken`) or the Lambda function's ARN. */
  resource?: string;
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
  /** How many times RedriveExecution restarted it. */
  redriveCount: number;
  redriveDate?: Date;
  history: HistoryEvent[];
  done: Promise<void>;
  abort: () => void;
}

export interface ListExecutionsQuery {
  stateMachineArn: string;
  statusFilter?: ExecutionStatus;
  /** 1–1000; 0 or absent means AWS's default page of 100. */
  maxResults?: number;
  nextToken?: string;
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

/**
 * The event AWS records when a Task state calls its resource (once per attempt): a Lambda ARN is
 * LambdaFunctionScheduled; a service integration (`arn:aws:states:::aws-sdk:dynamodb:updateItem…`)
 * is TaskScheduled with its resource type and action.
 */
const scheduledEvent = (
  resource: string,
): Pick<HistoryEvent, "type" | "resourceType" | "resource"> => {
  const integration = /^arn:aws:states:::(.+):([^:]+)$/.exec(resource);
  if (!integration) return { type: "LambdaFunctionScheduled", resource };
  return { type: "TaskScheduled", resourceType: integration[1], resource: integration[2] };
};

/** Where local mode puts a wait's timeout for the interpreter (see `withLocalTimeouts`). */
const LOCAL_TIMEOUT_KEY = "__localTimeoutSeconds";
/** aws-local-stepfunctions' timeout for a Task that names none. */
const INTERPRETER_DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * AWS evaluates `TimeoutSecondsPath` against the state's input; aws-local-stepfunctions evaluates
 * it against the input after `Parameters`. So for Tasks with both, the timeout is copied into the
 * Parameters under a private key (removed again before the task's call) and the path points there.
 */
const withLocalTimeouts = (definition: Definition): Definition =>
  mapStates(definition, (state) => {
    if (state.Type !== "Task" || !state.TimeoutSecondsPath || !state.Parameters) return state;
    return {
      ...state,
      Parameters: { ...state.Parameters, [`${LOCAL_TIMEOUT_KEY}.$`]: state.TimeoutSecondsPath },
      TimeoutSecondsPath: `$.${LOCAL_TIMEOUT_KEY}`,
    };
  });

interface StateDefinition {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  /** A Map state's states (Iterator is its older name). */
  ItemProcessor?: Definition;
  Iterator?: Definition;
  /** A Parallel state's branches. */
  Branches?: Definition[];
}
interface Definition {
  StartAt: string;
  States: Record<string, StateDefinition>;
}

/** The definition with `change` applied to every state, nested ones (Map, Parallel) included. */
const mapStates = (
  definition: Definition,
  change: (state: StateDefinition) => StateDefinition,
): Definition => ({
  ...definition,
  States: Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      const changed = change(state);
      return [
        name,
        {
          ...changed,
          ...(changed.ItemProcessor
            ? { ItemProcessor: mapStates(changed.ItemProcessor, change) }
            : {}),
          ...(changed.Iterator ? { Iterator: mapStates(changed.Iterator, change) } : {}),
          ...(changed.Branches
            ? { Branches: changed.Branches.map((branch) => mapStates(branch, change)) }
            : {}),
        },
      ];
    }),
  ),
});

/** Every state by name, nested ones included (ASL state names are unique in a state machine). */
const allStates = (definition: Definition): Record<string, StateDefinition> => {
  const states: Record<string, StateDefinition> = {};
  const visit = (part: Definition) => {
    for (const [name, state] of Object.entries(part.States)) {
      states[name] = state;
      for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
        if (nested) visit(nested);
      }
    }
  };
  visit(definition);
  return states;
};

/**
 * The error aws-local-stepfunctions raises when a Task outlasts its timeout (its
 * StatesTimeoutError, which it does not export): name and message `States.Timeout`, retryable and
 * catchable, so Retry/Catch on `States.Timeout` or `States.ALL` and the Catch's
 * `{ Error, Cause }` are the same. One difference: the interpreter keeps its own timeouts out of a
 * `States.TaskFailed` Retry/Catch by their class, which this error cannot have; the synthesized
 * waits name no `States.TaskFailed`.
 */
const statesTimeout = (): Error =>
  Object.assign(new Error("States.Timeout"), {
    name: "States.Timeout",
    retryable: true,
    catchable: true,
  });

/** A task's own error, named the way the state machine's Retry and Catch clauses expect. */
const namedError = (name: string, message: string): Error => {
  const error = new Error(message);
  error.name = name;
  return error;
};

/**
 * The Error an `aws-sdk:dynamodb:*` task fails with: `DynamoDb.<name>`, with the `Exception`
 * suffix that Step Functions adds to error codes lacking one (InternalServerError →
 * DynamoDb.InternalServerErrorException). A call that got no answer is a client-side failure,
 * which the service reports as SdkClientException.
 */
const integrationErrorName = (error: Error): string => {
  if (error.name === "TimeoutError") return "DynamoDb.SdkClientException";
  return `DynamoDb.${error.name.endsWith("Exception") ? error.name : `${error.name}Exception`}`;
};

/**
 * The Error a `states:startExecution` task fails with: the API's error name under
 * `StepFunctions.`, with the `Exception` suffix (ExecutionAlreadyExists →
 * StepFunctions.ExecutionAlreadyExistsException).
 */
const startErrorName = (name: string): string =>
  `StepFunctions.${name.endsWith("Exception") ? name : `${name}Exception`}`;

/** Every string in a task's parameters (where a wait state put its task token). */
const stringsIn = (value: unknown): string[] => {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
};

/** AWS accepts 1–80 of these characters in an execution name (this project's ids fit). */
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

/** A ListExecutions page token: where the last page ended, for which query. */
interface PageToken {
  stateMachineArn: string;
  statusFilter?: string;
  /** The sequence number of the last execution returned (newer than any on the next page). */
  after: number;
}

export interface LocalStepFunctionsOptions {
  stateMachineArn: string;
  /** STANDARD (default): executions named and idempotent by name; EXPRESS: not, and sync. */
  type?: StateMachineType;
  definition: { StartAt: string; States: Record<string, object> };
  lambdas: LambdaResolver;
  /** Any client of the local DynamoDB endpoint (a document client passes raw commands through). */
  dynamoDb: { send(command: UpdateItemCommand): Promise<unknown> };
  /** The state machines `states:startExecution` tasks can start, by ARN (this one by default). */
  stateMachines?: (stateMachineArn: string) => LocalStepFunctions | undefined;
  /** Milliseconds to wait between retries, by state name (tests make retries instant). */
  retryIntervalOverrides?: Record<string, number>;
  /** Faults for Lambda and StartExecution tasks (target `stepfunctions`, operation = state name). */
  faults?: FaultInjector;
  /** How many finished Express executions are kept to look at (newest; default 1000). */
  keepExpressExecutions?: number;
}

export class LocalStepFunctions {
  private readonly machine: StateMachine;
  private readonly definition: Definition;
  /** Every state of the definition, nested ones included, as the interpreter runs them. */
  private readonly states: Record<string, StateDefinition>;
  private readonly executions = new Map<string, Execution>();
  /** Start order, for ListExecutions' newest-first pages. */
  private readonly sequence = new Map<string, number>();
  private started = 0;
  private readonly parked = new Map<string, ParkedTask>();
  /** Every task token handed out, by execution: a known token that is not parked is stale. */
  private readonly issuedTokens = new Map<string, string>();
  private readonly runningTasks = new Set<Promise<unknown>>();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.definition = withLocalTimeouts(options.definition as Definition);
    this.states = allStates(this.definition);
    this.machine = new StateMachine(this.definition as never);
  }

  get stateMachineArn(): string {
    return this.options.stateMachineArn;
  }

  get type(): StateMachineType {
    return this.options.type ?? "STANDARD";
  }

  /** A Standard execution's ARN is its machine's and its name; an Express one's is unique. */
  private executionArnOf(name: string): string {
    const { stateMachineArn } = this.options;
    if (this.type === "EXPRESS") {
      return `${stateMachineArn.replace(":stateMachine:", ":express:")}:${name}:${randomUUID()}`;
    }
    return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
  }

  private assertStateMachine(stateMachineArn: string) {
    if (stateMachineArn !== this.options.stateMachineArn) {
      throw new ServiceError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
  }

  /** Whether this state machine ran (or runs) that execution. */
  hasExecution(executionArn: string): boolean {
    return this.executions.has(executionArn);
  }

  /** Whether this state machine issued that task token (whether or not its wait is over). */
  issuedToken(taskToken: string): boolean {
    return this.issuedTokens.has(taskToken);
  }

  /**
   * Starts an execution. Standard: the same name and input again, while it runs, is the same
   * execution; another start of a used name is ExecutionAlreadyExists. Express: every start is a
   * new execution. `stateMachineArn` defaults to this state machine.
   */
  startExecution(name: string, input: string, stateMachineArn = this.stateMachineArn): Execution {
    this.assertStateMachine(stateMachineArn);
    if (!EXECUTION_NAME.test(name)) {
      throw new ServiceError("InvalidName", `Invalid Name: '${name}'`);
    }
    const executionArn = this.executionArnOf(name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.input === input && existing.status === "RUNNING") return existing;
      throw new ServiceError(
        "ExecutionAlreadyExists",
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const parsedInput = parseJson(input, "InvalidExecutionInput");
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      status: "RUNNING",
      input,
      startDate: new Date(),
      redriveCount: 0,
      history: [],
      done: Promise.resolve(),
      abort: () => undefined,
    };
    this.executions.set(executionArn, execution);
    this.sequence.set(executionArn, this.started++);
    this.run(execution, parsedInput);
    if (this.type === "EXPRESS") void execution.done.then(() => this.forgetOldExpress());
    return execution;
  }

  /** StartSyncExecution (Express only): starts an execution and answers once it has stopped. */
  async startSyncExecution(
    name: string,
    input: string,
    stateMachineArn = this.stateMachineArn,
  ): Promise<Execution> {
    this.assertStateMachine(stateMachineArn);
    if (this.type !== "EXPRESS") {
      throw new ServiceError(
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
      );
    }
    const execution = this.startExecution(name, input, stateMachineArn);
    await execution.done;
    return execution;
  }

  /** Keeps the newest finished Express executions only: a pipe starts one per batch. */
  private forgetOldExpress() {
    const keep = this.options.keepExpressExecutions ?? 1000;
    const finished = [...this.executions.values()].filter((e) => e.status !== "RUNNING");
    for (const execution of finished.slice(0, Math.max(0, finished.length - keep))) {
      this.executions.delete(execution.executionArn);
      this.sequence.delete(execution.executionArn);
      for (const [token, arn] of this.issuedTokens) {
        if (arn === execution.executionArn) this.issuedTokens.delete(token);
      }
    }
  }

  /**
   * Restarts a FAILED, TIMED_OUT or ABORTED execution under the same ARN and input. AWS resumes
   * from the state that failed; the interpreter can only start over from StartAt. That is
   * equivalent here because the workflow's first step re-reads the request's stored status and
   * routes from there, and every step is idempotent against that record.
   */
  redriveExecution(executionArn: string): Execution {
    const execution = this.describeExecution(executionArn);
    if (this.type === "EXPRESS") {
      throw new ServiceError(
        "ExecutionNotRedrivable",
        `Executions of Express state machines cannot be redriven: '${executionArn}'`,
      );
    }
    if (!REDRIVABLE_STATUSES.has(execution.status)) {
      throw new ServiceError(
        "ExecutionNotRedrivable",
        `Execution is ${execution.status}; only FAILED, TIMED_OUT or ABORTED executions can be redriven: '${executionArn}'`,
      );
    }
    execution.status = "RUNNING";
    execution.redriveCount += 1;
    execution.redriveDate = new Date();
    delete execution.output;
    delete execution.error;
    delete execution.cause;
    delete execution.stopDate;
    execution.history.push({
      id: execution.history.length + 1,
      timestamp: execution.redriveDate,
      type: "ExecutionRedriven",
    });
    this.run(execution, JSON.parse(execution.input));
    return execution;
  }

  /** Runs (or runs again) an execution in the interpreter and records how it ends. */
  private run(execution: Execution, parsedInput: unknown) {
    const { executionArn, name } = execution;
    const issue = () => {
      const token = randomUUID();
      this.issuedTokens.set(token, executionArn);
      return token;
    };
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
          StartTime: execution.startDate.toISOString(),
        },
        // Each read mints a fresh token, as each task of a real execution gets its own.
        Task: {
          get Token() {
            return issue();
          },
        },
      } as never,
    });
    execution.abort = () => run.abort();
    const recordHistory = this.recordHistory(
      execution,
      run.eventLogs as AsyncGenerator<Record<string, unknown>>,
    );
    execution.done = run.result.then(
      async (output: unknown) => {
        this.dropParkedTasks(executionArn);
        // The history is complete before the status says the execution stopped, as on AWS.
        await recordHistory;
        execution.output = JSON.stringify(output ?? null);
        execution.stopDate = new Date();
        execution.status = "SUCCEEDED";
      },
      async (error: Error & { cause?: unknown }) => {
        this.dropParkedTasks(executionArn);
        await recordHistory;
        // The interpreter wraps a state's error in its own ExecutionError; AWS reports the state's.
        const failure =
          error.name === "ExecutionError" && error.cause instanceof Error ? error.cause : error;
        execution.error = failure.name;
        execution.cause =
          typeof failure.cause === "string" ? failure.cause : (failure as Error).message;
        execution.stopDate = new Date();
        execution.status =
          error.name === "ExecutionAbortedError"
            ? "ABORTED"
            : error.name === "ExecutionTimeoutError"
              ? "TIMED_OUT"
              : "FAILED";
      },
    );
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

  /** Every execution, oldest first (tests and tools; the API pages with `listExecutionsPage`). */
  listExecutions(): Execution[] {
    return [...this.executions.values()];
  }

  /** ListExecutions: newest first, filtered by status, in pages of `maxResults`. */
  listExecutionsPage(query: ListExecutionsQuery): { executions: Execution[]; nextToken?: string } {
    this.assertStateMachine(query.stateMachineArn);
    const maxResults = query.maxResults || 100;
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
      throw new ServiceError("ValidationException", "maxResults must be between 0 and 1000");
    }
    if (
      query.statusFilter !== undefined &&
      !(EXECUTION_STATUSES as readonly string[]).includes(query.statusFilter)
    ) {
      throw new ServiceError("ValidationException", `unknown statusFilter ${query.statusFilter}`);
    }
    let after = Number.POSITIVE_INFINITY;
    if (query.nextToken !== undefined) {
      const token = decodePageToken(query.nextToken);
      if (
        token?.stateMachineArn !== query.stateMachineArn ||
        token.statusFilter !== query.statusFilter
      ) {
        throw new ServiceError("InvalidToken", "Invalid Token: nextToken is not from this query");
      }
      after = token.after;
    }
    const matching = [...this.executions.values()]
      .map((execution) => ({ execution, seq: this.sequence.get(execution.executionArn) ?? 0 }))
      .filter(
        ({ execution, seq }) =>
          seq < after &&
          execution.stateMachineArn === query.stateMachineArn &&
          (query.statusFilter === undefined || execution.status === query.statusFilter),
      )
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, maxResults);
    const last = page.at(-1);
    return {
      executions: page.map(({ execution }) => execution),
      ...(matching.length > maxResults && last
        ? {
            nextToken: encodePageToken({
              stateMachineArn: query.stateMachineArn,
              ...(query.statusFilter === undefined ? {} : { statusFilter: query.statusFilter }),
              after: last.seq,
            }),
          }
        : {}),
    };
  }

  stopExecution(executionArn: string): void {
    const execution = this.describeExecution(executionArn);
    if (execution.status === "RUNNING") execution.abort();
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    const parsed = parseJson(output, "InvalidOutput");
    this.takeParked(taskToken).resolve(parsed);
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

  /** Whether the execution waits for a task token now (its token is stored, a signal may come). */
  isWaiting(executionArn: string): boolean {
    for (const task of this.parked.values()) if (task.executionArn === executionArn) return true;
    return false;
  }

  /**
   * Times out now every parked `.waitForTaskToken` task (of the executions whose name `filter`
   * accepts), exactly as its TimeoutSeconds(Path) would: the task fails with the interpreter's own
   * `States.Timeout` error (Error and Cause both `States.Timeout`), so the state's Retry/Catch on
   * `States.Timeout` runs, the history shows TaskTimedOut, and a late signal with its token gets
   * TaskTimedOut. Lets tests and chaos runs fire deadlines without sleeping. Answers how many
   * waits it ended.
   */
  expireWaits(filter: (executionName: string) => boolean = () => true): number {
    let expired = 0;
    for (const [token, task] of [...this.parked]) {
      const name = this.executions.get(task.executionArn)?.name;
      if (name === undefined || !filter(name)) continue;
      this.parked.delete(token);
      task.reject(statesTimeout());
      expired += 1;
    }
    return expired;
  }

  /**
   * The wait a token belongs to. A token this service never issued is InvalidToken; one whose
   * wait is over (signalled, timed out, or its execution stopped) is TaskTimedOut, as AWS answers.
   */
  private takeParked(taskToken: string): ParkedTask {
    const task = this.parked.get(taskToken);
    if (!task) {
      if (!this.issuedTokens.has(taskToken)) {
        throw new ServiceError("InvalidToken", "Invalid Token: this task token was never issued");
      }
      throw new ServiceError("TaskTimedOut", "Task Timed Out: the task is no longer waiting");
    }
    this.parked.delete(taskToken);
    return task;
  }

  /**
   * Ends the waits of an execution that stopped. Each is settled, not only forgotten: the
   * interpreter clears a task's timeout timer only when the task settles, and a wait of days
   * would otherwise keep the process alive after `stop()`.
   */
  private dropParkedTasks(executionArn: string) {
    for (const [token, task] of this.parked) {
      if (task.executionArn !== executionArn) continue;
      this.parked.delete(token);
      task.reject(namedError("States.Runtime", "the execution stopped"));
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
      const timestamp = new Date(Number(event.timestamp));
      this.appendHistory(execution, {
        timestamp,
        type: historyType(String(event.type), state?.type, event.Error),
        ...(stateName ? { stateName } : {}),
        ...(typeof event.Error === "string" ? { error: event.Error } : {}),
        ...(typeof event.Cause === "string" ? { cause: event.Cause } : {}),
      });
      // A Task calls its resource on entry and again on each retry.
      const resource = stateName ? this.states[stateName]?.Resource : undefined;
      if (resource && (event.type === "StateEntered" || event.type === "StateRetried")) {
        this.appendHistory(execution, { timestamp, stateName, ...scheduledEvent(resource) });
      }
    }
  }

  private appendHistory(execution: Execution, event: Omit<HistoryEvent, "id">) {
    execution.history.push({ id: execution.history.length + 1, ...event });
  }

  /** One local handler per Task state of the definition, chosen by the state's resource. */
  private taskHandlers(executionArn: string): Record<string, TaskHandler> {
    const handlers: Record<string, TaskHandler> = {};
    for (const [stateName, state] of Object.entries(this.states)) {
      if (state.Type !== "Task" || !state.Resource) continue;
      handlers[stateName] = this.taskHandler(state, stateName, executionArn);
    }
    return handlers;
  }

  private taskHandler(state: StateDefinition, stateName: string, executionArn: string) {
    const resource = state.Resource ?? "";
    const sdk = /^arn:aws:states:::aws-sdk:dynamodb:(\w+?)(\.waitForTaskToken)?$/.exec(resource);
    if (sdk) {
      const [, action, waits] = sdk;
      if (action !== "updateItem") {
        throw new Error(`state ${stateName}: dynamodb:${action} is not emulated locally`);
      }
      return async (rawInput: unknown) => {
        const { [LOCAL_TIMEOUT_KEY]: localTimeout, ...input } = rawInput as Record<string, unknown>;
        try {
          // Faults on this client (local mode installs them) surface here like AWS errors.
          await this.options.dynamoDb.send(new UpdateItemCommand(input as never));
        } catch (error) {
          throw namedError(integrationErrorName(error as Error), (error as Error).message);
        }
        if (!waits) return {};
        // The token `$$.Task.Token` put in the parameters (the workflow's waits store it as
        // `:wait = { M: { token: { S }, status: { S } } }`): the one this execution was issued.
        const token = stringsIn(input).find(
          (value) => this.issuedTokens.get(value) === executionArn,
        );
        if (!token) throw new Error(`state ${stateName}: no task token in its parameters`);
        const timeoutSeconds =
          Number(localTimeout ?? state.TimeoutSeconds) || INTERPRETER_DEFAULT_TIMEOUT_SECONDS;
        return this.park(token, executionArn, timeoutSeconds);
      };
    }
    if (/^arn:aws[\w-]*:states:::states:startExecution/.test(resource)) {
      if (!/:startExecution$/.test(resource)) {
        throw new Error(`state ${stateName}: only request-response ${resource} runs locally`);
      }
      return (input: unknown) => this.startTarget(input, stateName);
    }
    const handler = this.options.lambdas(resource);
    if (!handler) throw new Error(`state ${stateName}: no local handler for ${resource}`);
    return async (input: unknown) => {
      // The errors Step Functions reports when the Lambda service, not the function, fails.
      const fault = this.options.faults?.draw("stepfunctions", stateName);
      if (fault?.error === "throttle") {
        throw namedError(
          "Lambda.TooManyRequestsException",
          "Rate exceeded (injected by local mode)",
        );
      }
      if (fault?.error === "unavailable") {
        throw namedError("Lambda.ServiceException", "Service unavailable (injected by local mode)");
      }
      const output = await this.track(handler(input));
      if (fault?.error === "timeout") {
        // The function ran; its answer was lost on the way back.
        throw namedError(
          "Lambda.SdkClientException",
          "Unable to execute HTTP request: Read timed out (injected by local mode)",
        );
      }
      return output;
    };
  }

  /**
   * The optimized `states:startExecution` integration (request-response): StartExecution of the
   * state machine its `StateMachineArn` parameter names, answered as `{ ExecutionArn, StartDate }`;
   * the API's errors come back as `StepFunctions.<Name>Exception` (a name in use:
   * StepFunctions.ExecutionAlreadyExistsException, unless it is the same name and input while that
   * execution runs, which is that execution). Faults on `stepfunctions` with the state's name act
   * as for Lambda tasks: throttle and unavailable start nothing, timeout starts it and loses the
   * answer.
   */
  private async startTarget(rawInput: unknown, stateName: string): Promise<unknown> {
    const { [LOCAL_TIMEOUT_KEY]: _timeout, ...parameters } = rawInput as Record<string, unknown>;
    const { StateMachineArn, Name, Input } = parameters as {
      StateMachineArn?: unknown;
      Name?: unknown;
      Input?: unknown;
    };
    const fault = this.options.faults?.draw("stepfunctions", stateName);
    if (fault?.error === "throttle") {
      throw namedError(
        "StepFunctions.ThrottlingException",
        "Rate exceeded (injected by local mode)",
      );
    }
    if (fault?.error === "unavailable") {
      throw namedError(
        "StepFunctions.ServiceUnavailableException",
        "Service unavailable (injected by local mode)",
      );
    }
    const arn = String(StateMachineArn ?? "");
    const target =
      this.options.stateMachines?.(arn) ?? (arn === this.stateMachineArn ? this : undefined);
    let execution: Execution;
    try {
      if (!target) {
        throw new ServiceError(
          "StateMachineDoesNotExist",
          `State Machine Does Not Exist: '${arn}'`,
        );
      }
      execution = target.startExecution(
        Name === undefined ? randomUUID() : String(Name),
        // An object is passed as its JSON; a string as it is.
        typeof Input === "string" ? Input : JSON.stringify(Input ?? {}),
        arn,
      );
    } catch (error) {
      const name = error instanceof ServiceError ? error.name : "SfnException";
      throw namedError(startErrorName(name), (error as Error).message);
    }
    if (fault?.error === "timeout") {
      throw namedError(
        "StepFunctions.SdkClientException",
        "Unable to execute HTTP request: Read timed out (injected by local mode)",
      );
    }
    return { ExecutionArn: execution.executionArn, StartDate: execution.startDate.toISOString() };
  }

  /** Tracked, because aborting an execution does not stop a task already running. */
  private track<T>(running: Promise<T>): Promise<T> {
    this.runningTasks.add(running);
    const forget = () => this.runningTasks.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Parks a task until SendTask* or its timeout. The interpreter enforces the timeout itself; the
   * token is dropped at the same moment so a late signal gets TaskTimedOut, as on AWS.
   */
  private park(token: string, executionArn: string, timeoutSeconds: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.parked.delete(token), timeoutSeconds * 1000);
      timer.unref();
      const settle =
        <T>(then: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          then(value);
        };
      this.parked.set(token, { executionArn, resolve: settle(resolve), reject: settle(reject) });
    });
  }
}

const parseJson = (text: string, errorName: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError(errorName, `${errorName}: not valid JSON`);
  }
};

const encodePageToken = (token: PageToken): string =>
  Buffer.from(JSON.stringify(token)).toString("base64url");

const decodePageToken = (text: string): PageToken | undefined => {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as PageToken;
    return typeof token.after === "number" ? token : undefined;
  } catch {
    return undefined;
  }
};
