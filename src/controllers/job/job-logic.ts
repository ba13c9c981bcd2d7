/**
 * The Job controller's decisions, free of I/O: which finished pods to count (through the
 * `uncountedTerminatedPods` two-step that the tracking finalizer allows), how many pods to create
 * or which to delete, when the Job meets its success criteria or a failure target (back-off limit,
 * deadline), suspension, Indexed completion, pod re-creation back-off, and the status that results.
 */
import type { Job, JobCondition, JobStatus } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { formatTime, isPodActive, isPodReady, parseTime } from "../replicaset/pod-state.js";
import { completionIndexOf, hasTrackingFinalizer, podFinishTime } from "./job-pods.js";
import { formatIndexes, parseIndexes } from "./indexes.js";
import { matchPodFailurePolicy } from "./pod-failure-policy.js";
import {
  failsIndex,
  hasBackoffLimitPerIndex,
  indexAnnotations,
  indexHistories,
  matchSuccessPolicy,
} from "./per-index.js";

/** The first delay before re-creating a failed pod; it doubles with each failure in a row. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
/** The longest delay before re-creating a failed pod. */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
/**
 * The most UIDs each list of `status.uncountedTerminatedPods` holds (upstream's MaxUncountedPods,
 * which keeps the status near 20 KB).
 */
export const MAX_UNCOUNTED_PODS = 500;

/** The most pods one sync creates or deletes (upstream's MaxPodCreateDeletePerSync). */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

/** The failures since the Job's last success, which set the re-creation back-off. */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** Milliseconds since the epoch of the latest failure. */
  lastFailureTime?: number | undefined;
}

/** An event the controller records on the Job. */
export interface JobEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** What one sync reads. */
export interface JobSyncInput {
  job: Job;
  /** The pods the Job controls. */
  pods: readonly Pod[];
  now: number;
  backoff: BackoffRecord;
  /** UIDs of pods whose finalizer removal was sent but not yet seen: already recorded, not recounted. */
  pendingFinalizerRemovals?: ReadonlySet<string>;
}

/** What one sync does. */
export interface JobSyncPlan {
  /** Finished pods to record in `uncounted`, whose tracking finalizers are then removed. */
  count: Pod[];
  /** `status.uncountedTerminatedPods` to write before removing the finalizers of `count`. */
  uncounted: { succeeded: string[]; failed: string[] };
  /** Whether `uncounted` differs from what the Job's status has. */
  uncountedChanged: boolean;
  /**
   * The status to write before removing the finalizers of `count`: the previous one with the new
   * `uncounted` (and, in Indexed mode, the new completed indexes). Unset when nothing new finished.
   */
  interim?: JobStatus;
  /** One entry per pod to create: its completion index in Indexed mode, else undefined. */
  create: (number | undefined)[];
  /** Annotations of the pods to create, by index (the per-index failure counts). */
  createAnnotations?: Map<number, Record<string, string>>;
  /** Active pods to delete (finalizer first, so that they do not count as failures). */
  delete: Pod[];
  /** The status once `count` is counted and the creations and deletions are done. */
  status: JobStatus;
  statusChanged: boolean;
  backoff: BackoffRecord;
  events: JobEvent[];
  requeueAfterMs?: number;
}

/** Whether a condition of `type` is True on the Job. */
export function hasCondition(job: Job, type: string): boolean {
  return job.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}

/** Whether the Job has finished: Complete or Failed. */
export function isJobFinished(job: Job): boolean {
  return hasCondition(job, "Complete") || hasCondition(job, "Failed");
}

/** The re-creation delay after `failures` failures in a row (0 when there were none). */
export function backoffDelay(failures: number): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 20);
  return Math.min(POD_FAILURE_BACKOFF_MS * 2 ** exp, MAX_POD_FAILURE_BACKOFF_MS);
}

/** The back-off record after `succeeded` and `failed` pods finished. */
export function nextBackoff(
  record: BackoffRecord,
  succeeded: readonly Pod[],
  failed: readonly Pod[],
): BackoffRecord {
  if (succeeded.length === 0 && failed.length === 0) return record;
  let lastSuccess = -Infinity;
  for (const p of succeeded) lastSuccess = Math.max(lastSuccess, podFinishTime(p));
  const base = succeeded.length ? { failuresAfterLastSuccess: 0 } : record;
  let failures = base.failuresAfterLastSuccess;
  let last = succeeded.length ? undefined : record.lastFailureTime;
  for (const p of failed) {
    const at = podFinishTime(p);
    if (at <= lastSuccess) continue;
    failures++;
    if (last === undefined || at > last) last = at;
  }
  return {
    failuresAfterLastSuccess: failures,
    ...(last !== undefined ? { lastFailureTime: last } : {}),
  };
}

