// Leak check: the DynamoDB Local JVMs this process started (its direct children) must be gone
// after teardown. Other runs' JVMs on the same machine are not our children and are left alone.
import { readdirSync, readFileSync } from "node:fs";

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process ended meanwhile
  }
};

/** Pids of this process's live DynamoDB Local children (Linux /proc; empty elsewhere). */
export const dynamoDbLocalChildren = (): number[] => {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      const stat = read(`/proc/${pid}/stat`);
      // Fields after the parenthesised command name: state, ppid, ...
      const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields?.[0] === "Z" || Number(fields?.[1]) !== process.pid) return false;
      return read(`/proc/${pid}/cmdline`)?.includes("DynamoDBLocal") ?? false;
    })
    .map(Number);
};

/** Resident memory of a process in MB (Linux /proc), or 0 when it cannot be read. */
export const rssMbOf = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? "")?.[1];
  return kb === undefined ? 0 : Number(kb) / 1024;
};
