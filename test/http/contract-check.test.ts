// The e2e suites' check of answers against docs/openapi.json (test/support/contract.ts) catches
// what it is there to catch: fast, without local mode.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { checkAgainstDocument } from "../support/contract.ts";

const json = (status: number, body: unknown, contentType = "application/json") => ({
  status,
  contentType,
  body,
});
const problem = {
  type: "about:blank",
  title: "Not Found",
  status: 404,
  code: "NOT_FOUND",
  detail: "no such route",
};

describe("checking answers against docs/openapi.json", () => {
  it("passes an answer that matches its route's schema", () => {
    expect(() => checkAgainstDocument("GET", "/policy", json(200, DEFAULT_POLICY))).not.toThrow();
  });

  it("fails a body that lacks a field the schema requires", () => {
    const { version: _version, ...withoutVersion } = DEFAULT_POLICY;
    expect(() => checkAgainstDocument("GET", "/policy", json(200, withoutVersion))).toThrow(
      /does not match/,
    );
  });

  it("fails a status the route does not document, and a content type it does not declare", () => {
    expect(() => checkAgainstDocument("GET", "/policy", json(418, {}))).toThrow(/does not list/);
    expect(() =>
      checkAgainstDocument("GET", "/policy", json(200, DEFAULT_POLICY, "text/plain")),
    ).toThrow(/text\/plain/);
  });

  it("wants a 404 problem from a route the document does not have", () => {
    const notFound = json(404, problem, "application/problem+json");
    expect(() => checkAgainstDocument("GET", "/nowhere", notFound)).not.toThrow();
    expect(() => checkAgainstDocument("GET", "/nowhere", json(200, {}))).toThrow(/not in/);
  });

  it("leaves local mode's own routes alone", () => {
    expect(() => checkAgainstDocument("GET", "/_local/emails", json(200, {}))).not.toThrow();
  });
});
