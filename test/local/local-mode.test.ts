// Local mode's own routes on one booted instance: /_local/info (usable by SDK clients with any
// credentials), /_local/faults (managing faults that reach the handlers' SDK clients),
// /_local/sweep (the scheduled functions, now), and the Host and Origin checks in front of them all
// and of every stand-in: no web page can drive local mode.
import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payments } from "../../functions/adapters/production.ts";
import { stripeAccount } from "../../functions/adapters/stripe-account.ts";
import { LocalClient, orderBody } from "../../local/client.ts";
import { FAULT_MIDDLEWARE_NAME } from "../../local/faults.ts";
import { LOCAL_TABLE_NAME, type LocalInfo, type LocalMode, startLocal } from "../../local/start.ts";
import { requestWithHost } from "../support/host-request.ts";

let local: LocalMode;
let api: LocalClient;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
  api = new LocalClient(local.url);
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

describe("the Host check (DNS rebinding)", () => {
  it("mints tokens for its own address only: another Host gets a 403 problem document", async () => {
    const port = Number(new URL(local.url).port);
    const tokenRequest = {
      method: "POST",
      path: "/_local/tokens",
      body: JSON.stringify({ sub: "op-1", groups: ["operators"] }),
    };
    const rebound = await requestWithHost(port, `rebound.example:${port}`, tokenRequest);
    expect(rebound.status).toBe(403);
    expect(rebound.contentType).toBe("application/problem+json");
    expect(JSON.parse(rebound.body)).toMatchObject({ code: "FORBIDDEN" });
    expect(rebound.body).not.toContain("accessToken");
    const own = await requestWithHost(port, `localhost:${port}`, tokenRequest);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toEqual({ accessToken: expect.any(String) });
  });
});

describe("POST /_local/tokens with a carrier", () => {
  /** An order imported and shipped with `carrier`, for fresh parties. */
  const shippedWith = async (carrier: string) => {
    const [system, buyer, seller] = await Promise.all([api.system(), api.buyer(), api.seller()]);
    const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub });
    expect((await api.post("/orders", system, body)).status).toBe(201);
    const orderId = String(body.orderId);
    const shipped = await api.post(`/orders/${orderId}/shipment`, seller, {
      carrier,
      trackingNumber: "4470-1234-5678",
    });
    expect(shipped.status).toBe(200);
    return orderId;
  };

  it("puts the carrier in the token, and only with the carrier scope", async () => {
    const minted = await api.post<{ accessToken: string }>("/_local/tokens", undefined, {
      sub: "carrier-yamato",
      scopes: ["carrier/events"],
      carrier: "yamato",
    });
    expect(minted.status).toBe(200);
    const payload = minted.body.accessToken.split(".")[1] as string;
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toMatchObject({
      sub: "carrier-yamato",
      scope: "carrier/events",
      carrier: "yamato",
    });
    for (const body of [
      { sub: "buyer-1", groups: ["buyers"], carrier: "yamato" },
      { sub: "carrier-1", scopes: ["carrier/events"], carrier: "" },
      { sub: "carrier-1", scopes: ["carrier/events"], carrier: 7 },
    ]) {
      const refused = await api.post("/_local/tokens", undefined, body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: "VALIDATION_FAILED",
        errors: [expect.objectContaining({ path: "carrier" })],
      });
    }
  });

  it("binds the token to its carrier: another carrier's order is 404 on both routes", async () => {
    const orderId = await shippedWith("sagawa");
    const [yamato, sagawa, unbound] = await Promise.all([
      api.carrier("yamato"),
      api.carrier("sagawa"),
      api.carrier(),
    ]);
    const event = { type: "DELIVERY_REFUSED", at: new Date().toISOString() };
    const delivery = { deliveredAt: new Date().toISOString() };
    const tracked = await api.post(`/orders/${orderId}/tracking-events`, yamato, event);
    expect(tracked.status).toBe(404);
    expect(tracked.body).toMatchObject({ code: "NOT_FOUND" });
    expect((await api.post(`/orders/${orderId}/delivery`, yamato, delivery)).status).toBe(404);
    const own = await api.post(`/orders/${orderId}/tracking-events`, sagawa, event);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ orderId, parcel: { status: "REFUSED" } });
    // A token naming no carrier may report for any.
    const back = { type: "RETURNED_TO_SENDER", at: new Date().toISOString() };
    const returned = await api.post(`/orders/${orderId}/tracking-events`, unbound, back);
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ parcel: { status: "RETURNED" } });
  });
});

