// Canonical JSON (object keys sorted at every level, no whitespace) so that two bodies meaning the
// same thing compare, and hash, equal however their fields were ordered.
import { createHash } from "node:crypto";

const sortKeys = (_key: string, value: unknown): unknown => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  // Code-unit order, as RFC 8785 (JCS) sorts keys.
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

export const canonicalJson = (value: unknown): string => JSON.stringify(value, sortKeys);

export const sha256Hex = (text: string): string =>
  createHash("sha256").update(text, "utf8").digest("hex");
