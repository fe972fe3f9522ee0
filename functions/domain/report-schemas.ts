// Zod schemas of the two reports the API answers besides the views: an order's audit trail
// (audit.ts) and a seller's performance (seller-metrics.ts). For the OpenAPI document and the
// tests, as view-schemas.ts is; the compile-time checks at the bottom keep them and the types the same.
import type { AuditExport } from "./audit.ts";
import { CANCELLATION_REASONS } from "./schemas.ts";
import { ENDED_STATUSES } from "./seller-counters.ts";
import type { SellerMetrics } from "./seller-metrics.ts";
import { FAULTS } from "./types.ts";
import { date, instant, TIMELINE_TYPES } from "./view-schemas.ts";
import * as z from "./zod.ts";

const sha256Hex = () => z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** `GET /orders/{orderId}/audit` (audit.ts `AuditExport`): the order's hash-chained timeline. */
export const auditExportSchema = z.strictObject({
  orderId: z.string(),
  entries: z
    .array(
      z.strictObject({
        seq: z.int().check(z.describe("The entry's place in writing order: 0, 1, 2, …")),
        at: instant(),
        type: z.enum(TIMELINE_TYPES),
        actor: z.string(),
        requestId: z.optional(
          z
            .string()
            .check(z.describe("The request whose timeline holds it (a request's entries only).")),
        ),
        note: z.optional(z.string()),
        hash: sha256Hex().check(
          z.describe(
            'Lowercase hex SHA-256 of the UTF-8 text prev + "\\n" + canonical: prev is the previous ' +
              "entry's hash (64 zeros for the first), canonical the entry without `hash` in RFC 8785 " +
              "canonical JSON.",
          ),
        ),
      }),
    )
    .check(
      z.describe(
        "Every timeline entry of the order, its own and its requests', in the order they were written.",
      ),
    ),
  head: sha256Hex().check(
    z.describe("The last entry's hash (64 zeros for an order without entries)."),
  ),
});

/** A count per key of `keys`, every key present (0 when none). */
const countsBy = <K extends string>(keys: readonly [K, ...K[]]) =>
  z.strictObject(Object.fromEntries(keys.map((key) => [key, z.int()])) as Record<K, z.ZodMiniInt>);

/** `GET /seller/metrics` and `GET /operator/sellers/{sellerId}/metrics` (seller-metrics.ts). */
export const sellerMetricsSchema = z.strictObject({
  from: date().check(z.describe("First day of the window (Asia/Tokyo), included.")),
  to: date().check(z.describe("Last day of the window (Asia/Tokyo), included.")),
  orders: z.int().check(z.describe("The seller's orders placed in the window.")),
  cancellations: z
    .strictObject({
      total: z.int(),
      byReason: countsBy(CANCELLATION_REASONS),
      byOutcome: countsBy(ENDED_STATUSES).check(z.describe("By the terminal status it ended in.")),
      byFault: countsBy(FAULTS),
    })
    .check(
      z.describe(
        "Cancellation requests that ended in the window (on the day of their terminal status), " +
          "in total, by reason, by outcome and by fault.",
      ),
    ),
  sellerCancellationRate: z
    .number()
    .check(
      z.minimum(0),
      z.maximum(1),
      z.describe(
        "COMPLETED requests with fault SELLER ÷ orders (0 without orders), to 4 decimals: a " +
          "buyer's change of mind never counts against the seller.",
      ),
    ),
  response: z
    .strictObject({
      answered: z.int().check(z.describe("The seller's decisions (approve or reject).")),
      withinDeadline: z.int().check(z.describe("Those made before the seller's deadline.")),
      timedOut: z.int().check(z.describe("Deadlines the seller let pass.")),
      medianSeconds: z
        .nullable(z.int())
        .check(
          z.describe(
            "Median time from when the request began awaiting the seller to the decision, " +
              "estimated from a histogram (see the API guide); null without decisions.",
          ),
        ),
      p90Seconds: z
        .nullable(z.int())
        .check(z.describe("The 90th percentile, estimated the same way.")),
    })
    .check(
      z.describe("The seller's answers in the window, on the day of each decision or deadline."),
    ),
  days: z
    .array(
      z.strictObject({
        date: date(),
        orders: z.int(),
        cancellations: z.int().check(z.describe("Requests that ended that day.")),
        sellerCancellations: z
          .int()
          .check(z.describe("Of them, COMPLETED with fault SELLER (the rate's numerator).")),
        answered: z.int(),
        timedOut: z.int(),
      }),
    )
    .check(z.describe("The same figures day by day, every day of the window, oldest first.")),
});

// Compile-time agreement of the schemas and the reports' types (each assignable to the other).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(_: T) => undefined;
agree<Same<z.output<typeof sellerMetricsSchema>, SellerMetrics>>(true);
agree<Same<z.output<typeof auditExportSchema>, AuditExport>>(true);
