// The API client: openapi-fetch typed by the generated schema (api-schema.ts), one middleware
// adding the signed-in person's bearer token. Every call's outcome becomes an `Outcome`: the data,
// or a failure the pages put in words (errors.ts).
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./api-schema.ts";

type Schemas = components["schemas"];
export type Order = Schemas["Order"];
export type CancellationRequest = Schemas["CancellationRequest"];
/** What a request would refund (`POST …/cancellation-requests/preview`); nothing is stored. */
export type CancellationPreview = Schemas["CancellationPreview"];
/** What the seller's and operators' queues list: a request without its timeline, comment cut. */
export type CancellationRequestSummary = Schemas["CancellationRequestSummary"];
export type Problem = Schemas["Problem"];
export type Api = Client<paths>;

export interface ApiOptions {
  baseUrl: string;
  /** The bearer token of the person signed in, read for every call. */
  token: () => string | undefined;
  /** Told when the API refuses the token (expired, or minted by a local mode since restarted). */
  onUnauthorized?: () => void;
}

export const createApi = (options: ApiOptions): Api => {
  // Resolved per call, not at creation, so tests may replace `fetch` at any time.
  const api = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: (request) => globalThis.fetch(request),
  });
  api.use({
    onRequest({ request }) {
      const token = options.token();
      // A call may bring its own token (local sample orders are imported by a system client).
      if (token && !request.headers.has("authorization")) {
        request.headers.set("authorization", `Bearer ${token}`);
      }
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  });
  return api;
};

/** Why a call did not succeed: the API's problem document, or no answer at all. */
export type Failure =
  | { kind: "problem"; status: number; problem: Partial<Problem>; retryAfterSeconds?: number }
  | { kind: "network" };

export type Outcome<T> = { ok: true; data: T } | { ok: false; failure: Failure };

/** `Retry-After` in seconds (RFC 9110 allows a delay or an HTTP date). */
const retryAfterOf = (response: Response): number | undefined => {
  const value = response.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim())
    ? Number(value)
    : Math.ceil((Date.parse(value) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.max(1, seconds) : undefined;
};

/** Awaits an openapi-fetch call and sorts its result into data or a failure. */
export const outcome = async <T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Outcome<T>> => {
  try {
    const { data, error, response } = await call;
    if (response.ok) return { ok: true, data: data as T };
    const problem = typeof error === "object" && error !== null ? (error as Partial<Problem>) : {};
    const retryAfterSeconds = retryAfterOf(response);
    return {
      ok: false,
      failure: {
        kind: "problem",
        status: response.status,
        problem,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
    };
  } catch {
    // fetch rejects only when no answer arrived (offline, connection reset, CORS refusal).
    return { ok: false, failure: { kind: "network" } };
  }
};
