// HTTP requests with a Host header of the test's choosing (fetch sets its own).
import { request } from "node:http";

/** A request with the Host header set by hand, as a rebound page's browser would send it. */
export const requestWithHost = (
  port: number,
  host: string | undefined,
  options: {
    method?: string;
    path?: string;
    body?: string;
    /** Over the default `content-type: application/json` (an Origin, another content type). */
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; contentType: string | undefined; body: string }> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...options.headers,
    };
    if (host !== undefined) headers.host = host;
    const outgoing = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers,
        // Node adds a Host header unless told not to.
        setHost: host === undefined ? false : undefined,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
