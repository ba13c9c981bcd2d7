/**
 * The TTL-after-finished controller: deletes a finished Job once `spec.ttlSecondsAfterFinished` has
 * passed since it finished, in the foreground as upstream does, so that its pods go before it.
 */
import type { Job } from "../../api/batch/v1/job.js";
import { isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { parseTime } from "../replicaset/pod-state.js";
import { runQueue } from "../run-queue.js";
import { isJobFinished } from "./job-logic.js";

/** What to do with a Job now: nothing, delete it, or look again after some milliseconds. */
export type TtlDecision =
  { action: "none" } | { action: "delete" } | { action: "wait"; ms: number };

/**
 * When a finished Job finished: the last transition of its Complete or Failed condition, as
 * upstream reads it (a failed Job has no completion time).
 */
export function jobFinishTime(job: Job): number | undefined {
  const cond = job.status?.conditions?.find(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
  return parseTime(cond?.lastTransitionTime);
}

/** Decides whether a Job's time to live after it finished has run out at `now`. */
export function ttlDecision(job: Job, now: number): TtlDecision {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || job.metadata.deletionTimestamp || !isJobFinished(job)) {
    return { action: "none" };
  }
  const finished = jobFinishTime(job);
  if (finished === undefined) return { action: "none" };
  const left = finished + ttl * 1000 - now;
  return left <= 0 ? { action: "delete" } : { action: "wait", ms: left };
}

/** Builds the TTL-after-finished controller. */
export function newTtlAfterFinishedController(ctx: ControllerContext): Controller {
  return new TtlAfterFinishedController(ctx);
}

/** Deletes finished Jobs whose time to live has passed. */
export class TtlAfterFinishedController implements Controller {
  readonly name = "ttl-after-finished";
  readonly #client: KubeClient;
  readonly #jobs: Informer<Job>;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>();

  constructor(ctx: ControllerContext, opts: { now?: () => number } = {}) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#now = opts.now ?? Date.now;
    this.#jobs = ctx.informers.informerFor<Job>(resources.jobs);
    const enqueue = (job: Job): void => {
      if (job.spec?.ttlSecondsAfterFinished !== undefined && isJobFinished(job)) {
        this.#queue.add(objectKey(job.metadata));
      }
    };
    this.#jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runQueue(this.name, signal, this.#queue, 5, (k) => this.reconcile(k), this.#log);
  }

  /** Deletes the Job `key` names if its time is up, checking a live copy first. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.#jobs.lister.get(namespace, name);
    if (!cached) return;
    const first = ttlDecision(cached, this.#now());
    if (first.action === "wait") return { requeueAfter: first.ms };
    if (first.action === "none") return;
    try {
      // The TTL may have changed since the cache saw the Job.
      const fresh = await this.#client.get<Job>(resources.jobs, name, { namespace });
      const decision = ttlDecision(fresh, this.#now());
      if (decision.action === "wait") return { requeueAfter: decision.ms };
      if (decision.action === "none") return;
      await this.#client.delete(resources.jobs, name, {
        namespace,
        propagationPolicy: "Foreground",
        preconditions: { uid: fresh.metadata.uid ?? "" },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
