/**
 * Per-key exponential back-off, as upstream's flowcontrol.Backoff: each step doubles the delay from
 * `initialMs` up to `maxMs`, and a key left alone for twice `maxMs` starts over. The DaemonSet
 * controller keys it by DaemonSet and node, so that a node whose agent keeps failing the daemon pod
 * is not hot-looped with deletions and re-creations. In memory; a restart starts without delays.
 */

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/** Back-off delays by key; times are milliseconds since the epoch, passed in by the caller. */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  #expired(entry: Entry, now: number): boolean {
    return now - entry.lastUpdate > 2 * this.#maxMs;
  }

  /** Takes a step for `key` at `now`: the first delay, or double the last one (at most the cap). */
  next(key: string, now: number): void {
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(entry, now)) {
      this.#entries.set(key, { delayMs: this.#initialMs, lastUpdate: now });
      return;
    }
    entry.delayMs = Math.min(entry.delayMs * 2, this.#maxMs);
    entry.lastUpdate = now;
  }

  /** The milliseconds `key` must still wait at `now` since its last step; 0 when it need not. */
  remainingMs(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(entry, now)) return 0;
    return Math.max(0, entry.lastUpdate + entry.delayMs - now);
  }

  /** The current delay of `key`; 0 when it has none. */
  delayMs(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** Forgets keys whose back-off has expired. */
  gc(now: number): void {
    for (const [key, entry] of this.#entries)
      if (this.#expired(entry, now)) this.#entries.delete(key);
  }
}
