/**
 * Raw storage throughput: creates per second straight into each backend, with several concurrent writers,
 * each awaiting its write before sending the next (as API clients do). Prints figures; asserts nothing.
 * Run alone with `node dist/bench/storage.js [creates] [writers]`.
 */

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Backend } from "../src/storage/backend.js";
import { openBackend } from "../src/storage/open.js";

/** Settings of one storage benchmark run. */
export interface StorageBenchOptions {
  /** Creates in total. Default 20,000. */
  creates?: number;
  /** Concurrent writers. Default 16. */
  writers?: number;
  /** Approximate size of each value in bytes. Default 2,048. */
  valueBytes?: number;
  /** Backends to measure. Default both. */
  types?: ("sqlite" | "memory")[];
}

/** The figures of one backend. */
export interface StorageBenchResult {
  type: string;
  creates: number;
  writers: number;
  seconds: number;
  createsPerSecond: number;
  /** Size of the database file and its WAL after the run, for sqlite. */
  fileBytes?: number;
}

/** Measures creates/s into each backend and returns the figures. */
export async function benchStorage(opts: StorageBenchOptions = {}): Promise<StorageBenchResult[]> {
  const creates = opts.creates ?? 20_000;
  const writers = opts.writers ?? 16;
  const valueBytes = opts.valueBytes ?? 2048;
  const results: StorageBenchResult[] = [];

  for (const type of opts.types ?? ["sqlite", "memory"]) {
    const dataDir = mkdtempSync(join(tmpdir(), "kates-bench-storage-"));
    try {
      const backend = await openBackend({ type, dataDir, compaction: { intervalMs: 0 } });
      let seconds: number;
      try {
        seconds = await runCreates(backend, creates, writers, valueBytes);
      } finally {
        await backend.close();
      }
      const result: StorageBenchResult = {
        type,
        creates,
        writers,
        seconds,
        createsPerSecond: Math.round(creates / seconds),
      };
      if (type === "sqlite") result.fileBytes = fileSize(join(dataDir, "state.db"));
      results.push(result);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return results;
}

async function runCreates(
  backend: Backend,
  creates: number,
  writers: number,
  valueBytes: number,
): Promise<number> {
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < creates; i = next++) {
      await backend.create(`/registry/configmaps/bench/cm-${i}`, makeValue(i, valueBytes));
    }
  };

  const start = performance.now();
  await Promise.all(Array.from({ length: writers }, writer));
  return (performance.now() - start) / 1000;
}

/** A JSON object shaped like a stored ConfigMap, padded to about `bytes`. */
function makeValue(i: number, bytes: number): string {
  const object = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `cm-${i}`,
      namespace: "bench",
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    },
    data: { payload: "" },
  };
  const base = JSON.stringify(object).length;
  object.data.payload = "x".repeat(Math.max(0, bytes - base));
  return JSON.stringify(object);
}

function fileSize(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // The WAL is gone after a clean close; a missing file adds nothing.
    }
  }
  return total;
}

/** Prints the figures of `benchStorage` as one line per backend. */
export function formatStorageBench(results: StorageBenchResult[]): string {
  return results
    .map(
      (r) =>
        `storage ${r.type}: ${r.createsPerSecond} creates/s (${r.creates} creates, ${r.writers} writers, ` +
        `${r.seconds.toFixed(2)} s${r.fileBytes !== undefined ? `, file ${(r.fileBytes / 1e6).toFixed(1)} MB` : ""})`,
    )
    .join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const creates = process.argv[2] ? Number(process.argv[2]) : undefined;
  const writers = process.argv[3] ? Number(process.argv[3]) : undefined;
  const results = await benchStorage({
    ...(creates ? { creates } : {}),
    ...(writers ? { writers } : {}),
  });
  console.log(formatStorageBench(results));
}
