/**
 * Picks and opens a storage backend from configuration, as `kates server --storage` names it.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../util/log.js";
import type { Backend } from "./backend.js";
import { StorageError } from "./backend.js";
import type { CompactionOptions } from "./compaction-planner.js";
import { MemoryBackend } from "./memory/memory-backend.js";
import type { SyncMode } from "./sqlite/schema.js";
import { SqliteBackend } from "./sqlite/sqlite-backend.js";

/** The backend types `openBackend` knows. */
export const BACKEND_TYPES = ["sqlite", "memory"] as const;

/** One of BACKEND_TYPES. */
export type BackendType = (typeof BACKEND_TYPES)[number];

/** Settings for `openBackend`. */
export interface OpenBackendOptions {
  /** `sqlite` or `memory`; typed as a string because it usually comes straight from a flag. */
  type: BackendType | (string & {});
  /** For sqlite: the folder of `state.db`, created if missing. */
  dataDir?: string;
  /** Where background failures (compaction, the death of SQLite's worker thread) are reported. */
  logger?: Logger;
  /** Periodic compaction; by default every 60 s, keeping 5 minutes and at least 1,000 revisions. */
  compaction?: CompactionOptions;
  /** For sqlite: `full` (default) or `normal`; see src/storage/README.md. */
  sync?: SyncMode;
}

/** A storage configuration that cannot be opened: an unknown type or a missing setting. */
export class BackendConfigError extends StorageError {}

/** The file name of the SQLite database inside the data folder. */
export const SQLITE_FILE = "state.db";

/** Opens the backend `opts.type` names; throws BackendConfigError for an unknown type or missing dataDir. */
export async function openBackend(opts: OpenBackendOptions): Promise<Backend> {
  const { logger } = opts;
  const onBackgroundError = (err: unknown): void => {
    logger?.error("Storage failed in the background", {
      error: err instanceof Error ? err : String(err),
    });
  };
  const common = {
    onBackgroundError,
    ...(opts.compaction ? { compaction: opts.compaction } : {}),
  };

  switch (opts.type) {
    case "memory":
      return new MemoryBackend(common);
    case "sqlite": {
      if (!opts.dataDir) {
        throw new BackendConfigError("Cannot open sqlite storage: no data directory given");
      }
      mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
      const path = join(opts.dataDir, SQLITE_FILE);
      return new SqliteBackend({ path, ...common, ...(opts.sync ? { sync: opts.sync } : {}) });
    }
    default:
      throw new BackendConfigError(
        `Cannot open storage of type ${JSON.stringify(opts.type)}: expected one of ${BACKEND_TYPES.join(", ")}`,
      );
  }
}
