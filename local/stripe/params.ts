// Reading Stripe's parameters from a decoded form, refusing them as Stripe does (before the
// endpoint runs, so an idempotency key does not keep the refusal).
import { invalidParameter, missingParameter, unknownParameter } from "./errors.ts";
import type { FormObject, FormValue } from "./form.ts";

/** Refuses any parameter the endpoint does not take (Stripe's `parameter_unknown`). */
export const onlyParams = (params: FormObject, allowed: readonly string[]): void => {
  const unknown = Object.keys(params).find((name) => !allowed.includes(name));
  if (unknown !== undefined) throw unknownParameter(unknown);
};

export const optionalString = (params: FormObject, name: string): string | undefined => {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidParameter(name, `Invalid string: ${name}`);
  return value;
};

export const requiredString = (params: FormObject, name: string): string => {
  const value = optionalString(params, name);
  if (value === undefined || value === "") throw missingParameter(name);
  return value;
};

/** A positive integer (an amount in the currency's minor unit: yen for JPY, cents for USD). */
export const optionalPositiveInteger = (params: FormObject, name: string): number | undefined => {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw invalidParameter(name, "Invalid positive integer", "parameter_invalid_integer");
  }
  return number;
};

export const optionalBoolean = (params: FormObject, name: string): boolean | undefined => {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false") {
    throw invalidParameter(name, `Invalid boolean: ${value}`);
  }
  return value === "true";
};

/** A three-letter currency code, answered lower-case as Stripe does. */
export const requiredCurrency = (params: FormObject, name = "currency"): string => {
  const value = requiredString(params, name);
  if (!/^[a-zA-Z]{3}$/.test(value)) {
    throw invalidParameter(name, `Invalid currency: ${value.toLowerCase()}.`);
  }
  return value.toLowerCase();
};

/** Stripe's limits on metadata: 50 keys, keys up to 40 characters, values up to 500. */
const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

/** `metadata[key]=value`; an empty value drops the key, an empty `metadata` none. */
export const optionalMetadata = (params: FormObject): Record<string, string> => {
  const value: FormValue | undefined = params.metadata;
  if (value === undefined || value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidParameter("metadata", "Invalid hash");
  }
  const entries = Object.entries(value);
  if (entries.length > METADATA_LIMITS.keys) {
    throw invalidParameter("metadata", `You can specify up to ${METADATA_LIMITS.keys} keys.`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, entry] of entries) {
    if (typeof entry !== "string") throw invalidParameter(`metadata[${key}]`, "Invalid string");
    if (key.length > METADATA_LIMITS.keyLength) {
      throw invalidParameter(
        `metadata[${key}]`,
        `Metadata keys can have up to ${METADATA_LIMITS.keyLength} characters.`,
      );
    }
    if (entry.length > METADATA_LIMITS.valueLength) {
      throw invalidParameter(
        `metadata[${key}]`,
        `Metadata values can have up to ${METADATA_LIMITS.valueLength} characters.`,
      );
    }
    if (entry !== "") metadata[key] = entry;
  }
  return metadata;
};

/** `limit` of a list: 1 to 100, 10 when absent. */
export const listLimit = (params: FormObject): number => {
  const value = optionalString(params, "limit");
  if (value === undefined) return 10;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidParameter(
      "limit",
      "This value must be greater than or equal to 1 and less than or equal to 100.",
      "parameter_invalid_integer",
    );
  }
  return limit;
};
