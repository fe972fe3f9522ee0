// The local Step Functions endpoint: the AWS JSON 1.0 protocol (`X-Amz-Target:
// AWSStepFunctions.<Action>`) over one LocalStepFunctions per state machine, so the unchanged SFN
// client in the handlers talks to it through AWS_ENDPOINT_URL_SFN. Calls are routed as AWS routes
// them: by state machine ARN, by execution ARN, or by the machine that issued a task token.
// (An SDK client calling StartSyncExecution here needs `disableHostPrefix: true`: the SDK sends
// that operation to the `sync-` host of an endpoint.)
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { guardHost } from "./host-guard.ts";
import type {
  Execution,
  ExecutionStatus,
  HistoryEvent,
  LocalStepFunctions,
} from "./step-functions.ts";
import { REDRIVABLE_STATUSES, ServiceError } from "./step-functions.ts";

const epochSeconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

const describe = (execution: Execution) => ({
  executionArn: execution.executionArn,
  stateMachineArn: execution.stateMachineArn,
  name: execution.name,
  status: execution.status,
  startDate: epochSeconds(execution.startDate),
  stopDate: epochSeconds(execution.stopDate),
  input: execution.input,
  output: execution.output,
  error: execution.error,
  cause: execution.cause,
  redriveCount: execution.redriveCount,
  redriveDate: epochSeconds(execution.redriveDate),
  redriveStatus: REDRIVABLE_STATUSES.has(execution.status) ? "REDRIVABLE" : "NOT_REDRIVABLE",
});

/** History events in GetExecutionHistory's shape (no execution data, as the stack logs it). */
const historyEvent = (event: HistoryEvent, region: string) => ({
  id: event.id,
  previousEventId: event.id - 1,
  timestamp: epochSeconds(event.timestamp),
  type: event.type,
  ...(event.stateName && event.type.endsWith("Entered")
    ? { stateEnteredEventDetails: { name: event.stateName } }
    : {}),
  ...(event.stateName && event.type.endsWith("Exited")
    ? { stateExitedEventDetails: { name: event.stateName } }
    : {}),
  ...(event.error ? { taskFailedEventDetails: { error: event.error, cause: event.cause } } : {}),
  ...(event.type === "LambdaFunctionScheduled"
    ? { lambdaFunctionScheduledEventDetails: { resource: event.resource } }
    : {}),
  ...(event.type === "TaskScheduled"
    ? {
        taskScheduledEventDetails: {
          resourceType: event.resourceType,
          resource: event.resource,
          region,
        },
      }
    : {}),
});

type Body = Record<string, unknown>;
const text = (body: Body, key: string): string => {
  const value = body[key];
  if (typeof value !== "string")
    throw new ServiceError("ValidationException", `${key} is required`);
  return value;
};

/** The machines behind the endpoint, found the way AWS resolves each kind of identifier. */
class Machines {
  constructor(private readonly machines: readonly LocalStepFunctions[]) {}

