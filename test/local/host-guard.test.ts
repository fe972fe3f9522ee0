// The Host check (DNS rebinding) and the Origin check (other web pages) in front of local mode, on
// a bare server: local mode and its stand-ins are checked to install them in local-mode.test.ts.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardHost, isOwnHost, isOwnNoReferrerPage, isOwnOrigin } from "../../local/host-guard.ts";
import { requestWithHost } from "../support/host-request.ts";

describe("isOwnHost", () => {
  it("accepts 127.0.0.1 and localhost on the server's port, in any case", () => {
    expect(isOwnHost("127.0.0.1:3000", 3000)).toBe(true);
    expect(isOwnHost("localhost:3000", 3000)).toBe(true);
    expect(isOwnHost("LocalHost:3000", 3000)).toBe(true);
  });

  it("refuses other names, other ports, no port and no Host", () => {
    for (const host of [
      "evil.example:3000",
      "127.0.0.1.evil.example:3000",
      "localhost.evil.example:3000",
      "127.0.0.1:3001",
      "localhost",
      "127.0.0.1",
      "[::1]:3000",
      "0.0.0.0:3000",
      "",
    ]) {
      expect(isOwnHost(host, 3000), host).toBe(false);
    }
    expect(isOwnHost(undefined, 3000)).toBe(false);
  });
});

describe("isOwnOrigin", () => {
  it("accepts local mode's own pages, by either name, in any case", () => {
    expect(isOwnOrigin("http://127.0.0.1:3000", 3000)).toBe(true);
    expect(isOwnOrigin("http://localhost:3000", 3000)).toBe(true);
    expect(isOwnOrigin("HTTP://LocalHost:3000", 3000)).toBe(true);
  });

  it("refuses other pages, other ports, https, and the opaque origin null", () => {
    for (const origin of [
      "http://attacker.example",
      "http://127.0.0.1:3001",
      "https://127.0.0.1:3000",
      "http://localhost.attacker.example:3000",
      "http://127.0.0.1:3000.attacker.example",
      "null",
      "",
    ]) {
      expect(isOwnOrigin(origin, 3000), origin).toBe(false);
    }
  });
});

describe("isOwnNoReferrerPage", () => {
  it("accepts the opaque origin only when the browser says the request is same-origin", () => {
    expect(isOwnNoReferrerPage("null", "same-origin")).toBe(true);
    for (const site of ["cross-site", "same-site", "none", "", undefined]) {
      expect(isOwnNoReferrerPage("null", site), String(site)).toBe(false);
    }
    expect(isOwnNoReferrerPage("http://attacker.example", "same-origin")).toBe(false);
  });
});

describe("guardHost", () => {
  let server: Server;
  let port: number;
  let served = 0;

  beforeAll(async () => {
    server = guardHost(
      createServer((_request, response) => {
        served += 1;
        response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("passes requests addressed to its own address to the server", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const response = await requestWithHost(port, host);
      expect(response).toMatchObject({ status: 200, body: "ok" });
    }
    // From its own pages (a browser names them in Origin) too.
    const fromOwnPage = await requestWithHost(port, `localhost:${port}`, {
      method: "POST",
      body: "{}",
      headers: { origin: `http://localhost:${port}` },
    });
    expect(fromOwnPage).toMatchObject({ status: 200, body: "ok" });
    // A form of its own page under Referrer-Policy: no-referrer (Origin null, same-origin).
    const noReferrer = await requestWithHost(port, `127.0.0.1:${port}`, {
      method: "POST",
      body: "reason=x",
      headers: { origin: "null", "sec-fetch-site": "same-origin" },
    });
    expect(noReferrer).toMatchObject({ status: 200, body: "ok" });
  });

  it("answers any other Host with a 403 problem document, before the server sees it", async () => {
    const before = served;
    for (const host of [`rebound.example:${port}`, "localhost"]) {
      const response = await requestWithHost(port, host, { method: "POST", body: "{}" });
      expect(response.status, host).toBe(403);
      expect(response.contentType).toBe("application/problem+json");
      expect(JSON.parse(response.body)).toMatchObject({ status: 403, code: "FORBIDDEN" });
    }
    // Another page's Origin, whatever the method, even addressed to the right Host.
    for (const method of ["POST", "DELETE", "GET"]) {
      const response = await requestWithHost(port, `127.0.0.1:${port}`, {
        method,
        body: method === "POST" ? "{}" : "",
        headers: { origin: "http://attacker.example", "content-type": "text/plain" },
      });
      expect(response.status, method).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ status: 403, code: "FORBIDDEN" });
    }
    // The opaque origin of a sandboxed frame or a file's page (not same-origin, or unsaid).
    for (const site of ["cross-site", undefined]) {
      const response = await requestWithHost(port, `127.0.0.1:${port}`, {
        method: "POST",
        body: "reason=x",
        headers: { origin: "null", ...(site ? { "sec-fetch-site": site } : {}) },
      });
      expect(response.status, String(site)).toBe(403);
    }
    // Without a Host, Node's HTTP/1.1 parser already answers 400 (the guard would refuse it too).
    expect((await requestWithHost(port, undefined)).status).toBe(400);
    expect(served).toBe(before);
  });
});
