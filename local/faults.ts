// Fault injection for local mode: AWS-shaped errors on the calls the handlers and the workflow make.
import { randomUUID } from "node:crypto";
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import { EventBridgeServiceException } from "@aws-sdk/client-eventbridge";
import { SESServiceException } from "@aws-sdk/client-ses";
import { SFNServiceException } from "@aws-sdk/client-sfn";
import type {
  AbsoluteLocation,
  FinalizeHandler,
  FinalizeHandlerArguments,
  FinalizeHandlerOutput,
  FinalizeRequestHandlerOptions,
  HandlerExecutionContext,
  MetadataBearer,
} from "@smithy/types";
import * as z from "../functions/domain/zod.ts";

export const FAULT_TARGETS = [
  "dynamodb",
  "stepfunctions",
  "ses",
  "eventbridge",
  "payments",
  "pipes",
  "stripe",
] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];
/**
 * The targets whose faults local/ stand-ins inject themselves rather than an SDK client's
 * middleware: the payment provider (local/payments.ts), the stream pipe (local/pipes.ts:
 * `unavailable` on its polls, `throttle` and `timeout` on its deliveries) and the Stripe
 * stand-in (local/stripe/server.ts: 429, 500, a dropped answer, and `pending` refunds).
 */
const STAND_IN_TARGETS = ["payments", "pipes", "stripe"] as const;
/** The targets that are AWS SDK clients' services. */
export type AwsFaultTarget = Exclude<FaultTarget, (typeof STAND_IN_TARGETS)[number]>;
const AWS_FAULT_TARGETS = FAULT_TARGETS.filter((target): target is AwsFaultTarget =>
  (STAND_IN_TARGETS as readonly string[]).every((standIn) => standIn !== target),
);

/** "UpdateItemCommand", "UpdateItem" and "updateItem" all name the same operation. */
const operationKey = (name: string): string => name.toLowerCase().replace(/command$/, "");

export const FAULT_ERRORS = ["throttle", "unavailable", "timeout", "declined", "pending"] as const;
export type FaultErrorKind = (typeof FAULT_ERRORS)[number];

/**
 * The Stripe stand-in's webhook deliveries, as a fault's `operation` (local/stripe/webhooks.ts):
 * `unavailable` loses a delivery (never sent, nor sent again), `timeout` loses the service's
 * answer (so the event is sent again), `throttle` holds it back (sent late). Only faults that name
 * it hit deliveries; a `stripe` fault without an operation hits the API's calls alone.
 */
export const STRIPE_WEBHOOK_OPERATION = "webhook";

/** What a stand-in may say of a call beyond its target, operation and the errors it can suffer. */
export interface DrawContext {
  /** Only faults that name the call's operation hit it (a fault without one does not). */
  namedOnly?: boolean;
  /**
   * What the call is about (the Stripe stand-in: the PaymentIntent of the call or the event).
   * FaultInjector does not look at it; an injector that keeps faults per order (the chaos
   * harness's) draws from the faults of the order it belongs to.
   */
  subject?: string;
}

/** The body of `POST /_local/faults` (SPEC "Local mode"); unknown fields are rejected. */
export const faultSpecSchema = z
  .strictObject({
    target: z.enum(FAULT_TARGETS),
    /**
     * An API operation (`UpdateItem`), a state name (`ContinueAfterWait`, `StartRequestWorkflow`),
     * for payments a refund method (`CARD`), for pipes `GetRecords` (its polls) or
     * `StartSyncExecution` (its deliveries), for stripe the SDK's call (`refunds.create`) or
     * `webhook` (its deliveries to the service, which only a fault naming it hits).
     */
    operation: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    error: z.enum(FAULT_ERRORS),
    rate: z._default(z.number().check(z.minimum(0), z.maximum(1)), 1),
    count: z.optional(z.int().check(z.minimum(1))),
  })
  .check(
    z.refine((spec) => spec.error !== "declined" || spec.target === "payments", {
      path: ["error"],
      message: "declined is only valid for target payments",
    }),
    // A refund that waits: Stripe's own answer, which the ledger never gives.
    z.refine((spec) => spec.error !== "pending" || spec.target === "stripe", {
      path: ["error"],
      message: "pending is only valid for target stripe",
    }),
    // A webhook delivery is lost, answered unheard or held back: never a decline or a pending.
    z.refine(
      (spec) =>
        spec.target !== "stripe" ||
        spec.operation === undefined ||
        operationKey(spec.operation) !== STRIPE_WEBHOOK_OPERATION ||
        spec.error === "throttle" ||
        spec.error === "unavailable" ||
        spec.error === "timeout",
      {
        path: ["error"],
        message: "a stripe webhook fault is throttle, unavailable or timeout",
      },
    ),
  );

/** What a caller asks for (`rate` defaults to 1, every call). */
export type FaultSpec = z.input<typeof faultSpecSchema>;

export interface Fault {
  faultId: string;
  target: FaultTarget;
  operation?: string;
  error: FaultErrorKind;
  rate: number;
  /** Fires at most this many times, then stops matching. */
  count?: number;
  /** How many calls it has failed so far. */
  fired: number;
}

export class FaultInjector {
  private readonly faults: Fault[] = [];
  private readonly random: () => number;

  /** `random` decides each `rate` roll (tests pass a fixed sequence). */
  constructor(options: { random?: () => number } = {}) {
    this.random = options.random ?? Math.random;
  }

