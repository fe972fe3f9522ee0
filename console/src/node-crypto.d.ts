// The one piece of Node the console's type check meets. The domain's audit chain
// (functions/domain/audit.ts) hashes with node:crypto, and the console reads types of the domain
// (the mail's template names, through functions/notifications/wording.ts), so tsc checks that
// module too. The console never runs it (its bundle holds none of the audit code): this declares
// only what audit.ts calls, so browser code that imports anything else of Node still fails.
declare module "node:crypto" {
  export function createHash(algorithm: "sha256"): {
    update(text: string, encoding: "utf8"): { digest(encoding: "hex"): string };
  };
}