function setCondition(
  conditions: JobCondition[],
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  const existing = conditions[i];
  if (existing?.status === status && existing.reason === reason) return false;
  const cond = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
  if (existing) conditions[i] = cond;
  else conditions.push(cond);
  return true;
}

/** Pods in the order they are deleted when too many run: unscheduled, pending, not ready, newest. */
function deletionRank(a: Pod, b: Pod): number {
  const score = (p: Pod): number =>
    (p.spec?.nodeName ? 4 : 0) + (p.status?.phase === "Running" ? 2 : 0) + (isPodReady(p) ? 1 : 0);
  const d = score(a) - score(b);
  if (d !== 0) return d;
  return (
    (parseTime(b.metadata.creationTimestamp) ?? 0) - (parseTime(a.metadata.creationTimestamp) ?? 0)
  );
}

/** Container restarts of active pods, which count toward the limit with restartPolicy OnFailure. */
function restartsOf(pods: readonly Pod[]): number {
  let n = 0;
  for (const p of pods) {
    for (const c of [
      ...(p.status?.initContainerStatuses ?? []),
      ...(p.status?.containerStatuses ?? []),
    ]) {
      n += c.restartCount ?? 0;
    }
  }
  return n;
}

/** Whether terminating pods count as failed and are replaced at once (upstream's default). */
function replacesTerminating(job: Job): boolean {
  const policy = job.spec?.podReplacementPolicy;
  if (policy !== undefined) return policy === "TerminatingOrFailed";
  return job.spec?.podFailurePolicy === undefined;
}

/** Whether a finished or deleted pod counts as failed. */
function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = pod.status?.phase;
  if (phase === "Failed") return true;
  // A pod deleted before it ended never reaches Failed when its node is gone; upstream counts it
  // as failed at once, unless the Job waits for pods to be Failed before replacing them.
  return phase !== "Succeeded" && !!pod.metadata.deletionTimestamp && replacesTerminating(job);
}

/** The failure that makes a Job fail, found in this sync. */
interface FailureCause {
  reason: string;
  message: string;
}

