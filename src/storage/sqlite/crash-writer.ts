/**
 * The child process of crash.test.ts: creates keys with many concurrent writers into a SqliteBackend and
 * prints `<key> <revision>` on standard output as each write is acknowledged, until it is killed.
 * Usage: node crash-writer.js <database path> <writers> <first key index>
 */

import { pathToFileURL } from "node:url";
import { SqliteBackend } from "./sqlite-backend.js";

/** The key the crash writer creates for index `i`. */
export function crashKey(i: number): string {
  return `/crash/${String(i).padStart(8, "0")}`;
}

/** The value the crash writer stores under `crashKey(i)`, about 1 KB. */
export function crashValue(i: number): string {
  return JSON.stringify({ index: i, padding: "p".repeat(1000 + (i % 17)) });
}

async function main(args: string[]): Promise<void> {
  const [path, writersArg, firstArg] = args;
  if (!path) throw new Error("Usage: crash-writer <database path> [writers] [first key index]");
  const writers = Number(writersArg ?? 16);
  let next = Number(firstArg ?? 0);

  const backend = new SqliteBackend({ path, compaction: { intervalMs: 0 } });
  process.stdout.write(`ready ${await backend.currentRevision()}\n`);
  const writer = async (): Promise<never> => {
    for (;;) {
      const i = next++;
      const { revision } = await backend.create(crashKey(i), crashValue(i));
      // Pipes are written synchronously on Linux, so a printed line means the parent can read it.
      process.stdout.write(`${crashKey(i)} ${revision}\n`);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`crash-writer failed: ${String(err)}\n`);
    process.exit(1);
  });
}
