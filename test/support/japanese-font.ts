// A Japanese system font for headless Chromium, for pages that cannot bring their own: the decision
// link's pages load nothing but their HTML (their CSP refuses web fonts), so they rely on the
// phone's own Japanese font, and the Chromium from npm has none (its Japanese shows as empty
// boxes). Noto Sans JP of @fontsource (the console's web font) is unpacked from WOFF into plain
// OpenType files, which fontconfig can read, and a fonts.conf adds them to the usual fonts.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { inflateSync } from "node:zlib";

const WOFF_SIGNATURE = 0x774f4646; // "wOFF"

/** The OpenType file a WOFF 1.0 file wraps: its tables inflated, in the same order. */
export const woffToOpenType = (woff: Buffer): Buffer => {
  if (woff.readUInt32BE(0) !== WOFF_SIGNATURE) throw new Error("not a WOFF file");
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, index) => {
    const entry = 44 + index * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const stored = woff.subarray(offset, offset + compLength);
    return {
      tag: woff.readUInt32BE(entry),
      checksum: woff.readUInt32BE(entry + 16),
      data: compLength < origLength ? inflateSync(stored) : stored,
    };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + 16 * numTables);
  header.writeUInt32BE(woff.readUInt32BE(4), 0); // the flavor: TrueType or CFF outlines
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts = [header];
  let offset = header.length;
  tables.forEach(({ tag, checksum, data }, index) => {
    const record = 12 + index * 16;
    header.writeUInt32BE(tag, record);
    header.writeUInt32BE(checksum, record + 4);
    header.writeUInt32BE(offset, record + 8);
    header.writeUInt32BE(data.length, record + 12);
    const padded = Buffer.alloc((data.length + 3) & ~3); // each table on a 4-byte boundary
    data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
};

/** The regular and bold weights are enough: fontconfig gives the nearest one to any other. */
const WEIGHTS = /-(400|700)-normal\.woff$/;

/**
 * Writes (once per version of the package) Noto Sans JP as OpenType files and a fonts.conf that
 * adds them to the system's fonts, and answers that fonts.conf's path, for Chromium's
 * FONTCONFIG_FILE.
 */
export const japaneseFontConfig = async (): Promise<string> => {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("@fontsource/noto-sans-jp/package.json");
  const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
  const dir = path.join(tmpdir(), `shipped-cancellation-noto-sans-jp-${version}`);
  const config = path.join(dir, "fonts.conf");
  if (existsSync(config)) return config;

  // Written beside it, then renamed: another run at the same time never reads half a directory.
  const partial = `${dir}.${process.pid}`;
  await mkdir(path.join(partial, "fonts"), { recursive: true });
  const files = path.join(path.dirname(packageJson), "files");
  for (const name of (await readdir(files)).filter((file) => WEIGHTS.test(file))) {
    const font = woffToOpenType(await readFile(path.join(files, name)));
    await writeFile(path.join(partial, "fonts", name.replace(/\.woff$/, ".otf")), font);
  }
  const { FONTCONFIG_FILE, FONTCONFIG_PATH } = process.env;
  const usual =
    FONTCONFIG_FILE ??
    (FONTCONFIG_PATH ? path.join(FONTCONFIG_PATH, "fonts.conf") : "/etc/fonts/fonts.conf");
  await writeFile(
    path.join(partial, "fonts.conf"),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      "<fontconfig>",
      `  <include ignore_missing="yes">${usual}</include>`,
      `  <dir>${path.join(dir, "fonts")}</dir>`,
      `  <cachedir>${path.join(dir, "cache")}</cachedir>`,
      "</fontconfig>",
      "",
    ].join("\n"),
  );
  try {
    await rename(partial, dir);
  } catch (error) {
    // Another run got there first: theirs is the same.
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(config)) throw error;
  }
  return config;
};
