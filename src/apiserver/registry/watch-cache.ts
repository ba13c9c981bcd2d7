/**
 * The watch cache: every resource's current objects and a window of its recent changes, in memory, fed by
 * one storage watch over the whole registry. Lists and watches are served from here, so a thousand
 * watchers cost the store nothing.
 *
 * Objects in the cache are shared and must never be mutated; callers copy before changing anything.
 */
import type { Backend, KeyValue, Watch, WatchEvent } from "../../storage/backend.js";
import { CachedObject, withResourceVersion } from "./codec.js";
import { compareKeys } from "../../storage/keys.js";
import { SortedKeys } from "../../storage/sorted-keys.js";
import { REGISTRY_ROOT } from "./keys.js";

export { CachedObject };

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** One change of one object. For DELETED, `object` is the last state with the deletion's revision. */
export interface CacheEvent {
  type: EventType;
  object: CachedObject;
  /** The state before the change (for MODIFIED and DELETED). */
  prev?: CachedObject;
  revision: number;
}

/** Someone watching a resource; `deliver` gets events in revision order. */
export interface CacheWatcher {
  deliver(event: CacheEvent): void;
  /** Called with the cache's revision whenever it advances without an event for this resource. */
  progress?(revision: number): void;
}

/** How many recent events each resource keeps for watches that start in the past. */
const DEFAULT_WINDOW = 10_000;

/** The cache of one resource (one key prefix). */
export class ResourceCache {
  readonly prefix: string;
  readonly #items = new Map<string, CachedObject>();
  /** The keys in order, for ordered and paged lists. */
  readonly #sortedKeys = new SortedKeys();
  #events: CacheEvent[] = [];
  /** Events after this revision are all in `#events`; a watch from an older revision has expired. */
  #windowStart: number;
  readonly #windowSize: number;
  readonly #watchers = new Set<CacheWatcher>();

  constructor(prefix: string, startRevision: number, windowSize = DEFAULT_WINDOW) {
    this.prefix = prefix;
    this.#windowStart = startRevision;
    this.#windowSize = windowSize;
  }

  get size(): number {
    return this.#items.size;
  }

  /** The oldest revision a watch may start from. */
  get windowStart(): number {
    return this.#windowStart;
  }

  get(key: string): CachedObject | undefined {
    return this.#items.get(key);
  }

  /** Cached objects whose keys start with `prefix` and are at least `startKey`, in key order. */
  *range(prefix: string, startKey = ""): Generator<CachedObject> {
    const from = compareKeys(startKey, prefix) > 0 ? startKey : prefix;
    for (const key of this.#sortedKeys.range(from)) {
      if (!key.startsWith(prefix)) return;
      yield this.#items.get(key)!;
    }
  }

