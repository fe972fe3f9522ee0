// Local mode answers only requests addressed to itself. A web page on another origin can point a
// name it controls at 127.0.0.1 (DNS rebinding) and then call local mode as "same origin": the
// browser still sends that name in `Host`, so refusing every Host but our own address stops it
// from minting tokens or reading mail, payments and the stand-ins' credentials.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from "../functions/http/problems.ts";

/** True when `host` (the request's Host header) names this server: 127.0.0.1 or localhost, its port. */
export const isOwnHost = (host: string | undefined, port: number): boolean => {
  if (host === undefined) return false;
  const normalized = host.trim().toLowerCase();
  return normalized === `127.0.0.1:${port}` || normalized === `localhost:${port}`;
};

const listeningPort = (server: Server): number | undefined => {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : undefined;
};

/**
 * Puts the Host check in front of the server's request listeners: any other Host gets a 403
 * problem document and reaches no route. The port is read when the request arrives, so the
 * guard may be installed before `listen` (port 0 picks one).
 */
export const guardHost = (server: Server): Server => {
  const listeners = server.listeners("request") as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const port = listeningPort(server);
    if (port === undefined || !isOwnHost(request.headers.host, port)) {
      const body = toProblem(
        new HttpProblem(
          "FORBIDDEN",
          `local mode answers only Host 127.0.0.1:${port} or localhost:${port}`,
        ),
      );
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
