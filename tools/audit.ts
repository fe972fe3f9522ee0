// `npm run audit -- verify <file> [--seal <digest.json>]`: checks an export of
// GET /orders/{orderId}/audit offline (tools/audit-verify.ts), and against a sealed digest.
// Exit 0: it holds (the head is printed); 1: an entry was changed, dropped, added or moved
// (`first bad entry: seq <n>`), or the seal does not match; 2: a file unreadable or not JSON of
// the right shape, or a wrong command line.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { asDigest, asExport, checkSeal, NotReadable, verifyExport } from "./audit-verify.ts";

const USAGE = "usage: npm run audit -- verify <export.json> [--seal <digest.json>]";

/** The parsed JSON of a file, or NotReadable saying why not. */
const readJson = async (file: string, what: string): Promise<unknown> => {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new NotReadable(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NotReadable(`the ${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
};

/** `verify <file> [--seal <digest>]`, or undefined for any other command line. */
const commandLine = (args: string[]): { file: string; seal?: string } | undefined => {
  try {
    const { positionals, values } = parseArgs({
      args,
      options: { seal: { type: "string" } },
      allowPositionals: true,
    });
    const [command, file, ...rest] = positionals;
    if (command !== "verify" || file === undefined || rest.length > 0) return undefined;
    return { file, ...(values.seal !== undefined && { seal: values.seal }) };
  } catch {
    return undefined;
  }
};

const main = async (args: string[]): Promise<number> => {
  const command = commandLine(args);
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  try {
    const trail = asExport(await readJson(command.file, "export"));
    const digest =
      command.seal === undefined ? undefined : asDigest(await readJson(command.seal, "digest"));
    const chain = verifyExport(trail);
    for (const line of chain.lines) console.log(line);
    if (!chain.ok) return 1;
    if (!digest) return 0;
    const seal = checkSeal(trail, digest);
    for (const line of seal.lines) console.log(line);
    return seal.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof NotReadable)) throw error;
    console.error(error.message);
    return 2;
  }
};

process.exitCode = await main(process.argv.slice(2));
