// What clients see: records without server-side fields, orders with what the buyer can do now.
import { cancellationOption } from "./eligibility.ts";
import type { Policy } from "./policy.ts";
import type { CancellationOption, CancellationRequest, Order, OrderRecord } from "./types.ts";

export type PublicOrder = Order & { cancellationOption: CancellationOption };
export type PublicCancellationRequest = Omit<
  CancellationRequest,
  "idempotencyKey" | "requestHash" | "policy"
>;

export const toPublicOrder = (record: OrderRecord, now: string, policy: Policy): PublicOrder => ({
  ...record.order,
  cancellationOption: cancellationOption(record, now, policy),
});

export const toPublicRequest = (request: CancellationRequest): PublicCancellationRequest => {
  const { idempotencyKey: _key, requestHash: _hash, policy: _policy, ...visible } = request;
  return visible;
};
