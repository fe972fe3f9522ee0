// The OpenAPI document: generated from the code, valid OpenAPI 3.1, committed without drift, and
// its response schemas agree with the views the handlers render.
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import {
  publicOrderSchema,
  publicRequestSchema,
  requestSummarySchema,
} from "../../functions/domain/view-schemas.ts";
import { toPublicOrder, toPublicRequest, toRequestSummary } from "../../functions/domain/views.ts";
import * as z from "../../functions/domain/zod.ts";
import { refundRetrySchema } from "../../functions/http/retry-refund.ts";
import { ROUTES } from "../../functions/http/routes.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { refundRetryBodySchema } from "../../infra/openapi/components.ts";
import { buildOpenApi, OPENAPI_FILE, renderOpenApi } from "../../infra/openapi/document.ts";
import { makeOrder, makeRecord, makeRequest } from "../support/factories.ts";

type Paths = Record<
  string,
  Record<string, { responses: Record<string, unknown>; security: Record<string, string[]>[] }>
>;

describe("OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(buildOpenApi());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("is committed as generated (run `npm run openapi` after changing routes or schemas)", async () => {
    const committed = await readFile(path.join(PROJECT_ROOT, OPENAPI_FILE), "utf8");
    expect(committed).toBe(renderOpenApi());
  });

  it("has every route of the route table, with its security", () => {
    const paths = buildOpenApi().paths as Paths;
    const operations = Object.entries(paths).flatMap(([p, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`),
    );
    expect(operations.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const operation = paths[route.path]?.[route.method.toLowerCase()];
      const expected =
        route.access.kind === "public"
          ? []
          : route.access.kind === "scope"
            ? [{ machineClient: [route.access.scope] }]
            : [{ userToken: [...route.access.roles] }];
      expect(operation?.security, route.id).toEqual(expected);
    }
  });

  it("documents the problem responses of guarded routes", () => {
    const paths = buildOpenApi().paths as Paths;
    const getOrder = paths["/orders/{orderId}"]?.get?.responses ?? {};
    expect(Object.keys(getOrder).sort()).toEqual(["200", "400", "401", "403", "404", "500", "503"]);
    const ask = paths["/orders/{orderId}/cancellation-requests"]?.post?.responses ?? {};
    expect(JSON.stringify(ask["409"])).toContain("IDEMPOTENCY_KEY_MISMATCH");
    expect(JSON.stringify(ask["409"])).toContain("application/problem+json");
  });

  it("documents the queues' items as request summaries, and the POST's answer as REQUESTED", () => {
    const document = buildOpenApi();
    const paths = document.paths as Paths;
    const schemaOf = (path: string, method: string, status: string) => {
      const response = paths[path]?.[method]?.responses[status] as
        | { content?: Record<string, unknown> }
        | undefined;
      return JSON.stringify(response?.content ?? {});
    };
    for (const queue of ["/seller/cancellation-requests", "/operator/cancellation-requests"]) {
      expect(schemaOf(queue, "get", "200")).toContain(
        '"$ref":"#/components/schemas/CancellationRequestSummaryPage"',
      );
    }
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    expect(JSON.stringify(schemas.CancellationRequestSummaryPage)).toContain(
      '"$ref":"#/components/schemas/CancellationRequestSummary"',
    );
    expect(schemas).not.toHaveProperty("CancellationRequestPage");
    const posted = schemaOf("/orders/{orderId}/cancellation-requests", "post", "202");
    expect(JSON.parse(posted)["application/json"].example.status).toBe("REQUESTED");
  });

  it("documents the refund-retry body the handler validates", () => {
    expect(z.toJSONSchema(refundRetryBodySchema)).toEqual(z.toJSONSchema(refundRetrySchema));
  });
});

describe("view schemas", () => {
  it("parse the views the handlers render", () => {
    const order = makeOrder();
    const completed = makeRequest(order, {
      status: "COMPLETED",
      comment: "no longer needed",
      marketplaceReview: "POLICY",
      rejection: null,
      refund: {
        amount: 5480,
        currency: "JPY",
        method: "CARD",
        status: "SUCCEEDED",
        refundId: "o-1:req-1",
        expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
        instructedAt: "2026-11-21T01:00:00.000Z",
        succeededAt: "2026-11-21T01:00:02.000Z",
        attempts: 1,
        callStartedAt: "2026-11-21T01:00:01.000Z",
        declined: false,
      },
      timeline: [{ at: "2026-11-21T00:00:00.000Z", type: "REQUESTED", actor: "b", note: "x" }],
    });
    const rejected = makeRequest(order, {
      requestId: "req-2",
      status: "REJECTED",
      rejection: { by: "SELLER", reason: "already delivered", at: "2026-11-21T00:00:00.000Z" },
    });
    for (const request of [makeRequest(order), completed, rejected]) {
      expect(publicRequestSchema.safeParse(toPublicRequest(request)).error).toBeUndefined();
    }
    const record = makeRecord(order);
    const view = toPublicOrder(record, order.placedAt, DEFAULT_POLICY);
    expect(publicOrderSchema.safeParse(JSON.parse(JSON.stringify(view))).error).toBeUndefined();
  });

  it("parse the summaries the queues list", () => {
    const order = makeOrder();
    const failed = makeRequest(order, {
      status: "REFUND_FAILED",
      comment: "x".repeat(200),
      marketplaceReview: "OPERATOR",
      refund: {
        amount: 5480,
        currency: "JPY",
        method: "CARD",
        status: "FAILED",
        refundId: "o-1:req-1",
        expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
        instructedAt: "2026-11-21T01:00:00.000Z",
        succeededAt: null,
        attempts: 2,
      },
      timeline: [
        { at: "2026-11-21T00:00:00.000Z", type: "REQUESTED", actor: "b" },
        { at: "2026-11-21T01:00:01.000Z", type: "REFUND_FAILED", actor: "system", note: "boom" },
      ],
    });
    for (const request of [makeRequest(order), failed]) {
      expect(
        requestSummarySchema.safeParse(toRequestSummary(request, order)).error,
      ).toBeUndefined();
    }
  });

  it("refuse server-side fields, and a queue's summary refuses a whole request", () => {
    const request = makeRequest(makeOrder());
    expect(publicRequestSchema.safeParse(request).success).toBe(false);
    expect(requestSummarySchema.safeParse(toPublicRequest(request)).success).toBe(false);
  });
});
