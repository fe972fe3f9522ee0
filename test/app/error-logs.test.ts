// What the functions log about an error, and what an error that leaves the workflow's functions
// carries (the Lambda runtime logs it, Step Functions keeps it in the execution's history): the
// name, code, status and ids of any error, its message only when the service raised it.
import { describe, expect, it } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import { errorFields, WITHHELD_MESSAGE, withheld } from "../../functions/app/error-fields.ts";
import { ConflictError } from "../../functions/app/errors.ts";
import type { ReconcileDeps } from "../../functions/app/reconcile.ts";
import { DomainError } from "../../functions/domain/events.ts";
import { createHandler as createReconcileHandler } from "../../functions/workflow/reconcile.ts";
import { createHandler as createStepHandler } from "../../functions/workflow/step.ts";
import { captureLogs } from "../support/http-app.ts";
import { lambdaContext } from "../support/http-events.ts";
import { Machine, ORDER, requested, SELLER, worldWithOrder } from "./world.ts";

const EMAIL = "taro.yamada@example.com";

/** A DynamoDB condition failure as the AWS SDK raises it, its message quoting a stored value. */
const conditionFailed = () =>
  Object.assign(
    new Error(`The conditional request failed: buyerEmail was ${EMAIL}, expected another`),
    {
      name: "ConditionalCheckFailedException",
      Code: "ConditionalCheckFailedException",
      $fault: "client",
      $metadata: { httpStatusCode: 400, requestId: "REQ-42" },
    },
  );

describe("errorFields", () => {
  it("gives an AWS SDK error's name, code, status, request id and frames, never its message", () => {
    const fields = errorFields(conditionFailed());
    expect(fields).toEqual({
      name: "ConditionalCheckFailedException",
      code: "ConditionalCheckFailedException",
      httpStatusCode: 400,
      awsRequestId: "REQ-42",
      fault: "client",
      stack: expect.arrayContaining([expect.stringMatching(/^at /)]),
    });
    expect(JSON.stringify(fields)).not.toContain(EMAIL);
  });

  it("withholds the messages of runtime errors too (JSON.parse quotes its input)", () => {
    let parseError: unknown;
    try {
      JSON.parse(`{"email": ${EMAIL}}`);
    } catch (error) {
      parseError = error;
    }
    const fields = errorFields(parseError);
    expect(fields.name).toBe("SyntaxError");
    expect(JSON.stringify(fields)).not.toContain("taro");
  });

  it("keeps the message of the service's own errors, and their code", () => {
    expect(errorFields(new DomainError("NOT_FOUND", "the order is gone"))).toMatchObject({
      name: "DomainError",
      message: "the order is gone",
      code: "NOT_FOUND",
    });
    expect(errorFields(new ConflictError())).toMatchObject({
      name: "ConflictError",
      message: "the order changed concurrently",
    });
  });

  it("summarizes the cause the same way", () => {
    const error = new ConflictError();
    error.cause = conditionFailed();
    const fields = errorFields(error);
    expect(fields.cause).toMatchObject({
      name: "ConditionalCheckFailedException",
      code: expect.any(String),
    });
    expect(JSON.stringify(fields)).not.toContain(EMAIL);
  });

  it("names what is thrown that is not an Error by its type only", () => {
    expect(errorFields(`secret ${EMAIL}`)).toEqual({ name: "string" });
  });
});

describe("withheld", () => {
  it("rethrows a foreign error under its own name, its message withheld, its frames kept", () => {
    const original = conditionFailed();
    const safe = withheld(original);
    expect(safe.name).toBe("ConditionalCheckFailedException");
    expect(safe.message).toBe(WITHHELD_MESSAGE);
    expect(safe.stack).not.toContain(EMAIL);
    expect(safe.stack?.split("\n")[0]).toBe(`ConditionalCheckFailedException: ${WITHHELD_MESSAGE}`);
    expect(safe.stack?.split("\n")[1]).toBe(original.stack?.split("\n")[1]);
  });

  it("lets the service's own errors through as they are", () => {
    const own = new DomainError("NOT_FOUND", "the order is gone");
    expect(withheld(own)).toBe(own);
  });
});

describe("the workflow step", () => {
  it("logs a failed AWS call by name, code and ids, and fails under that name without its message", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    const step = createStepHandler(() => ({
      ...world.segmentDeps(),
      orders: {
        ...world.table,
        get: async () => {
          throw conditionFailed();
        },
      } as never,
      executionRecords: world.table,
    }));
    const logs = captureLogs();
    const failed = step(
      { orderId: ORDER, requestId, action: "START", correlationId: "corr-1" },
      lambdaContext(),
    ).finally(logs.stop);
    await expect(failed).rejects.toMatchObject({
      name: "ConditionalCheckFailedException",
      message: WITHHELD_MESSAGE,
    });
    expect(logs.lines).toHaveLength(1);
    const [line] = logs.lines;
    expect(JSON.stringify(line)).not.toContain(EMAIL);
    expect(line).toMatchObject({
      level: "ERROR",
      correlation_id: "corr-1",
      function_request_id: expect.any(String),
      orderId: ORDER,
      requestId,
      error: {
        name: "ConditionalCheckFailedException",
        code: "ConditionalCheckFailedException",
        httpStatusCode: 400,
        awsRequestId: "REQ-42",
      },
    });
    expect(line?.error).not.toHaveProperty("message");
  });

  it("keeps RefundCallFailed's message (the provider error's name, which REFUND_FAILED records)", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    await new Machine(world).start(requestId);
    world.clock.advance(3600);
    await changeOrder(world.changeDeps(), ORDER, {
      type: "SELLER_DECIDE",
      actor: SELLER,
      requestId,
      decision: "APPROVE",
    });
    // The provider's own message quotes the buyer's address.
    Object.assign(world.payments.outage, {
      check: () => {
        throw Object.assign(new Error(`card holder ${EMAIL} unavailable`), {
          name: "ProviderUnavailable",
          $metadata: { httpStatusCode: 503 },
        });
      },
    });
    const step = createStepHandler(() => ({
      ...world.segmentDeps(),
      executionRecords: world.table,
    }));
    const logs = captureLogs();
    const failed = step({ orderId: ORDER, requestId, action: "CONTINUE" }).finally(logs.stop);
    await expect(failed).rejects.toMatchObject({
      name: "RefundCallFailed",
      message: "ProviderUnavailable",
    });
    const errors = logs.lines.filter((line) => line.level === "ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      error: {
        name: "RefundCallFailed",
        message: "ProviderUnavailable",
        cause: { name: "ProviderUnavailable", httpStatusCode: 503 },
      },
    });
    expect(JSON.stringify(logs.lines)).not.toContain(EMAIL);
  });
});

describe("the reconciler", () => {
  it("logs what stopped a sweep without its message, and fails under its name", async () => {
    const reconcile = createReconcileHandler((): ReconcileDeps => {
      throw conditionFailed();
    });
    const logs = captureLogs();
    const failed = reconcile({}, lambdaContext()).finally(logs.stop);
    await expect(failed).rejects.toMatchObject({
      name: "ConditionalCheckFailedException",
      message: WITHHELD_MESSAGE,
    });
    expect(logs.lines).toEqual([
      expect.objectContaining({
        level: "ERROR",
        error: expect.objectContaining({
          name: "ConditionalCheckFailedException",
          httpStatusCode: 400,
        }),
      }),
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain(EMAIL);
  });
});
