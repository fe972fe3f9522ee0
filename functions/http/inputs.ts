// Schemas of what the HTTP layer reads besides bodies (domain/schemas.ts has those): path
// parameters, query strings and headers, each strict so unknown parameters are refused, and each
// built on its first use (`z.lazy`, as in schemas.ts).
import { MAX_CURSOR_LENGTH } from "../app/ports.ts";
import { OUT_PARCEL_STATUSES } from "../domain/parcel-views.ts";
import { idempotencyKeySchema, idSchema, limitSchema } from "../domain/schemas.ts";
import { REQUEST_STATUSES, type RequestStatus } from "../domain/types.ts";
import * as z from "../domain/zod.ts";

export const orderParams = /* @__PURE__ */ z.lazy(() => z.strictObject({ orderId: idSchema }));
export const requestParams = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ orderId: idSchema, requestId: idSchema }),
);

/** Opaque: the store checks that a cursor is one of its own, for this very list. */
const cursorSchema = /* @__PURE__ */ z.lazy(() =>
  z.string().check(z.minLength(1), z.maxLength(MAX_CURSOR_LENGTH)),
);

export const pageQuery = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ limit: limitSchema, cursor: z.optional(cursorSchema) }),
);

export const queueQuery = (defaultStatus: RequestStatus) =>
  z.strictObject({
    limit: limitSchema,
    cursor: z.optional(cursorSchema),
    status: z._default(z.enum(REQUEST_STATUSES), defaultStatus),
  });

/** `GET /seller/parcels`: one status of a parcel not yet back, or none for all of them. */
export const parcelsQuery = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    limit: limitSchema,
    cursor: z.optional(cursorSchema),
    status: z.optional(z.enum(OUT_PARCEL_STATUSES)),
  }),
);

/** `GET …/metrics`: the window's first and last days (Asia/Tokyo), both optional. */
export const metricsQuery = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ from: z.optional(z.iso.date()), to: z.optional(z.iso.date()) }),
);

/** `GET /operator/sellers/{sellerId}/metrics`: any seller's id. */
export const sellerParams = /* @__PURE__ */ z.lazy(() => z.strictObject({ sellerId: idSchema }));

/** The cancellation request POST's required `Idempotency-Key` (headers arrive lower-cased). */
export const idempotencyHeaders = /* @__PURE__ */ z.lazy(() =>
  z.object({
    "idempotency-key": z.pipe(
      z.string({ error: "the Idempotency-Key header is required" }),
      idempotencyKeySchema,
    ),
  }),
);