  byArn(stateMachineArn: string): LocalStepFunctions {
    const machine = this.machines.find((m) => m.stateMachineArn === stateMachineArn);
    if (!machine) {
      throw new ServiceError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return machine;
  }

  byExecution(executionArn: string): LocalStepFunctions {
    const machine = this.machines.find((m) => m.hasExecution(executionArn));
    if (!machine) {
      throw new ServiceError(
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${executionArn}'`,
      );
    }
    return machine;
  }

  /** The machine that issued a token; an unknown token goes to the first, which refuses it. */
  byToken(taskToken: string): LocalStepFunctions {
    const machine = this.machines.find((m) => m.issuedToken(taskToken)) ?? this.machines[0];
    if (!machine) throw new ServiceError("InvalidToken", "Invalid Token");
    return machine;
  }
}

type Action = (body: Body) => object | Promise<object>;

const actions = (machines: Machines): Record<string, Action> => ({
  StartExecution: (body) => {
    const stateMachineArn = text(body, "stateMachineArn");
    const execution = machines.byArn(stateMachineArn).startExecution(
      // AWS names an unnamed execution with a UUID.
      body.name === undefined ? randomUUID() : text(body, "name"),
      typeof body.input === "string" ? body.input : "{}",
      stateMachineArn,
    );
    return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
  },
  StartSyncExecution: async (body) => {
    const stateMachineArn = text(body, "stateMachineArn");
    const execution = await machines
      .byArn(stateMachineArn)
      .startSyncExecution(
        body.name === undefined ? randomUUID() : text(body, "name"),
        typeof body.input === "string" ? body.input : "{}",
        stateMachineArn,
      );
    const { executionArn, name, status, input, output, error, cause } = execution;
    return {
      executionArn,
      stateMachineArn,
      name,
      startDate: epochSeconds(execution.startDate),
      stopDate: epochSeconds(execution.stopDate),
      status,
      input,
      ...(output === undefined ? {} : { output }),
      ...(error === undefined ? {} : { error }),
      ...(cause === undefined ? {} : { cause }),
    };
  },
  RedriveExecution: (body) => {
    const executionArn = text(body, "executionArn");
    const execution = machines.byExecution(executionArn).redriveExecution(executionArn);
    return { redriveDate: epochSeconds(execution.redriveDate) };
  },
  DescribeExecution: (body) => {
    const executionArn = text(body, "executionArn");
    return describe(machines.byExecution(executionArn).describeExecution(executionArn));
  },
  GetExecutionHistory: (body) => {
    const executionArn = text(body, "executionArn");
    const execution = machines.byExecution(executionArn).describeExecution(executionArn);
    const region = execution.executionArn.split(":")[3] ?? "";
    const events = execution.history.map((event) => historyEvent(event, region));
    return { events: body.reverseOrder === true ? events.reverse() : events };
  },
  ListExecutions: (body) => {
    const stateMachineArn = text(body, "stateMachineArn");
    const page = machines.byArn(stateMachineArn).listExecutionsPage({
      stateMachineArn,
      ...(body.statusFilter === undefined
        ? {}
        : { statusFilter: text(body, "statusFilter") as ExecutionStatus }),
      ...(typeof body.maxResults === "number" ? { maxResults: body.maxResults } : {}),
      ...(body.nextToken === undefined ? {} : { nextToken: text(body, "nextToken") }),
    });
    return {
      executions: page.executions.map((execution) => {
        const {
          input: _input,
          output: _output,
          error: _error,
          cause: _cause,
          redriveStatus: _redriveStatus,
          ...summary
        } = describe(execution);
        return summary;
      }),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  },
  SendTaskSuccess: (body) => {
    const taskToken = text(body, "taskToken");
    machines
      .byToken(taskToken)
      .sendTaskSuccess(taskToken, typeof body.output === "string" ? body.output : "{}");
    return {};
  },
  SendTaskFailure: (body) => {
    const taskToken = text(body, "taskToken");
    machines
      .byToken(taskToken)
      .sendTaskFailure(
        taskToken,
        typeof body.error === "string" ? body.error : "",
        typeof body.cause === "string" ? body.cause : "",
      );
    return {};
  },
  StopExecution: (body) => {
    const executionArn = text(body, "executionArn");
    machines.byExecution(executionArn).stopExecution(executionArn);
    return { stopDate: Date.now() / 1000 };
  },
});

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const reply = (response: ServerResponse, status: number, body: object) => {
  response
    .writeHead(status, { "content-type": "application/x-amz-json-1.0" })
    .end(JSON.stringify(body));
};

/** Serves the given state machines (one, or every state machine of a template). */
export const startSfnEndpoint = async (
  served: LocalStepFunctions | readonly LocalStepFunctions[],
): Promise<{ server: Server; endpoint: string }> => {
  const handlers = actions(new Machines(Array.isArray(served) ? served : [served]));
  const server = createServer(async (request, response) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    const action = target.startsWith("AWSStepFunctions.")
      ? target.slice("AWSStepFunctions.".length)
      : "";
    try {
      const handle = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
      if (!handle)
        throw new ServiceError("UnknownOperationException", `${target} is not emulated locally`);
      const raw = await readBody(request);
      reply(response, 200, await handle(raw ? (JSON.parse(raw) as Body) : {}));
    } catch (error) {
      const name = error instanceof ServiceError ? error.name : "InternalFailure";
      reply(response, name === "InternalFailure" ? 500 : 400, {
        __type: name,
        message: (error as Error).message,
      });
    }
  });
  // Only requests addressed to it, from no other page (host-guard.ts).
  guardHost(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null)
    throw new Error("SFN endpoint has no address");
  return { server, endpoint: `http://127.0.0.1:${address.port}` };
};
