/**
 * LeaderElector: leader election on a coordination.k8s.io/v1 Lease, as upstream's leaderelection. A
 * candidate takes the lease when it is free or when its holder has not renewed it for the lease
 * duration, measured on the candidate's own clock from when it last saw the lease change (so clocks of
 * different machines need not agree). The leader renews every retry period and gives up when it
 * cannot renew within the renew deadline. Writes are optimistic: two candidates racing for the lease
 * cannot both win, as the loser's update fails with a Conflict.
 */
import { setMaxListeners } from "node:events";
import type { LeaseSpec, Lease } from "../api/coordination/v1/lease.js";
import { isConflict, isNotFound } from "./api-error.js";
import { realClock, sleep, type Clock } from "./clock.js";
import type { KubeClient } from "./client.js";
import { resources } from "./resource.js";

/** Options of a leader elector. */
export interface LeaderElectionOptions {
  /** Where the lease lives. */
  namespace: string;
  name: string;
  /** This candidate's identity, unique among candidates (such as host name plus a random suffix). */
  identity: string;
  /** How long a lease lasts without renewal before others may take it; 15 by default. */
  leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it gives up leadership; 10 s by default. */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and the leader renews; 2 s by default. */
  retryPeriodMs?: number;
  /** Give the lease up when stopped, so that another candidate takes over at once; true by default. */
  releaseOnCancel?: boolean;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends, lost or given up. */
  onStoppedLeading?: () => void;
  /** Called whenever the observed holder changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  /** Receives failed attempts to read or write the lease (they are retried). */
  onError?: (err: unknown) => void;
  clock?: Clock;
}

/** A candidate for leadership of one lease. */
export class LeaderElector {
  readonly #client: KubeClient;
  readonly #opts: LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #durationSeconds: number;
  /** The lease as last read or written, for the renewal that needs no read first. */
  #lease: Lease | undefined;
  #observed = "";
  #observedTime = 0;
  #leader = "";
  #leading = false;

  constructor(client: KubeClient, opts: LeaderElectionOptions) {
    this.#client = client;
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#durationSeconds = opts.leaseDurationSeconds ?? 15;
    const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    const retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.#durationSeconds * 1000 <= renewDeadlineMs) {
      throw new Error(
        "Cannot elect a leader: the lease duration must be longer than the renew deadline",
      );
    }
    if (renewDeadlineMs <= retryPeriodMs * 1.2) {
      throw new Error("Cannot elect a leader: the renew deadline must exceed 1.2 retry periods");
    }
  }

  /** Whether this candidate holds the lease now. */
  isLeader(): boolean {
    return this.#leading;
  }

  /** The identity of the holder last observed; empty when none. */
  get leader(): string {
    return this.#leader;
  }

  /**
   * Campaigns until leader, leads until leadership is lost or `signal` aborts, then releases the lease
   * (when stopped and `releaseOnCancel`) and resolves. Run it again to campaign again.
   */
  async run(signal: AbortSignal): Promise<void> {
    const retryPeriodMs = this.#opts.retryPeriodMs ?? 2_000;
    const renewDeadlineMs = this.#opts.renewDeadlineMs ?? 10_000;

    while (!(await this.#attempt())) {
      if (await sleep(this.#clock, retryPeriodMs * (1 + Math.random() * 0.2), signal)) return;
    }

    this.#leading = true;
    const leadership = new AbortController();
    // Every controller and informer of the leader listens on this one signal.
    setMaxListeners(0, leadership.signal);
    const endLeadership = (): void => leadership.abort();
    signal.addEventListener("abort", endLeadership, { once: true });
    void Promise.resolve()
      .then(() => this.#opts.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.#opts.onError?.(err));

    let lastRenew = this.#clock.now();
    while (!(await sleep(this.#clock, retryPeriodMs, signal))) {
      const left = renewDeadlineMs - (this.#clock.now() - lastRenew);
      const renewed = left > 0 && (await this.#attemptWithin(left));
      if (renewed) lastRenew = this.#clock.now();
      else if (this.#clock.now() - lastRenew >= renewDeadlineMs) {
        break;
      }
    }

    signal.removeEventListener("abort", endLeadership);
    leadership.abort();
    this.#leading = false;
    if (signal.aborted && (this.#opts.releaseOnCancel ?? true)) await this.#release();
    this.#opts.onStoppedLeading?.();
  }

  /** One attempt, abandoned (as failed) if it takes longer than `ms`. */
  async #attemptWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<Clock["setTimeout"]> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.#attempt(), timeout]);
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }

  /** Tries to acquire or renew the lease once; true when this candidate holds it afterwards. */
  async #attempt(): Promise<boolean> {
    try {
      return await this.#tryAcquireOrRenew();
    } catch (err) {
      this.#opts.onError?.(err);
      return false;
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#clock.now();
    const identity = this.#opts.identity;
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.#durationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };

    // The leader renews straight from its last copy; only a conflict sends it back to reading.
    if (this.#leading && this.#lease?.spec?.holderIdentity === identity) {
      const held = this.#lease.spec;
      try {
        await this.#write(
          { ...spec, acquireTime: held.acquireTime!, leaseTransitions: held.leaseTransitions ?? 0 },
          now,
        );
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }

    let lease: Lease;
    try {
      lease = await this.#client.get<Lease>(resources.leases, this.#opts.name, {
        namespace: this.#opts.namespace,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.#lease = await this.#client.create<Lease>(resources.leases, {
        metadata: { name: this.#opts.name, namespace: this.#opts.namespace },
        spec,
      });
      this.#observe(spec, now);
      return true;
    }
    this.#lease = lease;

    const old = lease.spec ?? {};
    this.#observe(old, now);
    const holder = old.holderIdentity ?? "";
    const duration = (old.leaseDurationSeconds ?? this.#durationSeconds) * 1000;
    if (holder !== "" && holder !== identity && this.#observedTime + duration > now) return false;

    if (holder === identity) {
      spec.acquireTime = old.acquireTime ?? spec.acquireTime!;
      spec.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    await this.#write(spec, now);
    return true;
  }

  async #write(spec: LeaseSpec, now: number): Promise<void> {
    const lease = this.#lease!;
    this.#lease = await this.#client.update<Lease>(resources.leases, {
      ...lease,
      spec: { ...lease.spec, ...spec },
    });
    this.#observe(spec, now);
  }

  /** Notes the lease's record; its observed time moves only when the record changes. */
  #observe(spec: LeaseSpec, now: number): void {
    const record = JSON.stringify([
      spec.holderIdentity ?? "",
      spec.leaseDurationSeconds,
      spec.acquireTime,
      spec.renewTime,
      spec.leaseTransitions,
    ]);
    if (record !== this.#observed) {
      this.#observed = record;
      this.#observedTime = now;
    }
    const holder = spec.holderIdentity ?? "";
    if (holder !== this.#leader) {
      this.#leader = holder;
      if (holder) this.#opts.onNewLeader?.(holder);
    }
  }

  /** Gives up the lease so that others need not wait for it to expire. */
  async #release(): Promise<void> {
    const held = this.#lease?.spec;
    if (!held || held.holderIdentity !== this.#opts.identity) return;
    const now = this.#clock.now();
    try {
      await this.#write(
        {
          holderIdentity: "",
          leaseDurationSeconds: 1,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: held.leaseTransitions ?? 0,
        },
        now,
      );
    } catch (err) {
      // Someone else took the lease meanwhile, or the API is unreachable: it expires on its own.
      this.#opts.onError?.(err);
    }
  }
}

/** A time as a Kubernetes MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}
