/**
 * Rate limiters of the work queue: how long an item waits before it is retried. Upstream's default for
 * controllers is the larger of a per-item exponential back-off and an overall token bucket.
 */
import { realClock, type Clock } from "./clock.js";

/** Decides retry delays per item. */
export interface RateLimiter<K = string> {
  /** How long (ms) to wait before `item` is handed out again; counts one more retry of it. */
  when(item: K): number;
  /** Stops tracking `item`: its next failure starts again from the shortest delay. */
  forget(item: K): void;
  /** How many times `item` has been retried since it was last forgotten. */
  numRequeues(item: K): number;
}

/** Per-item back-off: `baseMs` doubled on each failure of the item, capped at `maxMs`. */
export class ItemExponentialFailureRateLimiter<K = string> implements RateLimiter<K> {
  readonly #failures = new Map<K, number>();
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(baseMs = 5, maxMs = 1000_000) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  when(item: K): number {
    const failures = this.#failures.get(item) ?? 0;
    this.#failures.set(item, failures + 1);
    // 2**failures overflows to Infinity long after the cap applies, so no separate overflow guard.
    return Math.min(this.#maxMs, this.#baseMs * 2 ** failures);
  }

  forget(item: K): void {
    this.#failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket: `burst` retries at once, then `qps` per second, whatever the item. Each call
 * reserves a token, possibly in the future, and returns how long until it is available.
 */
export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps = 10, burst = 100, clock: Clock = realClock) {
    this.#qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(_item: K): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  forget(_item: K): void {
    // The bucket tracks no items.
  }

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The largest delay of several limiters; retries are the most any of them counts. */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.#limiters = limiters;
  }

  when(item: K): number {
    let delay = 0;
    for (const l of this.#limiters) delay = Math.max(delay, l.when(item));
    return delay;
  }

  forget(item: K): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    let n = 0;
    for (const l of this.#limiters) n = Math.max(n, l.numRequeues(item));
    return n;
  }
}

/**
 * Upstream's default controller rate limiter: per item 5 ms doubling to 1000 s, and overall 10 retries
 * per second with a burst of 100.
 */
export function defaultControllerRateLimiter<K = string>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(5, 1000_000),
    new BucketRateLimiter<K>(10, 100, clock),
  );
}
