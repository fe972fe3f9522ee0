// End to end with short deadlines from POLICY_FILE: nobody answers, and every wait still ends.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalClient, orderBody } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ContractClient } from "../support/contract.ts";

let local: LocalMode;
let api: LocalClient;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "policy-"));
  const policyFile = path.join(folder, "policy.json");
  await writeFile(
    policyFile,
    JSON.stringify({
      version: "e2e-short-waits",
      // Seconds, but with room for a loaded machine: the reminder's wait must begin in time.
      sellerResponseSeconds: 6,
      sellerReminderSeconds: 3,
      onSellerTimeout: "ESCALATE",
      marketplaceReviewSeconds: 1,
      onMarketplaceTimeout: "APPROVE",
    }),
  );
  local = await startLocal({ port: 0, policyFile });
  // Every answer is checked against docs/openapi.json.
  api = new ContractClient(local.url);
}, 90_000);

afterAll(async () => {
  await local?.stop();
  await rm(folder, { recursive: true, force: true });
});

it("publishes the policy merged from POLICY_FILE over the defaults", async () => {
  const response = await api.get("/policy");
  expect(response.body).toMatchObject({
    version: "e2e-short-waits",
    sellerResponseSeconds: 6,
    cancellationWindowDays: 14,
    autoApproveMaxAmount: { JPY: 30000, USD: 30000 },
  });
});

it("seller silent → reminder → escalation → operator silent → approved by policy → COMPLETED", async () => {
  const [buyer, seller, system] = await Promise.all([api.buyer(), api.seller(), api.system()]);
  const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub }, { locale: "en" });
  const orderId = String(body.orderId);
  await api.post("/orders", system, body);
  await api.post(`/orders/${orderId}/shipment`, seller, {
    carrier: "jp-post",
    trackingNumber: "EJ1",
  });
  const asked = await api.post(
    `/orders/${orderId}/cancellation-requests`,
    buyer,
    { reason: "DELIVERY_TOO_SLOW" },
    { "idempotency-key": `key-${orderId}` },
  );
  expect(asked.body.policyVersion).toBe("e2e-short-waits");
  const requestPath = `/orders/${orderId}/cancellation-requests/${asked.body.requestId}`;

  const done = await api.until(async () => {
    const response = await api.get(requestPath, buyer);
    return response.body.status === "COMPLETED" ? response.body : undefined;
  }, "the request to complete by itself");

  expect(
    (done.timeline as { type: string; actor: string }[]).map((e) => [e.type, e.actor]),
  ).toEqual([
    ["REQUESTED", buyer.sub],
    ["SELLER_NOTIFIED", "system"],
    ["SELLER_REMINDED", "system"],
    ["SELLER_TIMED_OUT", "policy"],
    ["MARKETPLACE_APPROVED", "policy"],
    ["REFUND_INSTRUCTED", "system"],
    ["REFUND_SUCCEEDED", "system"],
    ["COMPLETED", "system"],
  ]);
  const emails = await api.emails();
  const sellerSubjects = emails.filter((m) => m.to.includes(`${seller.sub}@example.com`));
  expect(sellerSubjects.some((m) => /remind/i.test(m.subject))).toBe(true);
  const operatorMail = emails.filter((m) => m.to.includes("operators@example.com"));
  expect(operatorMail.some((m) => m.subject.includes(orderId))).toBe(true);
}, 30_000);
