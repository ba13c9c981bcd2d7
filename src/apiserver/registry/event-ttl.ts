/**
 * Event expiry: upstream's API server writes every Event with an etcd lease of `--event-ttl` (1 h), so an
 * Event is gone an hour after its last write. Here the server follows the events' watch cache: each write
 * queues the key with its expiry, and a sweep deletes every Event whose newest write is older than the
 * TTL, with its resourceVersion as a precondition so that a write racing the sweep keeps the Event.
 * Events found at start (written before a restart) expire from the newest time they carry.
 */
import type { KubeObject } from "../../api/meta/types.js";
import type { Logger } from "../../util/log.js";
import { ADMIN } from "../auth/authenticator.js";
import type { Store } from "./store.js";
import type { CacheEvent, CachedObject, ResourceCache } from "./watch-cache.js";

/** Upstream's default `--event-ttl`. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

/** Deletes in flight at once: a burst of Events expires as fast as it was written. */
const DELETE_CONCURRENCY = 32;

interface Expiry {
  key: string;
  revision: number;
  at: number;
}

/** Deletes Events a TTL after their last write; `sweep()` is also called by tests with a fake clock. */
export class EventExpiry {
  readonly #store: Store;
  readonly #cache: ResourceCache;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #log: Logger;
  /** Expiries in the order they fall due; superseded entries are skipped when they come up. */
  #queue: Expiry[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(opts: {
    store: Store;
    cache: ResourceCache;
    ttlMs: number;
    logger: Logger;
    now?: () => number;
  }) {
    this.#store = opts.store;
    this.#cache = opts.cache;
    this.#ttlMs = opts.ttlMs;
    this.#log = opts.logger;
    this.#now = opts.now ?? Date.now;
    const found: Expiry[] = [];
    for (const entry of this.#cache.range("")) {
      found.push({ key: entry.key, revision: entry.revision, at: lastWrite(entry) + this.#ttlMs });
    }
    this.#queue = found.sort((a, b) => a.at - b.at);
    this.#cache.addWatcher({ deliver: (event) => this.#observe(event) });
  }

  /** Sweeps every `intervalMs` (a tenth of the TTL, at most a minute, by default). */
  start(intervalMs = Math.min(60_000, Math.max(1000, this.#ttlMs / 10))): void {
    this.#timer = setInterval(() => void this.sweep(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Deletes every Event due by now; resolves with how many it deleted. */
  async sweep(): Promise<number> {
    if (this.#sweeping) return 0;
    this.#sweeping = true;
    let deleted = 0;
    try {
      const now = this.#now();
      while (this.#head < this.#queue.length && this.#queue[this.#head]!.at <= now) {
        const batch: CachedObject[] = [];
        while (
          batch.length < DELETE_CONCURRENCY &&
          this.#head < this.#queue.length &&
          this.#queue[this.#head]!.at <= now
        ) {
          const due = this.#queue[this.#head++]!;
          const current = this.#cache.get(due.key);
          // A newer write queued its own expiry; a deleted Event needs nothing.
          if (current && current.revision === due.revision) batch.push(current);
        }
        const results = await Promise.all(batch.map((entry) => this.#delete(entry)));
        deleted += results.filter(Boolean).length;
      }
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    } finally {
      this.#sweeping = false;
    }
    return deleted;
  }

  #observe(event: CacheEvent): void {
    if (event.type === "DELETED") return;
    const at = this.#now() + this.#ttlMs;
    this.#queue.push({ key: event.object.key, revision: event.revision, at });
  }

  async #delete(entry: CachedObject): Promise<boolean> {
    const { namespace = "", name = "" } = entry.obj.metadata;
    try {
      await this.#store.delete(
        namespace,
        name,
        { preconditions: { resourceVersion: String(entry.revision) } },
        { dryRun: false, user: ADMIN },
      );
      return true;
    } catch (err) {
      // Deleted or written meanwhile (NotFound, Conflict): either way nothing is left to expire now.
      this.#log.debug("Event not expired", { event: `${namespace}/${name}`, err });
      return false;
    }
  }
}

/** The newest time an Event carries: its writes in managedFields, its timestamps and series. */
function lastWrite(entry: CachedObject): number {
  // Parsed here without the cache's memo, so that a start with many Events keeps only their JSON.
  const ev = JSON.parse(entry.json) as KubeObject & Record<string, unknown>;
  const times: unknown[] = [
    ev.metadata.creationTimestamp,
    ev["lastTimestamp"],
    ev["eventTime"],
    (ev["series"] as { lastObservedTime?: unknown } | undefined)?.lastObservedTime,
    ...(ev.metadata.managedFields ?? []).map((m) => m.time),
  ];
  let newest = 0;
  for (const t of times) {
    const ms = typeof t === "string" ? Date.parse(t) : NaN;
    if (ms > newest) newest = ms;
  }
  return newest;
}
