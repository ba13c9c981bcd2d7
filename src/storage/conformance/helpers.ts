/**
 * Helpers of the storage conformance suite: opening a backend per test and collecting watch events.
 */

import type { Backend, Watch, WatchEvent } from "../backend.js";

/** How a conformance run gets backends. */
export interface BackendFactory {
  /** Opens a new, empty store. */
  open(): Promise<Backend>;
  /** For stores that persist: closes `backend` and opens the same store again. */
  reopen?: (backend: Backend) => Promise<Backend>;
}

/** Runs `body` with a fresh backend from `factory`, closing whichever backend it ends with. */
export async function withBackend(
  factory: BackendFactory,
  body: (backend: Backend, swap: (next: Backend) => void) => Promise<void>,
): Promise<void> {
  let backend = await factory.open();
  try {
    await body(backend, (next) => (backend = next));
  } finally {
    await backend.close();
  }
}

/** Lets pending commits and watch deliveries run: a few turns of the event loop and a short sleep. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A watch that records what it receives, with waits that fail after a timeout instead of hanging. */
export class EventCollector {
  readonly events: WatchEvent[] = [];
  /** How many onEvents calls there were. */
  batches = 0;
  error: Error | undefined;
  readonly watch: Watch;
  #wake: (() => void) | undefined;

  constructor(backend: Backend, prefix: string, afterRevision: number) {
    this.watch = backend.watch(prefix, {
      afterRevision,
      onEvents: (events) => {
        this.batches++;
        this.events.push(...events);
        this.#wake?.();
      },
      onError: (err) => {
        this.error = err;
        this.#wake?.();
      },
    });
  }

  /** Resolves with the events once at least `n` have arrived; rejects on a watch error or timeout. */
  async waitForCount(n: number, timeoutMs = 5000): Promise<WatchEvent[]> {
    await this.#waitUntil(() => this.events.length >= n, `${n} events`, timeoutMs);
    return this.events;
  }

  /** Resolves with the watch's error once it fails; rejects on timeout. */
  async waitForError(timeoutMs = 5000): Promise<Error> {
    await this.#waitUntil(() => this.error !== undefined, "a watch error", timeoutMs, true);
    return this.error as Error;
  }

  /** The revisions of the events received so far. */
  revisions(): number[] {
    return this.events.map((e) => e.kv.modRevision);
  }

  async #waitUntil(done: () => boolean, what: string, timeoutMs: number, errorOk = false) {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.error && !errorOk)
        throw new Error(`Watch failed while waiting for ${what}`, { cause: this.error });
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Timed out waiting for ${what}: have ${this.events.length} events`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}

/** Numbers from `from` to `to` inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Awaits `promise` and returns what it rejected with; fails if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("Expected the promise to reject, but it resolved");
}
