/**
 * The scheduling queue, as upstream's PriorityQueue: pods wait in one of three places.
 * - active: ready to be tried, highest `spec.priority` first, then first come first served;
 * - backoff: failed recently, ready again after 1 s doubling per attempt up to 10 s;
 * - unschedulable: no node fit; they move back when a cluster event could make them fit (a node
 *   added or changed, a pod deleted) and, failing that, after 5 minutes.
 * A pod is in at most one place; a pod being scheduled is in none until it is handed back.
 */
import type { Pod } from "../api/core/v1/pod.js";
import { realClock, type Clock } from "../client/clock.js";
import { podKey } from "./pod-info.js";

/** Upstream's defaults: podInitialBackoffSeconds, podMaxBackoffSeconds, podMaxInUnschedulablePodsDuration. */
export const INITIAL_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 10_000;
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

/** A pod in the queue, with its scheduling history. */
export interface QueuedPod {
  pod: Pod;
  key: string;
  /** Failed attempts so far; sets the back-off. */
  attempts: number;
  /** When it entered the active queue (FIFO order among equal priorities). */
  timestamp: number;
  /** When the last attempt failed. */
  failedAt: number;
  /** The move-request counter when the pod was popped (see `requeueUnschedulable`). */
  cycle: number;
}

/** The priority queue of pods waiting for a node. */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #active: QueuedPod[] = [];
  readonly #activeKeys = new Map<string, QueuedPod>();
  readonly #backoff = new Map<string, QueuedPod>();
  readonly #unschedulable = new Map<string, QueuedPod>();
  /** Pods popped and not yet handed back, whose latest state is kept for their return. */
  readonly #inFlight = new Map<string, QueuedPod>();
  readonly #waiters: ((qp: QueuedPod | undefined) => void)[] = [];
  /** Counts scheduling cycles; a pod failing after a move request goes to backoff, not unschedulable. */
  #cycle = 0;
  #moveRequestCycle = -1;
  #closed = false;

  constructor(clock: Clock = realClock) {
    this.#clock = clock;
  }

  /** Pods waiting in each place, for tests and metrics. */
  get sizes(): { active: number; backoff: number; unschedulable: number } {
    return {
      active: this.#active.length,
      backoff: this.#backoff.size,
      unschedulable: this.#unschedulable.size,
    };
  }

  /** Adds a new pending pod, or refreshes one already queued. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.#refresh(key, pod)) return;
    this.#pushActive({
      pod,
      key,
      attempts: 0,
      timestamp: this.#clock.now(),
      failedAt: 0,
      cycle: 0,
    });
  }

  /**
   * A queued pod changed: its latest state is kept, and an unschedulable pod is tried again since the
   * change (new tolerations, a removed gate...) may make it fit.
   */
  update(pod: Pod): void {
    const key = podKey(pod);
    const waiting = this.#unschedulable.get(key);
    if (waiting) {
      waiting.pod = pod;
      this.#unschedulable.delete(key);
      this.#requeue(waiting);
      return;
    }
    if (!this.#refresh(key, pod)) this.add(pod);
  }

  /** Forgets a pod (deleted, or bound by someone else). */
  delete(key: string): void {
    const active = this.#activeKeys.get(key);
    if (active) {
      this.#activeKeys.delete(key);
      const i = this.#active.indexOf(active);
      if (i >= 0) this.#removeAt(i);
    }
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
    this.#inFlight.delete(key);
  }

  /** Whether the pod is anywhere in the queue, popped ones included. */
  has(key: string): boolean {
    return (
      this.#activeKeys.has(key) ||
      this.#backoff.has(key) ||
      this.#unschedulable.has(key) ||
      this.#inFlight.has(key)
    );
  }

  /** The next pod to schedule; waits while none is active; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const qp = this.#popActive();
    if (qp || this.#closed) return Promise.resolve(qp);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The next active pod, if any, without waiting. */
  tryPop(): QueuedPod | undefined {
    return this.#popActive();
  }

  /** A popped pod was scheduled (or dropped): it leaves the queue. */
  done(key: string): void {
    this.#inFlight.delete(key);
  }

  /**
   * A popped pod fit no node. It waits for a cluster event, unless one came while it was being
   * scheduled (then it only backs off, as the event may already have made room).
   */
  requeueUnschedulable(qp: QueuedPod): void {
    if (!this.#takeBack(qp)) return;
    qp.attempts++;
    qp.failedAt = qp.timestamp = this.#clock.now();
    if (this.#moveRequestCycle >= qp.cycle) this.#backoff.set(qp.key, qp);
    else this.#unschedulable.set(qp.key, qp);
  }

  /** A popped pod failed for another reason (its binding failed): it backs off and is tried again. */
  requeueBackoff(qp: QueuedPod): void {
    if (!this.#takeBack(qp)) return;
    qp.attempts++;
    qp.failedAt = qp.timestamp = this.#clock.now();
    this.#backoff.set(qp.key, qp);
  }

  /** A cluster event that may make unschedulable pods fit: they move to backoff or active. */
  moveAllToActiveOrBackoff(): void {
    this.#moveRequestCycle = this.#cycle;
    if (this.#unschedulable.size === 0) return;
    const moved = [...this.#unschedulable.values()];
    this.#unschedulable.clear();
    for (const qp of moved) this.#requeue(qp);
  }

  /**
   * Moves pods whose back-off is over to active, and pods unschedulable for longer than 5 minutes
   * back too; call every second.
   */
  flush(): void {
    const now = this.#clock.now();
    for (const [key, qp] of this.#backoff) {
      if (this.#backoffEnd(qp) <= now) {
        this.#backoff.delete(key);
        this.#pushActive(qp);
      }
    }
    for (const [key, qp] of this.#unschedulable) {
      if (now - qp.failedAt >= MAX_UNSCHEDULABLE_MS) {
        this.#unschedulable.delete(key);
        this.#requeue(qp);
      }
    }
  }

  /** Stops the queue: waiting pops resolve with undefined, later pops drain what is active. */
  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  /** How long a pod backs off after `attempts` failures. */
  static backoffMs(attempts: number): number {
    if (attempts <= 0) return 0;
    return Math.min(INITIAL_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
  }

  #backoffEnd(qp: QueuedPod): number {
    return qp.failedAt + SchedulingQueue.backoffMs(qp.attempts);
  }

  #requeue(qp: QueuedPod): void {
    if (this.#backoffEnd(qp) > this.#clock.now()) this.#backoff.set(qp.key, qp);
    else this.#pushActive(qp);
  }

  /** Keeps the latest state of a queued pod; false when the pod is not queued. */
  #refresh(key: string, pod: Pod): boolean {
    const qp =
      this.#activeKeys.get(key) ??
      this.#backoff.get(key) ??
      this.#unschedulable.get(key) ??
      this.#inFlight.get(key);
    if (!qp) return false;
    const active = this.#activeKeys.get(key) === qp;
    const i = active ? this.#active.indexOf(qp) : -1;
    qp.pod = pod;
    // A changed priority reorders an active pod.
    if (i >= 0) {
      this.#removeAt(i);
      this.#pushActive(qp);
    }
    return true;
  }

  /** Whether a popped pod is still wanted (not deleted or bound meanwhile). */
  #takeBack(qp: QueuedPod): boolean {
    const current = this.#inFlight.get(qp.key);
    this.#inFlight.delete(qp.key);
    if (!current) return false;
    qp.pod = current.pod;
    return true;
  }

  #pushActive(qp: QueuedPod): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#startCycle(qp);
      waiter(qp);
      return;
    }
    this.#activeKeys.set(qp.key, qp);
    this.#active.push(qp);
    this.#siftUp(this.#active.length - 1);
  }

  #popActive(): QueuedPod | undefined {
    if (this.#active.length === 0) return undefined;
    const qp = this.#removeAt(0);
    this.#activeKeys.delete(qp.key);
    this.#startCycle(qp);
    return qp;
  }

  #startCycle(qp: QueuedPod): void {
    qp.cycle = ++this.#cycle;
    this.#inFlight.set(qp.key, qp);
  }

  #removeAt(i: number): QueuedPod {
    const heap = this.#active;
    const removed = heap[i]!;
    const last = heap.pop()!;
    if (i < heap.length) {
      heap[i] = last;
      this.#siftDown(i);
      this.#siftUp(i);
    }
    return removed;
  }

  #siftUp(i: number): void {
    const heap = this.#active;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#active;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l]!, heap[best]!)) best = l;
      if (r < heap.length && before(heap[r]!, heap[best]!)) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
      i = best;
    }
  }
}

/** Upstream's queue order: higher priority first, then the earlier arrival. */
function before(a: QueuedPod, b: QueuedPod): boolean {
  const pa = a.pod.spec?.priority ?? 0;
  const pb = b.pod.spec?.priority ?? 0;
  if (pa !== pb) return pa > pb;
  return a.timestamp < b.timestamp;
}
