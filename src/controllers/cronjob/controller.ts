/**
 * The CronJob controller: informers on CronJobs and Jobs feed CronJob keys to a work queue;
 * `reconcile(key)` plans a sync with `planCronJobSync`, deletes the Jobs it names, creates the
 * run's Job, writes the status, and comes back just after the next run time.
 */
import type { CronJob, CronJobStatus } from "../../api/batch/v1/cron-job.js";
import type { Job } from "../../api/batch/v1/job.js";
import { isAlreadyExists, isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { CONTROLLER_UID_INDEX, ensureControllerUidIndex } from "../replicaset/controller-index.js";
import { controllerRefOf } from "../replicaset/controller-ref.js";
import { runQueue } from "../run-queue.js";
import { LastWrites } from "../job/newer-copy.js";
import {
  planCronJobSync,
  unexpectedJobs,
  unlistedActive,
  withCreatedJob,
  withoutDeleted,
  type CronJobSyncPlan,
} from "./cronjob-logic.js";
import { errorMessage } from "../../util/error-message.js";

/** Concurrent syncs (upstream's --concurrent-cron-job-syncs: 5). */
const WORKERS = 5;

/** Options of the controller; tests inject a clock. */
export interface CronJobControllerOptions {
  now?: () => number;
  /** The zone of schedules that name none; the process's own zone by default. */
  localTimeZone?: string;
}

/** Builds the CronJob controller. */
export function newCronJobController(ctx: ControllerContext): Controller {
  return new CronJobController(ctx);
}

/** Starts each CronJob's Jobs on its schedule and keeps its history within its limits. */
export class CronJobController implements Controller {
  readonly name = "cronjob";
  readonly #client: KubeClient;
  readonly #cronJobs: Informer<CronJob>;
  readonly #jobs: Informer<Job>;
  readonly #log: Logger;
  readonly #opts: CronJobControllerOptions;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>();
  readonly #recorder: EventRecorder;
  /** Our own last status writes, newer than the cache until it catches up. */
  readonly #written = new LastWrites<CronJob>();

  constructor(ctx: ControllerContext, opts: CronJobControllerOptions = {}) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#cronJobs = ctx.informers.informerFor<CronJob>(resources.cronJobs);
    this.#jobs = ctx.informers.informerFor<Job>(resources.jobs);
    ensureControllerUidIndex(this.#jobs);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "cronjob-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });
    this.#cronJobs.addEventHandler({
      onAdd: (cj) => this.#queue.add(objectKey(cj.metadata)),
      onUpdate: (_old, cj) => this.#queue.add(objectKey(cj.metadata)),
      onDelete: (cj) => this.#written.delete(objectKey(cj.metadata)),
    });
    this.#jobs.addEventHandler({
      onAdd: (job) => this.#jobChanged(job),
      onUpdate: (old, job) => {
        if (old.metadata.resourceVersion === job.metadata.resourceVersion) return;
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== controllerRefOf(job)?.uid) this.#jobChanged(old);
        this.#jobChanged(job);
      },
      onDelete: (job) => this.#jobChanged(job),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await runQueue(this.name, signal, this.#queue, WORKERS, (k) => this.reconcile(k), this.#log);
    } finally {
      await this.#recorder.stop();
    }
  }

  #jobChanged(job: Job): void {
    const ref = controllerRefOf(job);
    if (ref?.kind !== "CronJob" || !ref.apiVersion.startsWith("batch/")) return;
    const namespace = job.metadata.namespace ?? "";
    const owner = this.#cronJobs.lister.get(namespace, ref.name);
    if (owner?.metadata.uid === ref.uid) this.#queue.add(objectKey(owner.metadata));
  }

  /** One sync of the CronJob `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.#cronJobs.lister.get(namespace, name);
    if (!cached) return;
    let cronJob = this.#written.newest(key, cached);

    const uid = cronJob.metadata.uid ?? "";
    const jobs = this.#jobs.indexer
      .byIndex(CONTROLLER_UID_INDEX, uid)
      .filter((j) => controllerRefOf(j)?.uid === uid);
    if (unexpectedJobs(cronJob, jobs).length > 0) {
      // The cache may not have our own latest status yet; a live read tells.
      cronJob = await this.#client.get<CronJob>(resources.cronJobs, name, { namespace });
    }
    const missing = new Set<string>();
    for (const ref of unlistedActive(cronJob, jobs)) {
      if (await this.#isGone(namespace, ref.name ?? "", ref.uid ?? "")) missing.add(ref.uid ?? "");
    }

    const plan = planCronJobSync({
      cronJob,
      jobs,
      now: this.#now(),
      missing,
      ...(this.#opts.localTimeZone ? { localTimeZone: this.#opts.localTimeZone } : {}),
    });
    for (const e of plan.events) this.#recorder.event(cronJob, e.type, e.reason, e.message);
    const { status, failedReplace } = await this.#deleteJobs(cronJob, plan);
    let next = status;
    let changed = plan.statusChanged || next !== plan.status;
    let createError: unknown;
    if (plan.create && !failedReplace) {
      try {
        const created = await this.#createJob(cronJob, plan);
        if (created) {
          next = withCreatedJob(next, created, plan.create.scheduledTime);
          changed = true;
        }
      } catch (err) {
        createError = err;
      }
    }
    if (changed) await this.#writeStatus(key, cronJob, next);
    if (failedReplace) throw new Error(`Cannot replace job ${failedReplace}`);
    if (createError !== undefined) throw createError;
    if (plan.requeueAfterMs !== undefined) return { requeueAfter: plan.requeueAfterMs };
  }

  /** Whether the Job the active list names is really gone (the cache may lag behind). */
  async #isGone(namespace: string, name: string, uid: string): Promise<boolean> {
    try {
      const job = await this.#client.get<Job>(resources.jobs, name, { namespace });
      return job.metadata.uid !== uid;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  /** Deletes the planned Jobs; those deleted leave the active list. */
  async #deleteJobs(
    cronJob: CronJob,
    plan: CronJobSyncPlan,
  ): Promise<{ status: CronJobStatus; failedReplace?: string }> {
    const deleted = new Set<string>();
    let failedReplace: string | undefined;
    for (const { job, why } of plan.delete) {
      const jobName = job.metadata.name ?? "";
      try {
        await this.#client.delete(resources.jobs, jobName, {
          namespace: job.metadata.namespace ?? "",
          propagationPolicy: "Background",
        });
      } catch (err) {
        if (!isNotFound(err)) {
          this.#recorder.event(
            cronJob,
            "Warning",
            "FailedDelete",
            `Deleted job: ${errorMessage(err)}`,
          );
          if (why === "replace") failedReplace ??= jobName;
          continue;
        }
      }
      deleted.add(job.metadata.uid ?? "");
      this.#recorder.event(cronJob, "Normal", "SuccessfulDelete", `Deleted job ${jobName}`);
    }
    const status = deleted.size > 0 ? withoutDeleted(plan.status, deleted) : plan.status;
    return failedReplace === undefined ? { status } : { status, failedReplace };
  }

  /**
   * Creates the run's Job. A Job of that name that exists already is ours when this CronJob
   * controls it (made by an earlier sync whose status write was lost): it joins the active list
   * unless it is there. Returns the Job to add, or undefined.
   */
  async #createJob(cronJob: CronJob, plan: CronJobSyncPlan): Promise<Job | undefined> {
    const want = plan.create?.job;
    if (!want) return undefined;
    const namespace = cronJob.metadata.namespace ?? "";
    try {
      const created = await this.#client.create<Job>(resources.jobs, want, { namespace });
      this.#recorder.event(
        cronJob,
        "Normal",
        "SuccessfulCreate",
        `Created job ${created.metadata.name ?? ""}`,
      );
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.#recorder.event(
          cronJob,
          "Warning",
          "FailedCreate",
          `Error creating job: ${errorMessage(err)}`,
        );
        throw err;
      }
    }
    const existing = await this.#client.get<Job>(resources.jobs, want.metadata.name ?? "", {
      namespace,
    });
    if (controllerRefOf(existing)?.uid !== cronJob.metadata.uid) return undefined;
    const listed = cronJob.status?.active?.some((r) => r.uid === existing.metadata.uid) ?? false;
    return listed ? undefined : existing;
  }

  /** Writes the status; remembers the result until the cache has it. */
  async #writeStatus(key: string, cronJob: CronJob, status: CronJobStatus): Promise<void> {
    try {
      const updated = await this.#client.updateStatus<CronJob>(
        resources.cronJobs,
        { ...cronJob, status },
        { namespace: cronJob.metadata.namespace ?? "" },
      );
      this.#written.set(key, updated);
    } catch (err) {
      // A stale copy: the next sync reads the newer CronJob and plans again.
      if (isConflict(err)) this.#written.delete(key);
      throw err;
    }
  }
}
