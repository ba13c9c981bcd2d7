/**
 * Informer: keeps an indexed cache of one resource in step with the API and tells handlers about every
 * change. It lists (in pages), then watches from the list's resourceVersion with bookmarks; a watch
 * that ends is resumed from the last resourceVersion seen; a 410 (the server no longer has that
 * revision) or a failed list starts over with a fresh list after a back-off, and the cache is
 * reconciled with it: objects that vanished meanwhile are reported deleted with their last known state.
 */
import type { KubeObject } from "../api/meta/types.js";
import { ApiError } from "./api-error.js";
import { realClock, sleep, type Clock } from "./clock.js";
import type { KubeClient } from "./client.js";
import { Indexer, type IndexFunc } from "./indexer.js";
import { Lister } from "./lister.js";
import { apiVersionFor, objectKey, type ResourceDescriptor } from "./resource.js";

/**
 * What an informer tells its handlers. Handlers run synchronously, one event at a time, in the order
 * of the changes; they should only look at the objects and enqueue keys, never block, never mutate.
 */
export interface EventHandlers<T extends KubeObject = KubeObject> {
  /** An object appeared; `isInitialList` is true for objects of the first list (or replayed to a late handler). */
  onAdd?(obj: T, isInitialList: boolean): void;
  /** An object changed from `oldObj` to `newObj`. */
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * An object was deleted; `obj` is its final state, or only the last state the cache knew when the
   * deletion was inferred from a re-list (`finalStateUnknown`).
   */
  onDelete?(obj: T, finalStateUnknown: boolean): void;
}

/** Which objects an informer follows. */
export interface InformerScope {
  /** One namespace; all when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options of an informer. */
/**
 * Drops `metadata.managedFields`, which components never read and which is often half of an object, as
 * upstream's controller manager and scheduler do in their informers. Updates sent from such a copy
 * leave the stored managedFields as they are.
 */
export function stripManagedFields(obj: KubeObject): void {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
}

export interface InformerOptions<T extends KubeObject = KubeObject> extends InformerScope {
  /** Objects per list page; 500 by default, as upstream's reflector. */
  pageSize?: number;
  /** Custom indexes, beside the built-in namespace index. */
  indexers?: Record<string, IndexFunc<T>>;
  /** Back-off between failed lists or watches: from `initialMs` (800) doubling to `maxMs` (30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long each watch request lasts on the server before it is renewed; 5 to 10 min by default. */
  watchTimeoutSeconds?: number;
  clock?: Clock;
  /** Receives failed lists and watches (they are retried) and exceptions thrown by handlers. */
  onError?: (err: unknown) => void;
  /**
   * Changes each object before it is cached and handed to handlers (client-go's SetTransform), e.g.
   * `stripManagedFields` to keep big caches small. It may change the object it is given.
   */
  transform?: (obj: KubeObject) => void;
}

/** The cache and change feed of one resource. */
export class Informer<T extends KubeObject = KubeObject> {
  /** The cache, with its indexes; read-only for everyone but the informer. */
  readonly indexer: Indexer<T>;
  /** Reads of the cache by namespace, name and labels. */
  readonly lister: Lister<T>;
  readonly #client: KubeClient;
  readonly #resource: ResourceDescriptor;
  readonly #opts: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #handlers: EventHandlers<T>[] = [];
  readonly #syncWaiters: ((synced: boolean) => void)[] = [];
  #stop: AbortController | undefined;
  #running: Promise<void> | undefined;
  #synced = false;
  #resourceVersion = "";
  #lists = 0;

  constructor(client: KubeClient, resource: ResourceDescriptor, opts: InformerOptions<T> = {}) {
    this.#client = client;
    this.#resource = resource;
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.indexer = new Indexer<T>(opts.indexers ?? {});
    this.lister = new Lister(this.indexer);
  }

  /** The resource this informer follows. */
  get resource(): ResourceDescriptor {
    return this.#resource;
  }

  /** The resourceVersion of the last list, watch event or bookmark applied to the cache. */
  get lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  /** How many full lists the informer has made (the first one and every re-list). */
  get listCount(): number {
    return this.#lists;
  }

