/**
 * Expectations: what a controller is still waiting to see in its informer after it created or
 * deleted pods. Until those writes show up, the cache undercounts or overcounts, and a sync that
 * acted on it would create or delete too many; so a controller skips the create/delete step of a
 * sync while its expectations are unmet. They expire after five minutes, so that a lost event
 * cannot stall a controller for ever. In memory only: a restarted controller starts with none,
 * which is safe because its first list is complete.
 */

/** How long expectations are trusted before a sync goes ahead anyway (upstream's 5 minutes). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  adds: number;
  dels: number;
  /** Keys (`namespace/name`) of the pods whose deletion is awaited. */
  deleting: Set<string>;
  setAt: number;
}

/**
 * Pending creations and deletions per controller key. Deletions are tracked per pod, so a pod
 * that was deleted by someone else (or twice) does not count as one the controller awaited.
 * Not thread-safe in the Go sense, and needs not be: callers run on one event loop.
 */
export class ControllerExpectations {
  readonly #now: () => number;
  readonly #byKey = new Map<string, Expectation>();

  /** `now` gives milliseconds since the epoch; tests pass a fake clock. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether a sync of `key` may create or delete: nothing awaited, or the wait has expired. */
  satisfied(key: string): boolean {
    const e = this.#byKey.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.dels <= 0) return true;
    return this.#now() - e.setAt > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Records that a sync is about to create `count` pods (replacing older expectations). */
  expectCreations(key: string, count: number): void {
    this.#byKey.set(key, { adds: count, dels: 0, deleting: new Set(), setAt: this.#now() });
  }

  /** Records that a sync is about to delete the pods with these keys (replacing older ones). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#byKey.set(key, {
      adds: 0,
      dels: podKeys.length,
      deleting: new Set(podKeys),
      setAt: this.#now(),
    });
  }

  /**
   * Records that a sync is about to create `count` pods and delete the pods with these keys in one
   * go (replacing older expectations), as a DaemonSet sync may do both.
   */
  expectChanges(key: string, count: number, podKeys: readonly string[]): void {
    this.#byKey.set(key, {
      adds: count,
      dels: podKeys.length,
      deleting: new Set(podKeys),
      setAt: this.#now(),
    });
  }

  /** The informer saw one of the controller's new pods (or a create failed and will not be seen). */
  creationObserved(key: string): void {
    const e = this.#byKey.get(key);
    if (e) e.adds--;
  }

  /**
   * The informer saw `podKey` go (or start terminating), or its delete failed. Only pods the
   * controller asked to delete count.
   */
  deletionObserved(key: string, podKey: string): void {
    const e = this.#byKey.get(key);
    if (!e || !e.deleting.delete(podKey)) return;
    e.dels--;
  }

  /** Lowers the awaited creations after `count` creations were skipped (a batch failed). */
  creationsSkipped(key: string, count: number): void {
    const e = this.#byKey.get(key);
    if (e) e.adds -= count;
  }

  /** Forgets `key` (its controller was deleted). */
  delete(key: string): void {
    this.#byKey.delete(key);
  }
}
