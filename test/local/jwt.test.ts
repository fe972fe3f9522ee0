// Local mode's stand-in for Cognito tokens and the JWT authorizer.
import { afterEach, describe, expect, it, vi } from "vitest";
import { LOCAL_CLIENT_ID, LocalTokens } from "../../local/jwt.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("LocalTokens", () => {
  it("verifies its own token and reads sub, groups and scopes as Cognito puts them", async () => {
    const tokens = await LocalTokens.create();
    const token = await tokens.mint({
      sub: "buyer-1",
      groups: ["buyers"],
      scopes: ["orders/write"],
    });
    const verified = await tokens.verify(token);
    expect(verified?.claims).toMatchObject({
      sub: "buyer-1",
      client_id: LOCAL_CLIENT_ID,
      token_use: "access",
      "cognito:groups": ["buyers"],
    });
    expect(verified?.scopes).toEqual(["orders/write"]);
  });

  it("names a carrier client's carrier in the `carrier` claim, and no other token's", async () => {
    const tokens = await LocalTokens.create();
    const bound = await tokens.verify(
      await tokens.mint({ sub: "carrier-yamato", scopes: ["carrier/events"], carrier: "yamato" }),
    );
    expect(bound?.claims).toMatchObject({ sub: "carrier-yamato", carrier: "yamato" });
    expect(bound?.scopes).toEqual(["carrier/events"]);
    const unbound = await tokens.verify(
      await tokens.mint({ sub: "carrier-any", scopes: ["carrier/events"] }),
    );
    expect(unbound?.claims).not.toHaveProperty("carrier");
  });

  it("refuses a token of another key, another audience, or past its expiry", async () => {
    const [tokens, other] = await Promise.all([LocalTokens.create(), LocalTokens.create()]);
    const token = await tokens.mint({ sub: "seller-1", groups: ["sellers"] });
    expect(await other.verify(token)).toBeUndefined();
    expect(await tokens.verify(token, ["another-client"])).toBeUndefined();
    expect(await tokens.verify(`${token.slice(0, -2)}xx`)).toBeUndefined();
    expect(await tokens.verify("not-a-jwt")).toBeUndefined();
    vi.useFakeTimers({ now: Date.now() + 2 * 3600 * 1000 });
    expect(await tokens.verify(token)).toBeUndefined();
  });
});