  /** Events after `revision`, or undefined if they are no longer all kept. */
  eventsAfter(revision: number): CacheEvent[] | undefined {
    if (revision < this.#windowStart) return undefined;
    let i = this.#events.length;
    while (i > 0 && this.#events[i - 1]!.revision > revision) i--;
    return this.#events.slice(i);
  }

  addWatcher(w: CacheWatcher): void {
    this.#watchers.add(w);
  }

  removeWatcher(w: CacheWatcher): void {
    this.#watchers.delete(w);
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  /** Loads an object during the initial fill, without an event. */
  load(entry: CachedObject): void {
    this.#sortedKeys.insert(entry.key);
    this.#items.set(entry.key, entry);
  }

  /** Applies one change from storage and hands it to every watcher. */
  apply(event: CacheEvent): void {
    const key = event.object.key;
    if (event.type === "DELETED") {
      this.#items.delete(key);
      this.#sortedKeys.delete(key);
    } else {
      if (!this.#items.has(key)) this.#sortedKeys.insert(key);
      this.#items.set(key, event.object);
    }
    this.#events.push(event);
    if (this.#events.length > this.#windowSize * 1.25) {
      const drop = this.#events.length - this.#windowSize;
      this.#windowStart = this.#events[drop - 1]!.revision;
      this.#events = this.#events.slice(drop);
    }
    for (const w of this.#watchers) w.deliver(event);
  }

  /** Tells watchers the cache has reached `revision` (for bookmarks). */
  progress(revision: number): void {
    for (const w of this.#watchers) w.progress?.(revision);
  }
}

/** Decodes a stored value into a cached object carrying `revision` as its resourceVersion. */
export function decodeStored(kv: KeyValue, revision = kv.modRevision): CachedObject {
  return new CachedObject(kv.key, withResourceVersion(kv.value, revision), revision);
}

/** The watch cache of the whole registry: one ResourceCache per resource prefix. */
export class WatchCache {
  readonly #backend: Backend;
  readonly #caches = new Map<string, ResourceCache>();
  #revision = 0;
  #watch: Watch | undefined;
  #waiters: { revision: number; resolve: () => void }[] = [];
  readonly #windowSize: number;

  constructor(backend: Backend, opts: { windowSize?: number } = {}) {
    this.#backend = backend;
    this.#windowSize = opts.windowSize ?? DEFAULT_WINDOW;
  }

  /** The revision of the last change the cache has applied. */
  get revision(): number {
    return this.#revision;
  }

  /** Lists the whole registry, then follows the storage change feed. `prefixes` are the resources to cache. */
  async start(prefixes: string[], onError: (err: Error) => void): Promise<void> {
    const listed = await this.#backend.list(REGISTRY_ROOT);
    this.#revision = listed.revision;
    for (const prefix of prefixes)
      this.#caches.set(prefix, new ResourceCache(prefix, listed.revision, this.#windowSize));
    for (const kv of listed.items) this.#cacheFor(kv.key)?.load(decodeStored(kv));
    this.#watch = this.#backend.watch(REGISTRY_ROOT, {
      afterRevision: listed.revision,
      onEvents: (events) => this.#apply(events),
      onError,
    });
  }

  stop(): void {
    this.#watch?.stop();
    this.#watch = undefined;
  }

  /** The cache of the resource with this key prefix. */
  resource(prefix: string): ResourceCache {
    const cache = this.#caches.get(prefix);
    if (!cache)
      throw new Error(`Cannot find the watch cache of ${prefix}: resource not registered`);
    return cache;
  }

  /**
   * Resolves once the cache has applied every change up to `revision`; rejects after `timeoutMs`. Used to
   * serve consistent reads and to let a writer read its own write.
   */
  waitForRevision(revision: number, timeoutMs = 3000): Promise<void> {
    if (this.#revision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { revision, resolve: () => {} };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`Cannot read at revision ${revision}: the cache is at ${this.#revision}`));
      }, timeoutMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(waiter);
    });
  }

  /** Waits until the cache holds everything storage has acknowledged so far. */
  async sync(): Promise<void> {
    await this.waitForRevision(await this.#backend.currentRevision());
  }

  #cacheFor(key: string): ResourceCache | undefined {
    // Keys are /registry/<plural>/... or /registry/<group>/<plural>/...; try the short form first.
    const second = key.indexOf("/", REGISTRY_ROOT.length);
    if (second < 0) return undefined;
    const short = this.#caches.get(key.slice(0, second + 1));
    if (short) return short;
    const third = key.indexOf("/", second + 1);
    return third < 0 ? undefined : this.#caches.get(key.slice(0, third + 1));
  }

  #apply(events: WatchEvent[]): void {
    const touched = new Set<ResourceCache>();
    for (const e of events) {
      const cache = this.#cacheFor(e.kv.key);
      const revision = e.kv.modRevision;
      if (cache) {
        touched.add(cache);
        cache.apply(toCacheEvent(cache, e, revision));
      }
      this.#revision = revision;
    }
    for (const cache of this.#caches.values())
      if (!touched.has(cache)) cache.progress(this.#revision);
    if (this.#waiters.length) {
      const ready = this.#waiters.filter((w) => w.revision <= this.#revision);
      this.#waiters = this.#waiters.filter((w) => w.revision > this.#revision);
      for (const w of ready) w.resolve();
    }
  }
}

function toCacheEvent(cache: ResourceCache, e: WatchEvent, revision: number): CacheEvent {
  const prev = cache.get(e.kv.key);
  if (e.type === "delete") {
    const last = prev ?? decodeStored(e.prevKv ?? e.kv);
    // A delete event carries the deleted value, at the deletion's revision.
    const object = decodeStored(e.kv, revision);
    return { type: "DELETED", object, prev: last, revision };
  }
  const object = decodeStored(e.kv);
  return prev ? { type: "MODIFIED", object, prev, revision } : { type: "ADDED", object, revision };
}
