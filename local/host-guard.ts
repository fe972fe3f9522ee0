// Local mode answers only requests addressed to itself, from itself. A web page on another origin
// can point a name it controls at 127.0.0.1 (DNS rebinding) and then call local mode as "same
// origin": the browser still sends that name in `Host`, so refusing every Host but our own address
// stops it from minting tokens or reading mail, payments and the stand-ins' credentials. A page
// that calls 127.0.0.1 directly is cross-origin: its browser names the page in `Origin` on every
// request that can change something (POST, DELETE: forms and no-cors fetches included) and on
// every cross-origin fetch, so any Origin but our own is refused too, before anything reads the
// body. Clients that are not browsers (curl, the AWS SDK) send no Origin. One exception: a page of
// local mode whose referrer policy is no-referrer (the seller's decision link) posts its form with
// `Origin: null`, and the browser says in `Sec-Fetch-Site` (which no page can set) that it is ours.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from "../functions/http/problems.ts";

/** True when `host` (the request's Host header) names this server: 127.0.0.1 or localhost, its port. */
export const isOwnHost = (host: string | undefined, port: number): boolean => {
  if (host === undefined) return false;
  const normalized = host.trim().toLowerCase();
  return normalized === `127.0.0.1:${port}` || normalized === `localhost:${port}`;
};

/** True when `origin` (the request's Origin header) is this server's own pages'. */
export const isOwnOrigin = (origin: string, port: number): boolean => {
  const normalized = origin.trim().toLowerCase();
  return normalized === `http://127.0.0.1:${port}` || normalized === `http://localhost:${port}`;
};

/**
 * True for a request whose Origin is the opaque `null` that the browser itself says came from the
 * same origin: a form of one of our pages under `Referrer-Policy: no-referrer`. A sandboxed frame
 * or a file's page is `cross-site` (or says nothing).
 */
export const isOwnNoReferrerPage = (origin: string, fetchSite: string | undefined): boolean =>
  origin.trim() === "null" && fetchSite?.trim().toLowerCase() === "same-origin";

const listeningPort = (server: Server): number | undefined => {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : undefined;
};

/** Why the request is refused, or undefined when it is local mode's own. */
const refusal = (request: IncomingMessage, port: number | undefined): string | undefined => {
  if (port === undefined || !isOwnHost(request.headers.host, port)) {
    return `local mode answers only Host 127.0.0.1:${port} or localhost:${port}`;
  }
  const { origin } = request.headers;
  // Present but another page's (or "null": a sandboxed frame, a file, a redirect).
  const fetchSite = request.headers["sec-fetch-site"];
  const ownPage =
    origin === undefined ||
    isOwnOrigin(origin, port) ||
    isOwnNoReferrerPage(origin, typeof fetchSite === "string" ? fetchSite : undefined);
  if (!ownPage) {
    return `local mode answers only its own pages (Origin http://127.0.0.1:${port} or http://localhost:${port}) and clients that send no Origin`;
  }
  return undefined;
};

/**
 * Puts the Host and Origin checks in front of the server's request listeners: any other Host or
 * Origin gets a 403 problem document and reaches no route. The port is read when the request
 * arrives, so the guard may be installed before `listen` (port 0 picks one), or after it.
 */
export const guardHost = (server: Server): Server => {
  const listeners = server.listeners("request") as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const refused = refusal(request, listeningPort(server));
    if (refused !== undefined) {
      const body = toProblem(new HttpProblem("FORBIDDEN", refused));
      // The body is not read: close the connection rather than keep it for another request.
      response
        .writeHead(body?.status ?? 403, {
          "content-type": PROBLEM_CONTENT_TYPE,
          connection: "close",
        })
        .end(JSON.stringify(body));
      return;
    }
    for (const listener of listeners) listener.call(server, request, response);
  });
  return server;
};