  /**
   * Adds handlers. Added after the first list, they are first told of every cached object as an add,
   * so that every handler sees the same picture. Returns a function that removes them.
   */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.#handlers.push(handlers);
    if (this.#synced && handlers.onAdd) {
      for (const obj of this.indexer.list()) this.#call(() => handlers.onAdd!(obj, true));
    }
    return () => {
      const i = this.#handlers.indexOf(handlers);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /** Starts listing and watching in the background; calling it again does nothing. */
  start(): void {
    if (this.#stop) return;
    this.#stop = new AbortController();
    this.#running = this.#run(this.#stop.signal);
  }

  /** Stops the watch; resolves once the informer has stopped. The cache keeps its last contents. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    for (const resolve of this.#syncWaiters.splice(0)) resolve(false);
  }

  /** Whether the first list has been applied to the cache and handed to the handlers. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, or false if the informer stops (or `signal` aborts) first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted || this.#stop?.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (synced: boolean): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(synced);
      };
      const onAbort = (): void => {
        const i = this.#syncWaiters.indexOf(done);
        if (i >= 0) this.#syncWaiters.splice(i, 1);
        resolve(false);
      };
      this.#syncWaiters.push(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async #run(signal: AbortSignal): Promise<void> {
    const initialMs = this.#opts.backoff?.initialMs ?? 800;
    const maxMs = this.#opts.backoff?.maxMs ?? 30_000;
    let needList = true;
    let failures = 0;

    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#listAndReplace(signal);
          needList = false;
        }
        const started = this.#clock.now();
        const events = await this.#watch(signal);
        // A watch the server ends at once, with nothing in it, counts as a failure: retrying it
        // without a pause would spin.
        if (events > 0 || this.#clock.now() - started >= 1000) {
          failures = 0;
          continue;
        }
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ApiError && err.code === 410) needList = true;
        this.#report(err);
      }

      // Jitter keeps many informers that failed together from all retrying at the same moment.
      const delay = Math.min(maxMs, initialMs * 2 ** failures) * (1 + Math.random() * 0.2);
      failures++;
      if (await sleep(this.#clock, delay, signal)) break;
    }
  }

  async #listAndReplace(signal: AbortSignal): Promise<void> {
    const pageSize = this.#opts.pageSize ?? 500;
    const items: T[] = [];
    let resourceVersion = "";
    let token: string | undefined;
    do {
      const page = await this.#client.list<T>(this.#resource, {
        ...this.#scope(),
        limit: pageSize,
        ...(token ? { continue: token } : {}),
      });
      if (signal.aborted) return;
      if (!resourceVersion) resourceVersion = page.metadata.resourceVersion ?? "";
      for (const item of page.items) items.push(this.#withTypeMeta(item));
      token = page.metadata.continue || undefined;
    } while (token);

    this.#lists++;
    this.#replace(items);
    this.#resourceVersion = resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncWaiters.splice(0)) resolve(true);
    }
  }

  /** Makes the cache hold exactly `items`, telling handlers what that changed. */
  #replace(items: T[]): void {
    const initial = !this.#synced;
    const fresh = new Set<string>();
    for (const item of items) fresh.add(objectKey(item.metadata));
    for (const key of this.indexer.keys()) {
      if (fresh.has(key)) continue;
      const gone = this.indexer.delete(key)!;
      this.#emit((h) => h.onDelete?.(gone, true));
    }
    for (const item of items) {
      const old = this.indexer.set(item);
      if (!old) this.#emit((h) => h.onAdd?.(item, initial));
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) {
        this.#emit((h) => h.onUpdate?.(old, item));
      }
    }
  }

  /** Follows one watch request to its end; returns how many events it brought. */
  async #watch(signal: AbortSignal): Promise<number> {
    const timeoutSeconds = this.#opts.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const stream = this.#client.watch<T>(this.#resource, {
      ...this.#scope(),
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal,
    });
    let count = 0;
    for await (const event of stream) {
      count++;
      switch (event.type) {
        case "ERROR":
          throw new ApiError(event.object);
        case "BOOKMARK":
          break;
        case "ADDED":
        case "MODIFIED": {
          const obj = this.#withTypeMeta(event.object);
          const old = this.indexer.set(obj);
          if (old) this.#emit((h) => h.onUpdate?.(old, obj));
          else this.#emit((h) => h.onAdd?.(obj, false));
          break;
        }
        case "DELETED": {
          const obj = this.#withTypeMeta(event.object);
          this.indexer.delete(objectKey(obj.metadata));
          this.#emit((h) => h.onDelete?.(obj, false));
          break;
        }
      }
      const rv = event.object.metadata?.resourceVersion;
      if (rv) this.#resourceVersion = rv;
    }
    return count;
  }

  #scope(): InformerScope {
    const scope: InformerScope = {};
    if (this.#opts.namespace) scope.namespace = this.#opts.namespace;
    if (this.#opts.labelSelector) scope.labelSelector = this.#opts.labelSelector;
    if (this.#opts.fieldSelector) scope.fieldSelector = this.#opts.fieldSelector;
    return scope;
  }

  /**
   * Every object enters the cache here. List items may come without apiVersion and kind; handlers and
   * event references need them.
   */
  #withTypeMeta(obj: T): T {
    if (this.#resource.kind) {
      obj.apiVersion ??= apiVersionFor(this.#resource);
      obj.kind ??= this.#resource.kind;
    }
    this.#opts.transform?.(obj);
    return obj;
  }

  #emit(fn: (h: EventHandlers<T>) => void): void {
    for (const h of this.#handlers) this.#call(() => fn(h));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    this.#opts.onError?.(err);
  }
}
