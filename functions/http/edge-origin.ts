// Only the edge may call the API: CloudFront adds a secret header to every request it sends the
// HTTP API (infra/edge.ts), and each handler refuses a request without it before anything else, so
// the API's own execute-api address answers nothing but 401 (the JWT authorizer) or 403 (this).
// Every public path thus passes the WAF's rate limits (docs/runbook.md#edge-and-rate-limits).
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareObj } from "@middy/core";
import { HttpProblem } from "./problems.ts";

/** The header CloudFront sends with the secret (lower case: API Gateway's and the normalizer's). */
export const EDGE_ORIGIN_HEADER = "x-origin-verify";
/** The environment variable holding the value it must have (a Secrets Manager reference). */
export const EDGE_ORIGIN_SECRET_ENV = "EDGE_ORIGIN_SECRET";

/**
 * The value requests must carry, or undefined when there is nothing to check: no variable (unit
 * tests), or a CloudFormation dynamic reference left as written, which only happens where the
 * template is read outside AWS (local mode, whose one way in is its own gateway on loopback).
 * CloudFormation resolves the reference at deploy or fails the deploy.
 */
export const expectedEdgeSecret = (
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined => {
  const value = environment[EDGE_ORIGIN_SECRET_ENV];
  if (value === undefined || value === "" || value.startsWith("{{resolve:")) return undefined;
  return value;
};

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Throws 403 unless the request came through the edge (headers already lower-cased). */
export const checkEdgeOrigin = (
  headers: Record<string, string | undefined> | undefined,
  expected: string | undefined = expectedEdgeSecret(),
): void => {
  if (expected === undefined) return;
  const given = headers?.[EDGE_ORIGIN_HEADER];
  if (given === undefined || !sameSecret(given, expected)) {
    throw new HttpProblem(
      "FORBIDDEN",
      "the API answers through the service's public address (ConsoleUrl) only",
    );
  }
};

/** The check as a middleware, placed after header normalization and before anything else. */
export const edgeOnly = (): MiddlewareObj<{ headers?: Record<string, string | undefined> }> => ({
  before: (request) => checkEdgeOrigin(request.event.headers),
});
