/**
 * The Job controller: informers on Jobs and pods feed Job keys to a work queue; `reconcile(key)` plans
 * a sync with `planJobSync` and carries it out in the order that keeps counts exact: record finished
 * pods as uncounted, remove their tracking finalizers, delete and create pods, then write the status
 * that counts them.
 */
import type { Job } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { SelectorParseError } from "../../api/selectors/label-selector.js";
import { isConflict, isInvalid, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { RetryLater, runQueue } from "../run-queue.js";
import { LastWrites } from "./newer-copy.js";
import {
  CONTROLLER_UID_INDEX,
  ensureControllerUidIndex,
  isNamespaceTerminating,
  ownedAndOrphans,
} from "../replicaset/controller-index.js";
import { slowStartBatches } from "../replicaset/replica-set-logic.js";
import { controllerRefOf, type ClaimResult } from "../replicaset/controller-ref.js";
import { ControllerExpectations } from "../replicaset/expectations.js";
import {
  hasTrackingFinalizer,
  jobControllerRef,
  jobPod,
  JOB_TRACKING_FINALIZER,
} from "./job-pods.js";
import { isJobFinished, planJobSync, type BackoffRecord, type JobSyncPlan } from "./job-logic.js";
import { adoptPodPatch, claimPods, releasePodPatch, type PatchOp } from "./pod-claims.js";
import { errorMessage } from "../../util/error-message.js";

/** The queue key prefix of a pod whose tracking finalizer must go because its Job is gone. */
const ORPHAN_PREFIX = "pod:";

/** Concurrent syncs (upstream's --concurrent-job-syncs: 5). */
const WORKERS = 5;

/** The field manager value under which `spec.managedBy` hands a Job to this controller. */
export const JOB_CONTROLLER_MANAGER = "kubernetes.io/job-controller";

/** Builds the Job controller. */
export function newJobController(ctx: ControllerContext): Controller {
  return new JobController(ctx);
}

/** Runs each Job's pods to its completions, within its limits. */
export class JobController implements Controller {
  readonly name = "job";
  readonly #client: KubeClient;
  readonly #jobs: Informer<Job>;
  readonly #pods: Informer<Pod>;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>();
  readonly #expectations: ControllerExpectations;
  readonly #recorder: EventRecorder;
  readonly #backoff = new Map<string, BackoffRecord>();
  /** Pod UIDs whose finalizer removal is sent and not yet seen. */
  readonly #pendingRemovals = new Set<string>();
  /** Our own last status writes, newer than the cache until it catches up. */
  readonly #written = new LastWrites<Job>();

  constructor(ctx: ControllerContext, opts: { now?: () => number } = {}) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#now = opts.now ?? Date.now;
    this.#expectations = new ControllerExpectations(this.#now);
    this.#jobs = ctx.informers.informerFor<Job>(resources.jobs);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    ensureControllerUidIndex(this.#pods);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "job-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });
    this.#jobs.addEventHandler({
      onAdd: (job) => this.#queue.add(objectKey(job.metadata)),
      onUpdate: (_old, job) => this.#queue.add(objectKey(job.metadata)),
      onDelete: (job) => {
        const key = objectKey(job.metadata);
        this.#expectations.delete(key);
        this.#backoff.delete(key);
        this.#written.delete(key);
        // Its pods keep their tracking finalizers until someone removes them: we do.
        for (const pod of this.#pods.indexer.byIndex(
          CONTROLLER_UID_INDEX,
          job.metadata.uid ?? "",
        )) {
          if (hasTrackingFinalizer(pod)) this.#queue.add(ORPHAN_PREFIX + objectKey(pod.metadata));
        }
      },
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podChanged(pod, "add"),
      onUpdate: (_old, pod) => this.#podChanged(pod, "update"),
      onDelete: (pod) => this.#podChanged(pod, "delete"),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await runQueue(this.name, signal, this.#queue, WORKERS, (k) => this.reconcile(k), this.#log);
    } finally {
      await this.#recorder.stop();
    }
  }

  #podChanged(pod: Pod, how: "add" | "update" | "delete"): void {
    const uid = pod.metadata.uid ?? "";
    if (how === "delete" || !hasTrackingFinalizer(pod)) this.#pendingRemovals.delete(uid);
    const ref = controllerRefOf(pod);
    const isJobRef = ref?.kind === "Job" && ref.apiVersion.startsWith("batch/");
    const namespace = pod.metadata.namespace ?? "";
    const owner = isJobRef ? this.#jobs.lister.get(namespace, ref.name) : undefined;
    if (
      how !== "delete" &&
      hasTrackingFinalizer(pod) &&
      (!ref || owner?.metadata.uid !== ref.uid)
    ) {
      // Its Job is gone, or it was orphaned: nobody else will release it.
      this.#queue.add(ORPHAN_PREFIX + objectKey(pod.metadata));
    }
    if (!ref && how !== "delete" && !pod.metadata.deletionTimestamp) this.#enqueueMatching(pod);
    if (!isJobRef) return;
    const key = objectKey({ namespace, name: ref.name });
    if (how === "add") this.#expectations.creationObserved(key);
    if (how === "delete" || pod.metadata.deletionTimestamp) {
      this.#expectations.deletionObserved(key, objectKey(pod.metadata));
    }
    this.#queue.add(key);
  }

  /** Queues the Jobs whose selector matches an orphan pod: the candidates to adopt it. */
  #enqueueMatching(pod: Pod): void {
    for (const job of this.#jobs.lister.list(pod.metadata.namespace ?? "")) {
      if (job.metadata.deletionTimestamp || isJobFinished(job)) continue;
      try {
        if (claimPods(job, [pod]).adopt.length > 0) this.#queue.add(objectKey(job.metadata));
      } catch (err) {
        // An unreadable selector adopts nothing; its own sync reports it.
        if (!(err instanceof SelectorParseError)) throw err;
      }
    }
  }

  /** One sync of the Job `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(ORPHAN_PREFIX)) return this.#releaseOrphan(key.slice(ORPHAN_PREFIX.length));
    const { namespace, name } = splitKey(key);
    const cached = this.#jobs.lister.get(namespace, name);
    if (!cached) return;
    let job = this.#written.newest(key, cached);
    const managedBy = job.spec?.managedBy;
    if (managedBy !== undefined && managedBy !== JOB_CONTROLLER_MANAGER) return;
    const uid = job.metadata.uid ?? "";
    const pods = this.#pods.indexer
      .byIndex(CONTROLLER_UID_INDEX, uid)
      .filter((p) => controllerRefOf(p)?.uid === uid);
    if (job.metadata.deletionTimestamp) {
      // A Job being deleted counts nothing more; its pods must be free to go with it.
      await Promise.all(pods.map((pod) => this.#removeFinalizer(pod)));
      return;
    }
    if (!this.#expectations.satisfied(key)) return;

    let claim: ClaimResult<Pod>;
    try {
      claim = claimPods(job, ownedAndOrphans(this.#pods, namespace, uid));
    } catch (err) {
      if (!(err instanceof SelectorParseError)) throw err;
      // Validation keeps bad selectors out; one that slips through is reported, not retried.
      this.#log.warn("Cannot sync: unreadable selector", { controller: this.name, key, err });
      return;
    }
    if (!isJobFinished(job)) await this.#claim(job, claim);

    const now = this.#now();
    const plan = planJobSync({
      job,
      pods: isJobFinished(job) ? pods : claim.claimed,
      now,
      backoff: this.#backoff.get(key) ?? { failuresAfterLastSuccess: 0 },
      pendingFinalizerRemovals: this.#pendingRemovals,
    });
    this.#backoff.set(key, plan.backoff);

    if (plan.interim) job = await this.#writeStatus(key, job, plan.interim);
    await Promise.all(plan.count.map((pod) => this.#removeFinalizer(pod)));
    if (plan.delete.length) {
      this.#expectations.expectDeletions(
        key,
        plan.delete.map((p) => objectKey(p.metadata)),
      );
    }
    await Promise.all(plan.delete.map((pod) => this.#deletePod(key, job, pod)));
    const { failed: failedCreates, error: firstError } = await this.#createPods(key, job, plan);
    for (const e of plan.events) this.#recorder.event(job, e.type, e.reason, e.message);
    const status = { ...plan.status, active: (plan.status.active ?? 0) - failedCreates };
    if (plan.statusChanged || failedCreates > 0) await this.#writeStatus(key, job, status);
    if (firstError !== undefined) throw firstError;
    if (plan.requeueAfterMs !== undefined) return { requeueAfter: plan.requeueAfterMs };
  }

  /**
   * Creates the planned pods in slow-start batches (1, 2, 4, ...), as upstream does, so that a
   * template every create refuses costs one request, not hundreds; after a batch with a failure
   * the rest is skipped until the next sync. Returns how many were not created and the first error.
   */
  async #createPods(
    key: string,
    job: Job,
    plan: JobSyncPlan,
  ): Promise<{ failed: number; error: unknown }> {
    const total = plan.create.length;
    if (total === 0) return { failed: 0, error: undefined };
    this.#expectations.expectCreations(key, total);
    const ref = jobControllerRef(job);
    let done = 0;
    for (const size of slowStartBatches(total)) {
      const batch = plan.create.slice(done, done + size);
      done += size;
      const results = await Promise.allSettled(
        batch.map((index) =>
          this.#client.create<Pod>(
            resources.pods,
            jobPod(job, ref, index, index === undefined ? {} : plan.createAnnotations?.get(index)),
          ),
        ),
      );
      let failed = 0;
      let error: unknown;
      for (const r of results) {
        if (r.status === "fulfilled") {
          const podName = r.value.metadata.name ?? "";
          this.#recorder.event(job, "Normal", "SuccessfulCreate", `Created pod: ${podName}`);
          continue;
        }
        failed++;
        error ??= r.reason;
        // A failed create will never be observed.
        this.#expectations.creationObserved(key);
        if (!isNamespaceTerminating(r.reason)) {
          this.#recorder.event(
            job,
            "Warning",
            "FailedCreate",
            `Error creating: ${errorMessage(r.reason)}`,
          );
        }
      }
      if (failed > 0) {
        this.#expectations.creationsSkipped(key, total - done);
        return { failed: failed + total - done, error };
      }
    }
    return { failed: 0, error: undefined };
  }

  /**
   * Adopts the orphans the Job's selector matches, after a live read confirms the Job is still
   * this one and not being deleted (the cache may lag behind a delete), and releases the pods
   * that stopped matching.
   */
  async #claim(job: Job, claim: ClaimResult<Pod>): Promise<void> {
    const namespace = job.metadata.namespace ?? "";
    if (claim.adopt.length > 0) {
      const fresh = await this.#client.get<Job>(resources.jobs, job.metadata.name ?? "", {
        namespace,
      });
      if (fresh.metadata.uid !== job.metadata.uid || fresh.metadata.deletionTimestamp) {
        throw new RetryLater(`Job ${objectKey(job.metadata)} is gone or being deleted`);
      }
    }
    const patch = async (pod: Pod, ops: PatchOp[], tolerate: (err: unknown) => boolean) => {
      try {
        await this.#client.patch(resources.pods, pod.metadata.name ?? "", ops, {
          namespace,
          type: "json",
        });
      } catch (err) {
        if (!tolerate(err)) throw err;
      }
    };
    for (const pod of claim.adopt) {
      // A pod deleted meanwhile needs no adopting; its deletion requeues the Job.
      await patch(pod, adoptPodPatch(job, pod), isNotFound);
    }
    for (const pod of claim.release) {
      // Gone, or another pod of that name (the UID test fails): nothing to release.
      await patch(
        pod,
        releasePodPatch(job, pod),
        (e) => isNotFound(e) || isInvalid(e) || isConflict(e),
      );
    }
  }

  /**
   * Removes the tracking finalizer of a pod whose Job is gone, being deleted, or no longer its
   * controller; a live read confirms what the cache says before the pod is let go.
   */
  async #releaseOrphan(podKey: string): Promise<void> {
    const { namespace, name } = splitKey(podKey);
    const pod = this.#pods.lister.get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref?.kind === "Job" && ref.apiVersion.startsWith("batch/")) {
      try {
        const job = await this.#client.get<Job>(resources.jobs, ref.name, { namespace });
        // Still its Job's: that Job's sync decides.
        if (job.metadata.uid === ref.uid && !job.metadata.deletionTimestamp) return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.#removeFinalizer(pod);
  }

  /** Writes the status; remembers the result until the cache has it. */
  async #writeStatus(key: string, job: Job, status: Job["status"]): Promise<Job> {
    try {
      const updated = await this.#client.updateStatus<Job>(
        resources.jobs,
        { ...job, ...(status ? { status } : {}) },
        { namespace: job.metadata.namespace ?? "" },
      );
      this.#written.set(key, updated);
      return updated;
    } catch (err) {
      // A stale cache copy: the next sync reads the newer Job and plans again.
      if (isConflict(err)) this.#written.delete(key);
      throw err;
    }
  }

  /** Removes the tracking finalizer with a JSON patch that tests the finalizer is where it was. */
  async #removeFinalizer(pod: Pod): Promise<void> {
    const i = pod.metadata.finalizers?.indexOf(JOB_TRACKING_FINALIZER) ?? -1;
    if (i < 0) return;
    const uid = pod.metadata.uid ?? "";
    const ops = [
      { op: "test", path: "/metadata/uid", value: uid },
      { op: "test", path: `/metadata/finalizers/${i}`, value: JOB_TRACKING_FINALIZER },
      { op: "remove", path: `/metadata/finalizers/${i}` },
    ];
    this.#pendingRemovals.add(uid);
    try {
      await this.#client.patch(resources.pods, pod.metadata.name ?? "", ops, {
        namespace: pod.metadata.namespace ?? "",
        type: "json",
      });
    } catch (err) {
      this.#pendingRemovals.delete(uid);
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Deletes a pod, first letting go of it (unless this sync already did, having counted it), so
   * that its end is not counted. Any failure releases the deletion expectation.
   */
  async #deletePod(key: string, job: Job, pod: Pod): Promise<void> {
    const podName = pod.metadata.name ?? "";
    try {
      if (!this.#pendingRemovals.has(pod.metadata.uid ?? "")) await this.#removeFinalizer(pod);
      await this.#client.delete(resources.pods, podName, {
        namespace: pod.metadata.namespace ?? "",
      });
      this.#recorder.event(job, "Normal", "SuccessfulDelete", `Deleted pod: ${podName}`);
    } catch (err) {
      this.#expectations.deletionObserved(key, objectKey(pod.metadata));
      if (!isNotFound(err)) throw err;
    }
  }
}
