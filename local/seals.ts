// Local stand-in for the audit seals' bucket: the digests in memory, or with DATA_DIR one JSON
// file each under `<DATA_DIR>/seals/` (kept across restarts, like the table whose cursor points
// at the last one). Like the bucket's If-None-Match put, a digest is never replaced.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { AuditDigest, SealStore } from "../functions/app/ports.ts";

/** A file name of a digest's `to`, in the order of `to` (colons kept out of file names). */
const fileName = (to: string): string => `${to.replaceAll(":", "-")}.json`;

export class LocalSealStore implements SealStore {
  private readonly digests = new Map<string, AuditDigest>();
  private readonly folder: string | undefined;

  constructor(dataDir?: string) {
    this.folder = dataDir === undefined ? undefined : path.resolve(dataDir, "seals");
  }

  async put(digest: AuditDigest): Promise<boolean> {
    if (this.folder === undefined) {
      if (this.digests.has(digest.to)) return false;
      this.digests.set(digest.to, digest);
      return true;
    }
    await mkdir(this.folder, { recursive: true });
    try {
      // `wx`: fails if the file exists, as the bucket refuses a second digest of one `to`.
      await writeFile(path.join(this.folder, fileName(digest.to)), JSON.stringify(digest), {
        flag: "wx",
      });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }

  async list(): Promise<AuditDigest[]> {
    if (this.folder === undefined) {
      return [...this.digests.values()].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
    }
    const names = await readdir(this.folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [] as string[];
      throw error;
    });
    const files = names.filter((name) => name.endsWith(".json")).sort();
    return Promise.all(
      files.map(
        async (name) =>
          JSON.parse(await readFile(path.join(this.folder as string, name), "utf8")) as AuditDigest,
      ),
    );
  }
}
