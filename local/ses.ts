// Local SES: aws-ses-v2-local accepts the SES v1 SendEmail calls the handlers make, and keeps the
// mail so that `GET /_local/emails` can show it.
import type { Server } from "node:http";
import sesServer from "aws-ses-v2-local";
import { guardHost } from "./host-guard.ts";

export interface LocalEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  at: string;
}

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** aws-ses-v2-local is CommonJS compiled from ESM: Node's ESM loader puts its function one
 * `default` deeper than bundlers (and vitest) do. */
type StartServer = (config: { host: string; port: number }) => Promise<Server>;
const imported = sesServer as unknown as StartServer | { default: StartServer };
const start = typeof imported === "function" ? imported : imported.default;

export class LocalSes {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<LocalSes> {
    // Loopback only, and only requests addressed to it from no other page (host-guard.ts): its
    // own page shows every mail, and a form could post to its /clear-store.
    const server = guardHost(await start({ host: "127.0.0.1", port: 0 }));
    const address = server.address();
    if (typeof address !== "object" || address === null)
      throw new Error("SES stand-in has no address");
    return new LocalSes(server, `http://127.0.0.1:${address.port}`);
  }

  async emails(): Promise<LocalEmail[]> {
    const response = await fetch(`${this.endpoint}/store`);
    const store = (await response.json()) as { emails: StoredEmail[] };
    return store.emails.map((email) => ({
      to: email.destination.to,
      subject: email.subject,
      text: email.body.text ?? "",
      html: email.body.html ?? "",
      // The stand-in stores seconds since the epoch.
      at: new Date(email.at * 1000).toISOString(),
    }));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
