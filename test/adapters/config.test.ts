// The functions' configuration (functions/adapters/config.ts): the public origin the seller's mail
// links start with is an http(s) origin, kept without a trailing slash; anything else fails.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ENV, publicOrigin } from "../../functions/adapters/config.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("publicOrigin", () => {
  it.each([
    ["https://d111111abcdef8.cloudfront.net", "https://d111111abcdef8.cloudfront.net"],
    ["https://d111111abcdef8.cloudfront.net/", "https://d111111abcdef8.cloudfront.net"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
  ])("reads %s as %s", (value, origin) => {
    vi.stubEnv(ENV.publicOrigin, value);
    expect(publicOrigin()).toBe(origin);
  });

  it.each([
    "",
    "d111111abcdef8.cloudfront.net",
    "https://example.com/console",
    "https://example.com?x=1",
    "javascript:alert(1)",
    "{{resolve:ssm:origin}}",
  ])("refuses %j", (value) => {
    vi.stubEnv(ENV.publicOrigin, value);
    expect(() => publicOrigin()).toThrow(ENV.publicOrigin);
  });
});