describe("the Origin check and JSON bodies (a web page the developer visits)", () => {
  const port = () => Number(new URL(local.url).port);
  const fault = JSON.stringify({ target: "dynamodb", error: "throttle" });
  const faultsNow = async () => (await api.get<{ items: unknown[] }>("/_local/faults")).body.items;

  it("refuses a cross-origin text/plain POST to /_local/faults (no preflight) and changes nothing", async () => {
    const own = `127.0.0.1:${port()}`;
    const page = await requestWithHost(port(), own, {
      method: "POST",
      path: "/_local/faults",
      body: fault,
      headers: { "content-type": "text/plain", origin: "http://attacker.example" },
    });
    expect(page.status).toBe(403);
    expect(page.contentType).toBe("application/problem+json");
    expect(JSON.parse(page.body)).toMatchObject({ code: "FORBIDDEN" });
    // A sandboxed frame or a file sends Origin "null": not local mode's own either.
    const sandboxed = await requestWithHost(port(), own, {
      method: "POST",
      path: "/_local/faults",
      body: fault,
      headers: { "content-type": "text/plain", origin: "null" },
    });
    expect(sandboxed.status).toBe(403);
    // Without an Origin, a body that does not say it is JSON is refused as the API refuses it.
    const untyped = await requestWithHost(port(), own, {
      method: "POST",
      path: "/_local/faults",
      body: fault,
      headers: { "content-type": "text/plain" },
    });
    expect(untyped.status).toBe(400);
    expect(JSON.parse(untyped.body)).toMatchObject({
      code: "VALIDATION_FAILED",
      errors: [{ path: "headers.content-type", message: "must be application/json" }],
    });
    expect(await faultsNow()).toEqual([]);
    expect(local.faults.list()).toEqual([]);
  });

  it("takes a JSON POST from its own pages (the console's origin, either name)", async () => {
    for (const origin of [`http://127.0.0.1:${port()}`, `http://localhost:${port()}`]) {
      const response = await requestWithHost(port(), `localhost:${port()}`, {
        method: "POST",
        path: "/_local/faults",
        body: fault,
        headers: { origin },
      });
      expect(response.status, origin).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({ target: "dynamodb", error: "throttle" });
    }
    expect(await faultsNow()).toHaveLength(2);
    await api.send("DELETE", "/_local/faults");
  });

  it("refuses other pages' tokens, sweeps, fault removals and API calls", async () => {
    await api.send("POST", "/_local/faults", { body: JSON.parse(fault) });
    const own = `127.0.0.1:${port()}`;
    const origin = "http://attacker.example";
    const system = await api.system();
    for (const [method, path, extra] of [
      ["POST", "/_local/tokens", {}],
      ["POST", "/_local/sweep", {}],
      ["DELETE", "/_local/faults", {}],
      ["GET", "/_local/info", {}],
      ["POST", "/orders", { authorization: `Bearer ${system.token}` }],
    ] as const) {
      const response = await requestWithHost(port(), own, {
        method,
        path,
        body: method === "POST" ? JSON.stringify({ sub: "op-1", groups: ["operators"] }) : "",
        headers: { origin, ...extra },
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body, `${method} ${path}`).not.toContain("accessToken");
    }
    // The fault is still there: the DELETE from another page did nothing.
    expect(await faultsNow()).toHaveLength(1);
    await api.send("DELETE", "/_local/faults");
  });

  it("answers the API's own routes a text/plain body with 400, storing nothing", async () => {
    const system = await api.system();
    const orderId = `o-${randomUUID()}`;
    const response = await api.send("POST", "/orders", {
      caller: system,
      rawBody: JSON.stringify({ orderId }),
      headers: { "content-type": "text/plain" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: "VALIDATION_FAILED",
      errors: [{ path: "headers.content-type", message: "must be application/json" }],
    });
    const operator = await api.operator();
    expect((await api.get(`/orders/${orderId}`, operator)).status).toBe(404);
  });
});

describe("the stand-ins (SES, Step Functions, EventBridge, SQS, Stripe)", () => {
  it("refuse another Host and another page's Origin; only their own address reaches them", async () => {
    const info = (await api.get<LocalInfo>("/_local/info")).body;
    const endpoints = {
      ses: info.sesEndpoint,
      stepFunctions: info.stepFunctionsEndpoint,
      eventBridge: info.eventBridgeEndpoint,
      sqs: info.sqsEndpoint,
      stripe: info.stripe.apiBase,
    };
    for (const [name, endpoint] of Object.entries(endpoints)) {
      const port = Number(new URL(endpoint).port);
      const call = { method: "POST", path: "/", body: "{}" };
      const rebound = await requestWithHost(port, `rebound.example:${port}`, call);
      expect(rebound.status, name).toBe(403);
      expect(JSON.parse(rebound.body), name).toMatchObject({ code: "FORBIDDEN" });
      const page = await requestWithHost(port, `127.0.0.1:${port}`, {
        ...call,
        headers: { origin: "http://attacker.example" },
      });
      expect(page.status, name).toBe(403);
      // Addressed to itself, the same request reaches the stand-in, which answers it its own way
      // (SES: no credentials), not with the guard's problem document.
      const own = await requestWithHost(port, `127.0.0.1:${port}`, call);
      expect(own.contentType, name).not.toBe("application/problem+json");
    }
  });
});

describe("GET /_local/info", () => {
  it("names the stand-ins' endpoints, region and credentials", async () => {
    const response = await api.get<LocalInfo>("/_local/info");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      region: "ap-northeast-1",
      accessKeyId: "local",
      secretAccessKey: "local",
      stepFunctionsEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      stateMachineArn: local.stepFunctions.stateMachineArn,
      dynamodbEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      tableName: LOCAL_TABLE_NAME,
      sesEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      eventBridgeEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      sqsEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      stripe: {
        apiBase: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        secretKey: expect.stringMatching(/^sk_test_/),
        webhookSecret: expect.stringMatching(/^whsec_/),
      },
    });
  });

  it("is enough for the official stripe package to pay on the Stripe stand-in", async () => {
    const { stripe: stand } = (await api.get<LocalInfo>("/_local/info")).body;
    const base = new URL(stand.apiBase);
    const stripe = new Stripe(stand.secretKey, {
      host: base.hostname,
      port: Number(base.port),
      protocol: "http",
    });
    const intent = await stripe.paymentIntents.create({
      amount: 5000,
      currency: "jpy",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    expect(intent.status).toBe("succeeded");
    expect(local.stripe.events().map((event) => event.data.object.id)).toContain(intent.id);
  });

  it("is the functions' Stripe account: their payment port refunds a Stripe order on the stand-in", async () => {
    const { stripe: stand } = (await api.get<LocalInfo>("/_local/info")).body;
    const port = Number(new URL(stand.apiBase).port);
    expect(await stripeAccount()).toEqual({
      secretKey: stand.secretKey,
      webhookSecret: stand.webhookSecret,
      host: "127.0.0.1",
      port,
      protocol: "http",
    });
    const stripe = new Stripe(stand.secretKey, { host: "127.0.0.1", port, protocol: "http" });
    const intent = await stripe.paymentIntents.create({
      amount: 5000,
      currency: "jpy",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    // The port the handlers share (production.ts): a Stripe order's card refund goes to Stripe.
    const receipt = await payments().refund({
      refundId: `r-local-${randomUUID()}:1`,
      orderId: "o-local-stripe",
      requestId: "r-local",
      amount: 1200,
      currency: "JPY",
      method: "CARD",
      provider: "stripe",
      paymentReference: intent.id,
    });
    expect(receipt).toMatchObject({ status: "succeeded", replayed: false });
    const refunds = await stripe.refunds.list({ payment_intent: intent.id });
    expect(refunds.data.map((refund) => [refund.id, refund.amount])).toEqual([
      [receipt.providerReference, 1200],
    ]);
  });

  it("is enough for SDK clients, even ones signing with other credentials and region", async () => {
    const info = (await api.get<LocalInfo>("/_local/info")).body;
    const sfn = new SFNClient({
      region: info.region,
      endpoint: info.stepFunctionsEndpoint,
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    });
    const listed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: info.stateMachineArn }),
    );
    expect(listed.executions).toEqual(expect.any(Array));
    sfn.destroy();
    // DynamoDB Local runs with -sharedDb: the table is not hidden behind the key it was made with.
    const dynamoDb = new DynamoDBClient({
      region: "us-east-1",
      endpoint: info.dynamodbEndpoint,
      credentials: { accessKeyId: "someoneElse", secretAccessKey: "other" },
    });
    const table = await dynamoDb.send(new DescribeTableCommand({ TableName: info.tableName }));
    expect(table.Table?.TableStatus).toBe("ACTIVE");
    dynamoDb.destroy();
  });
});

describe("/_local/faults", () => {
  it("refuses bodies that are not a fault, as problem documents", async () => {
    const bodies = [
      { body: { target: "dynamodb", error: "declined" } },
      { body: { target: "payments", error: "pending" } },
      { body: { target: "dynamodb", error: "throttle", rate: 2 } },
      { body: { target: "dynamodb", error: "throttle", surprise: 1 } },
      { body: { target: "kinesis", error: "throttle" } },
      { rawBody: "{not json" },
    ];
    for (const request of bodies) {
      const response = await api.send("POST", "/_local/faults", {
        ...request,
        headers: { "content-type": "application/json" },
      });
      expect(response.status, JSON.stringify(request)).toBe(400);
      expect(response.contentType).toBe("application/problem+json");
      expect(response.body.code).toBe("VALIDATION_FAILED");
    }
    expect((await api.get("/_local/faults")).body).toEqual({ items: [] });
  });

  it("adds, lists with fired counts, and removes faults", async () => {
    const created = await api.send("POST", "/_local/faults", {
      body: { target: "payments", operation: "CARD", error: "declined", count: 2 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      faultId: expect.any(String),
      target: "payments",
      operation: "CARD",
      error: "declined",
      rate: 1,
      count: 2,
      fired: 0,
    });
    expect(local.faults.draw("payments", "card")?.faultId).toBe(created.body.faultId);
    const listed = await api.get("/_local/faults");
    expect(listed.body).toEqual({ items: [{ ...created.body, fired: 1 }] });

    const removed = await api.send("DELETE", "/_local/faults");
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ items: [], removed: 1 });
    expect((await api.get("/_local/faults")).body).toEqual({ items: [] });
  });

  it("are installed on the handlers' SDK clients", async () => {
    const clients = await import("../../functions/adapters/aws-clients.ts");
    for (const client of [
      clients.dynamoDb(),
      await clients.stepFunctions(),
      await clients.ses(),
      await clients.eventBridge(),
    ]) {
      expect(
        client.middlewareStack.identify().filter((name) => name.startsWith(FAULT_MIDDLEWARE_NAME)),
      ).toHaveLength(1);
    }
  });

  it("hit a handler's DynamoDB read, which the SDK retries as it would a real throttle", async () => {
    const operator = await api.operator();
    const created = await api.send("POST", "/_local/faults", {
      body: { target: "dynamodb", operation: "GetItem", error: "throttle", count: 1 },
    });
    expect(created.status).toBe(201);
    const response = await api.get(`/orders/ord-${randomUUID()}`, operator);
    // The read was throttled once, retried by the SDK, and answered: no such order.
    expect(response.status).toBe(404);
    const listed = await api.get<{ items: { fired: number }[] }>("/_local/faults");
    expect(listed.body.items[0]?.fired).toBe(1);
    await api.send("DELETE", "/_local/faults");
  });
});

describe("POST /_local/sweep", () => {
  it("runs every scheduled function now and answers what each returned", async () => {
    expect(local.schedules.length).toBeGreaterThan(0);
    const response = await api.send<{ results: unknown[] }>("POST", "/_local/sweep");
    expect(response.status).toBe(200);
    expect(response.body.results).toHaveLength(local.schedules.length);
    for (const result of response.body.results) expect(result).toEqual(expect.any(Object));
  });
});
