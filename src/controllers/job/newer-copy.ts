/**
 * A controller's own last write of an object, kept until its informer has caught up: a sync that
 * read the cache's older copy would undo or repeat what the write did (a second Failed event, a
 * status write that conflicts). Kates' resourceVersions are one global increasing integer, so the
 * newer of two copies is the one with the larger version.
 */
import type { KubeObject } from "../../api/meta/types.js";

/** Last writes by key; `newest` hands out the cache's copy or our newer one. */
export class LastWrites<T extends KubeObject> {
  readonly #byKey = new Map<string, T>();

  /** Remembers `obj` as written. */
  set(key: string, obj: T): void {
    this.#byKey.set(key, obj);
  }

  /** Forgets `key` (deleted, or a write conflicted and the cache must be read again). */
  delete(key: string): void {
    this.#byKey.delete(key);
  }

  /** The newer of the cache's copy and our last write; drops the write once the cache has it. */
  newest(key: string, cached: T): T {
    const written = this.#byKey.get(key);
    if (!written) return cached;
    if (written.metadata.uid === cached.metadata.uid && versionOf(written) > versionOf(cached)) {
      return written;
    }
    this.#byKey.delete(key);
    return cached;
  }
}

function versionOf(obj: KubeObject): bigint {
  const rv = obj.metadata.resourceVersion ?? "";
  return /^[0-9]+$/.test(rv) ? BigInt(rv) : -1n;
}
