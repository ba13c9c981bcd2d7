/**
 * WorkQueue: the queue between a controller's event handlers and its workers. A key waits at most once
 * (adding it again while it waits changes nothing); a key being processed is never handed to another
 * worker, and if it is added meanwhile it is queued again when the worker calls `done`. Keys can be
 * added after a delay or after their rate limiter's delay.
 */
import { realClock, type Clock, type TimerHandle } from "./clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2_147_483_647;
/** Options of a work queue. */
export interface WorkQueueOptions<K> {
  /** Upstream's default controller rate limiter unless given. */
  rateLimiter?: RateLimiter<K>;
  clock?: Clock;
}

interface Delayed {
  at: number;
  timer: TimerHandle;
}

/** A deduplicating, rate-limited queue of keys shared by a controller's workers. */
export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  /** Keys in hand-out order; `#head` skips those handed out without shifting the array each time. */
  #queue: K[] = [];
  #head = 0;
  /** Keys that need processing: queued, or added again while being processed. */
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #waiters: ((key: K | undefined) => void)[] = [];
  readonly #delayed = new Map<K, Delayed>();
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.#clock);
  }

  /** Queues a key, unless it is already waiting; after shutdown, does nothing. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Queues a key after `ms`; a key already waiting for a later time is moved to the earlier one. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.#clock.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing) {
      if (existing.at <= at) return;
      this.#clock.clearTimeout(existing.timer);
    }
    // Node's timers hold at most 2^31-1 ms (about 24.8 days; a yearly CronJob waits longer): a
    // longer wait is armed in steps.
    const step = Math.min(ms, MAX_TIMER_MS);
    const timer = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      if (step < ms) this.addAfter(key, at - this.#clock.now());
      else this.add(key);
    }, step);
    this.#delayed.set(key, { at, timer });
  }

  /** Queues a key after the rate limiter's delay for it (a retry after a failure). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Ends rate limiting of a key (after it was processed successfully); queued copies stay. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** How many times a key has been retried through `addRateLimited` since it was last forgotten. */
  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /** The number of keys waiting to be handed out (not counting delayed ones). */
  get len(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether `shutDown` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * The next key to process, once there is one; the caller must call `done(key)` when finished. After
   * shutdown, keys still queued are handed out, then undefined.
   */
  get(): Promise<K | undefined> {
    if (this.len > 0) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks a key processed; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    if (this.#dirty.has(key)) this.#push(key);
  }

  /** Stops accepting keys and drops delayed ones; waiting workers get undefined. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const d of this.#delayed.values()) this.#clock.clearTimeout(d.timer);
    this.#delayed.clear();
    for (const resolve of this.#waiters.splice(0)) resolve(undefined);
  }

  #push(key: K): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
  }

  #take(): K {
    const key = this.#queue[this.#head]!;
    this.#head++;
    // Compact once the consumed prefix is large, so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }
}

/** What a reconcile may ask for besides success: to be run again after a while. */
export type ReconcileResult = void | { requeueAfter: number };

/** Options of runWorkers. */
export interface RunWorkersOptions<K> {
  /** Called with each failed key and its error before the key is requeued with rate limiting. */
  onError?: (key: K, err: unknown) => void;
}

/**
 * Runs `n` workers that take keys from the queue and reconcile them until it shuts down. A success
 * forgets the key's failures (and requeues it after `requeueAfter` if asked); a failure requeues it
 * with rate limiting. Resolves once every worker has stopped.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  reconcile: (key: K) => Promise<ReconcileResult> | ReconcileResult,
  opts: RunWorkersOptions<K> = {},
): Promise<void> {
  const worker = async (): Promise<void> => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result && result.requeueAfter >= 0) queue.addAfter(key, result.requeueAfter);
      } catch (err) {
        opts.onError?.(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