  add(spec: FaultSpec): Fault {
    const parsed = faultSpecSchema.parse(spec);
    const fault: Fault = {
      faultId: randomUUID(),
      target: parsed.target,
      ...(parsed.operation === undefined ? {} : { operation: parsed.operation }),
      error: parsed.error,
      rate: parsed.rate,
      ...(parsed.count === undefined ? {} : { count: parsed.count }),
      fired: 0,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Removes every fault; answers how many there were. */
  clear(): number {
    return this.faults.splice(0).length;
  }

  /**
   * The fault this call suffers, if any: each live fault for the target (and the operation, when
   * the fault names one, or must name one with `context.namedOnly`; and of one of `errors`, when
   * given) fires with probability `rate`, tried in the order they were added; the first that fires
   * is the one.
   */
  draw(
    target: FaultTarget,
    operation?: string,
    /** Only faults of these kinds can hit this call (a pipe's poll is only ever unavailable). */
    errors?: readonly FaultErrorKind[],
    context: DrawContext = {},
  ): Fault | undefined {
    const key = operation === undefined ? undefined : operationKey(operation);
    const fault = this.faults.find(
      (candidate) =>
        candidate.target === target &&
        (errors === undefined || errors.includes(candidate.error)) &&
        (candidate.count === undefined || candidate.fired < candidate.count) &&
        (candidate.operation === undefined
          ? context.namedOnly !== true
          : operationKey(candidate.operation) === key) &&
        this.random() < candidate.rate,
    );
    if (!fault) return undefined;
    fault.fired += 1;
    return { ...fault };
  }
}

const INJECTED = "(injected by local mode)";

/** Node's socket timeout, as @smithy/node-http-handler raises it: the SDK retries it. */
const timeoutError = (operation: string): Error =>
  Object.assign(new Error(`${operation}: the request socket timed out ${INJECTED}`), {
    name: "TimeoutError",
    code: "ETIMEDOUT",
  });

/**
 * The error a call fails with, shaped as the service's own (name, `$fault`, `$metadata`) so the
 * SDK's retry strategy and application code classify it exactly as a real one.
 */
export const faultError = (
  target: AwsFaultTarget,
  kind: "throttle" | "unavailable" | "timeout",
  operation: string,
): Error => {
  if (kind === "timeout") return timeoutError(operation);
  const message = `${operation}: ${kind === "throttle" ? "Rate exceeded" : "Service unavailable"} ${INJECTED}`;
  if (target === "dynamodb") {
    return kind === "throttle"
      ? new ProvisionedThroughputExceededException({ message, $metadata: { httpStatusCode: 400 } })
      : new InternalServerError({ message, $metadata: { httpStatusCode: 500 } });
  }
  const ServiceException = {
    ses: SESServiceException,
    stepfunctions: SFNServiceException,
    eventbridge: EventBridgeServiceException,
  }[target];
  return kind === "throttle"
    ? new ServiceException({
        // SES's query API names it `Throttling`; JSON-protocol services `ThrottlingException`.
        name: target === "ses" ? "Throttling" : "ThrottlingException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
        message,
      })
    : new ServiceException({
        name: "ServiceUnavailable",
        $fault: "server",
        $metadata: { httpStatusCode: 503 },
        message,
      });
};

export const FAULT_MIDDLEWARE_NAME = "localFaults";

/** A finalizeRequest middleware as any client's stack takes it (each has its own I/O types). */
export type FaultMiddleware = <Input extends object, Output extends MetadataBearer>(
  next: FinalizeHandler<Input, Output>,
  context: HandlerExecutionContext,
) => FinalizeHandler<Input, Output>;

/**
 * Fails calls of `target`'s client with drawn faults. It runs in the finalizeRequest step after
 * the retry middleware, so every attempt draws anew and the SDK retries an injected error the way
 * it retries a real one. `timeout` lets the request through first: AWS applied it, the answer was
 * lost.
 */
export const faultMiddleware =
  (injector: FaultInjector, target: AwsFaultTarget): FaultMiddleware =>
  <Input extends object, Output extends MetadataBearer>(
    next: FinalizeHandler<Input, Output>,
    context: HandlerExecutionContext,
  ) =>
  async (args: FinalizeHandlerArguments<Input>): Promise<FinalizeHandlerOutput<Output>> => {
    const operation = String(context.commandName ?? "").replace(/Command$/, "");
    const fault = injector.draw(target, operation);
    if (!fault || fault.error === "declined" || fault.error === "pending") return next(args);
    if (fault.error === "timeout") await next(args);
    throw faultError(target, fault.error, operation);
  };

/** The finalizeRequest placement: low priority puts it after (inside) `retryMiddleware`. */
const PLACEMENT: FinalizeRequestHandlerOptions & AbsoluteLocation = {
  step: "finalizeRequest",
  priority: "low",
  name: FAULT_MIDDLEWARE_NAME,
  tags: ["LOCAL_FAULTS"],
  // Installing again (a second local mode in one process) replaces rather than doubles it.
  override: true,
};

/** Any AWS SDK v3 client, or a DynamoDB document client (which shares its client's stack). */
export interface FaultableClient {
  middlewareStack: {
    add(
      middleware: FaultMiddleware,
      options: FinalizeRequestHandlerOptions & AbsoluteLocation,
    ): void;
  };
}

/** Adds the fault middleware to each client, once per client whatever the number of calls. */
export const installFaults = (
  injector: FaultInjector,
  clients: Partial<Record<AwsFaultTarget, FaultableClient[]>>,
): void => {
  for (const target of AWS_FAULT_TARGETS) {
    for (const client of clients[target] ?? []) {
      client.middlewareStack.add(faultMiddleware(injector, target), PLACEMENT);
    }
  }
};