/** Plans one sync of a Job. */
export function planJobSync(input: JobSyncInput): JobSyncPlan {
  const { job, pods, now } = input;
  const spec = job.spec ?? {};
  const prev = job.status ?? {};
  const nowText = formatTime(now);
  const pending = input.pendingFinalizerRemovals ?? new Set<string>();
  const prevUncSucc = new Set(prev.uncountedTerminatedPods?.succeeded ?? []);
  const prevUncFail = new Set(prev.uncountedTerminatedPods?.failed ?? []);
  const indexed = spec.completionMode === "Indexed";
  const completions = spec.completions;
  const tracked = (p: Pod): boolean =>
    hasTrackingFinalizer(p) && !pending.has(p.metadata.uid ?? "");

  const plan: JobSyncPlan = {
    count: [],
    uncounted: { succeeded: [...prevUncSucc], failed: [...prevUncFail] },
    uncountedChanged: false,
    create: [],
    delete: [],
    status: prev,
    statusChanged: false,
    backoff: input.backoff,
    events: [],
  };

  if (isJobFinished(job)) {
    // A finished Job only lets go of its pods; its counts no longer change.
    plan.count = pods.filter(tracked);
    plan.delete = pods.filter(isPodActive);
    return plan;
  }

  const active: Pod[] = [];
  let terminating = 0;
  for (const pod of pods) {
    if (isPodActive(pod)) active.push(pod);
    else if (pod.metadata.deletionTimestamp && !isTerminal(pod)) terminating++;
  }

  // Count what finished: successes by UID (Indexed: by index), failures by UID unless the pod
  // failure policy ignores them. A pod is counted once: in uncounted first, then its finalizer goes.
  const completed = indexed
    ? parseIndexes(prev.completedIndexes ?? "", completions ?? 0)
    : new Set<number>();
  const newSucc: Pod[] = [];
  const newFail: Pod[] = [];
  let policyFailure: FailureCause | undefined;
  const perIndex = hasBackoffLimitPerIndex(job);
  const failedIndexes = perIndex
    ? parseIndexes(prev.failedIndexes ?? "", completions ?? 0)
    : new Set<number>();
  // Past the cap, a sync only counts (no decision on partial counts) and comes back at once.
  let capped = false;
  for (const pod of pods) {
    if (!tracked(pod)) continue;
    const uid = pod.metadata.uid ?? "";
    if (pod.status?.phase === "Succeeded") {
      const index = completionIndexOf(pod);
      if (indexed) {
        if (index !== undefined && index < (completions ?? 0) && !completed.has(index)) {
          completed.add(index);
          newSucc.push(pod);
        }
      } else if (!prevUncSucc.has(uid) && !prevUncFail.has(uid)) {
        if (prevUncSucc.size + newSucc.length >= MAX_UNCOUNTED_PODS) {
          capped = true;
          continue;
        }
        newSucc.push(pod);
      }
      plan.count.push(pod);
      continue;
    }
    if (!isPodFailed(pod, job)) continue;
    if (prevUncFail.has(uid)) {
      plan.count.push(pod);
      continue;
    }
    if (indexed) {
      const index = completionIndexOf(pod);
      if (index === undefined || index >= (completions ?? 0)) {
        plan.count.push(pod);
        continue;
      }
    }
    if (prevUncFail.size + newFail.length >= MAX_UNCOUNTED_PODS) {
      capped = true;
      continue;
    }
    plan.count.push(pod);
    const verdict = matchPodFailurePolicy(job, pod);
    if (verdict.action === "FailJob" && verdict.message !== undefined) {
      policyFailure ??= { reason: "PodFailurePolicy", message: verdict.message };
    }
    if (!verdict.countFailed) continue;
    newFail.push(pod);
    const index = completionIndexOf(pod);
    if (perIndex && index !== undefined && failsIndex(job, pod, verdict.action)) {
      failedIndexes.add(index);
    }
  }

  const conditions = (prev.conditions ?? []).map((c) => ({ ...c }));
  let startTime = prev.startTime;
  let completionTime = prev.completionTime;
  const failedBefore = (prev.failed ?? 0) + prevUncFail.size;
  let failed = failedBefore + newFail.length;
  const succeededOf = (): number =>
    indexed ? completed.size : (prev.succeeded ?? 0) + prevUncSucc.size + newSucc.length;
  plan.backoff = nextBackoff(input.backoff, newSucc, newFail);

  const existingTarget = conditions.find((c) => c.type === "FailureTarget" && c.status === "True");
  const limit = spec.backoffLimit ?? 6;
  const restarts = spec.template?.spec?.restartPolicy === "OnFailure" ? restartsOf(active) : 0;
  const deadlineAt =
    spec.activeDeadlineSeconds !== undefined && startTime !== undefined && !spec.suspend
      ? (parseTime(startTime) ?? now) + spec.activeDeadlineSeconds * 1000
      : undefined;

  let failure: FailureCause | undefined;
  if (existingTarget) {
    failure = { reason: existingTarget.reason ?? "", message: existingTarget.message ?? "" };
  } else if (policyFailure) failure = policyFailure;
  else if (failed > limit || (restarts > 0 && (limit === 0 || restarts >= limit))) {
    failure = {
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    };
  } else if (deadlineAt !== undefined && now >= deadlineAt) {
    failure = {
      reason: "DeadlineExceeded",
      message: "Job was active longer than specified deadline",
    };
  } else if (
    perIndex &&
    spec.maxFailedIndexes !== undefined &&
    failedIndexes.size > spec.maxFailedIndexes
  ) {
    failure = {
      reason: "MaxFailedIndexesExceeded",
      message: "Job has exceeded the specified maximal number of failed indexes",
    };
  } else if (perIndex && failedIndexes.size > 0) {
    const left = (completions ?? 0) - completed.size - failedIndexes.size;
    if (left <= 0) failure = { reason: "FailedIndexes", message: "Job has failed indexes" };
  }

  if (capped) plan.requeueAfterMs = 0;
  else if (failure) {
    // Every pod still running fails with the Job: counted as failed, then deleted. Those past
    // the cap wait for the next sync, which comes at once.
    const deferred = new Set<Pod>();
    for (const pod of active) {
      const uid = pod.metadata.uid ?? "";
      if (!tracked(pod) || prevUncFail.has(uid)) continue;
      if (prevUncFail.size + newFail.length >= MAX_UNCOUNTED_PODS) {
        deferred.add(pod);
        continue;
      }
      plan.count.push(pod);
      newFail.push(pod);
    }
    failed = failedBefore + newFail.length;
    setCondition(conditions, "FailureTarget", "True", failure.reason, failure.message, nowText);
    plan.delete = active.filter((p) => !deferred.has(p));
    if (deferred.size > 0) plan.requeueAfterMs = 0;
    else if (plan.delete.length === 0 && terminating === 0) {
      setCondition(conditions, "Failed", "True", failure.reason, failure.message, nowText);
      plan.events.push({ type: "Warning", reason: failure.reason, message: failure.message });
    }
  } else {
    const succeeded = succeededOf();
    const successTarget = conditions.find(
      (c) => c.type === "SuccessCriteriaMet" && c.status === "True",
    );
    const policyRule = indexed ? matchSuccessPolicy(job, completed) : undefined;
    const isComplete =
      successTarget !== undefined ||
      policyRule !== undefined ||
      (indexed
        ? completed.size >= (completions ?? 0)
        : completions !== undefined
          ? succeeded >= completions
          : succeeded > 0 && active.length === 0);
    if (isComplete) {
      let reason = "CompletionsReached";
      let message = "Reached expected number of succeeded pods";
      if (successTarget) {
        reason = successTarget.reason ?? reason;
        message = successTarget.message ?? message;
      } else if (policyRule !== undefined) {
        reason = "SuccessPolicy";
        message = `Matched rules at index ${policyRule}`;
      }
      setCondition(conditions, "SuccessCriteriaMet", "True", reason, message, nowText);
      plan.delete = active.slice();
      if (plan.delete.length === 0 && terminating === 0) {
        setCondition(conditions, "Complete", "True", reason, message, nowText);
        completionTime ??= nowText;
        plan.events.push({ type: "Normal", reason: "Completed", message: "Job completed" });
      }
    } else if (spec.suspend) {
      plan.delete = active.slice();
      if (setCondition(conditions, "Suspended", "True", "JobSuspended", "Job suspended", nowText)) {
        plan.events.push({ type: "Normal", reason: "Suspended", message: "Job suspended" });
      }
    } else {
      const suspended = conditions.find((c) => c.type === "Suspended");
      if (suspended?.status === "True") {
        setCondition(conditions, "Suspended", "False", "JobResumed", "Job resumed", nowText);
        plan.events.push({ type: "Normal", reason: "Resumed", message: "Job resumed" });
        // The deadline counts the time the Job has been running since it was resumed.
        startTime = nowText;
      }
      startTime ??= nowText;
      const holding = replacesTerminating(job)
        ? []
        : pods.filter((p) => p.metadata.deletionTimestamp && !isTerminal(p));
      if (perIndex) {
        planIndexPods(plan, input, active, completed, failedIndexes, holding);
      } else {
        planPods(plan, input, active, completed, succeeded, holding);
        const wait =
          (plan.backoff.lastFailureTime ?? 0) +
          backoffDelay(plan.backoff.failuresAfterLastSuccess) -
          now;
        if (plan.create.length > 0 && wait > 0) {
          plan.create = [];
          plan.requeueAfterMs = wait;
        }
      }
      if (spec.activeDeadlineSeconds !== undefined) {
        const left = (parseTime(startTime) ?? now) + spec.activeDeadlineSeconds * 1000 - now;
        plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, Math.max(left, 0) + 1000);
      }
    }
  }

  if (plan.create.length > MAX_POD_CREATE_DELETE_PER_SYNC) {
    // The rest is created by the next sync, which the pods' creation brings about.
    plan.create = plan.create.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  }

  plan.uncounted = {
    succeeded: indexed
      ? [...prevUncSucc]
      : [...prevUncSucc, ...newSucc.map((p) => p.metadata.uid ?? "")],
    failed: [...prevUncFail, ...newFail.map((p) => p.metadata.uid ?? "")],
  };
  plan.uncountedChanged = newSucc.length + newFail.length > 0;
  if (plan.uncountedChanged) {
    // Written before any finalizer goes, so that a crash between the two loses no count.
    plan.interim = {
      ...prev,
      uncountedTerminatedPods: plan.uncounted,
      ...(indexed ? { completedIndexes: formatIndexes(completed) } : {}),
      ...(perIndex ? { failedIndexes: formatIndexes(failedIndexes) } : {}),
    };
  }

  const succeeded = indexed
    ? completed.size
    : (prev.succeeded ?? 0) + plan.uncounted.succeeded.length;
  const deleting = new Set(plan.delete);
  const status: JobStatus = {
    ...(conditions.length ? { conditions } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(completionTime !== undefined ? { completionTime } : {}),
    active: active.length + plan.create.length - plan.delete.length,
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    terminating: terminating + plan.delete.length,
    ...(indexed ? { completedIndexes: formatIndexes(completed) } : {}),
    ...(perIndex
      ? { failedIndexes: formatIndexes(failedIndexes) }
      : prev.failedIndexes !== undefined
        ? { failedIndexes: prev.failedIndexes }
        : {}),
    uncountedTerminatedPods: {},
    ready: active.filter((p) => isPodReady(p) && !deleting.has(p)).length,
  };
  plan.status = status;
  plan.statusChanged = plan.count.length > 0 || statusDiffers(prev, status);
  return plan;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/**
 * Fills `plan.create` and `plan.delete` to bring the active pods to what the Job wants now.
 * `holding` are terminating pods that keep their place until they are Failed (podReplacementPolicy
 * Failed): they are not replaced yet.
 */
function planPods(
  plan: JobSyncPlan,
  input: JobSyncInput,
  active: Pod[],
  completed: Set<number>,
  succeeded: number,
  holding: Pod[],
): void {
  const spec = input.job.spec ?? {};
  const parallelism = spec.parallelism ?? 1;
  if (spec.completionMode === "Indexed") {
    const completions = spec.completions ?? 0;
    const running = new Set<number>();
    const keep: Pod[] = [];
    for (const pod of [...active].sort((a, b) => -deletionRank(a, b))) {
      const index = completionIndexOf(pod);
      if (
        index === undefined ||
        index >= completions ||
        completed.has(index) ||
        running.has(index)
      ) {
        plan.delete.push(pod);
      } else {
        running.add(index);
        keep.push(pod);
      }
    }
    if (keep.length > parallelism) {
      keep.sort((a, b) => (completionIndexOf(b) ?? 0) - (completionIndexOf(a) ?? 0));
      plan.delete.push(...keep.slice(0, keep.length - parallelism));
      return;
    }
    for (const pod of holding) {
      const index = completionIndexOf(pod);
      if (index !== undefined) running.add(index);
    }
    const slots = parallelism - keep.length - holding.length;
    for (let i = 0; i < completions && plan.create.length < slots; i++) {
      if (!completed.has(i) && !running.has(i)) plan.create.push(i);
    }
    return;
  }
  const want =
    spec.completions === undefined
      ? succeeded > 0
        ? active.length
        : parallelism
      : Math.min(parallelism, Math.max(spec.completions - succeeded, 0));
  if (active.length > want) {
    plan.delete = [...active].sort(deletionRank).slice(0, active.length - want);
  } else {
    for (let i = active.length + holding.length; i < want; i++) plan.create.push(undefined);
  }
}

/**
 * `planPods` for an Indexed Job with backoffLimitPerIndex: failed indexes are closed like
 * completed ones, and an index whose last pod failed waits out its own back-off before its next
 * pod, which carries the index's failure counts.
 */
function planIndexPods(
  plan: JobSyncPlan,
  input: JobSyncInput,
  active: Pod[],
  completed: Set<number>,
  failedIndexes: Set<number>,
  holding: Pod[],
): void {
  const closed = new Set([...completed, ...failedIndexes]);
  planPods(plan, input, active, closed, closed.size, holding);
  const histories = indexHistories(input.job, input.pods);
  const annotations = new Map<number, Record<string, string>>();
  const create: number[] = [];
  for (const index of plan.create) {
    if (index === undefined) continue;
    const history = histories.get(index);
    const wait =
      history?.lastFailureTime !== undefined
        ? history.lastFailureTime + backoffDelay(history.failures) - input.now
        : 0;
    if (wait > 0) {
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, wait);
      continue;
    }
    create.push(index);
    annotations.set(index, indexAnnotations(history));
  }
  plan.create = create;
  plan.createAnnotations = annotations;
}

function statusDiffers(a: JobStatus, b: JobStatus): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof JobStatus>;
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return true;
  return false;
}
