/**
 * The CronJob controller's decisions, free of I/O: from a CronJob, the Jobs it controls and the
 * time, which finished Jobs leave the active list, which old Jobs to delete, whether a run is due
 * and may start, the Job it starts, and when to look again.
 */
import type { CronJob, CronJobStatus } from "../../api/batch/v1/cron-job.js";
import { checkTimeZone, CronSyntaxError, parseSchedule } from "../../api/batch/v1/cron.js";
import type { Job } from "../../api/batch/v1/job.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { formatTime, parseTime } from "../replicaset/pod-state.js";
import { copyJson } from "../../util/json-copy.js";
import {
  formatInZone,
  formatRfc1123z,
  jobNameFor,
  MAX_MISSED_RUNS,
  mostRecentRun,
  nextRunDelay,
  type ZonedSchedule,
} from "./schedule-times.js";

/** The annotation on a CronJob's Job that names the run time it was made for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/** An event the controller records on the CronJob. */
export interface CronJobEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** One entry of `status.active`. */
export type ActiveRef = NonNullable<CronJobStatus["active"]>[number];

/** What one sync reads. */
export interface CronJobSyncInput {
  cronJob: CronJob;
  /** The Jobs the CronJob controls. */
  jobs: readonly Job[];
  now: number;
  /** UIDs of active-list Jobs that are not cached and that a live read found gone. */
  missing?: ReadonlySet<string>;
  /** The zone of schedules that name none; the process's own zone when unset. */
  localTimeZone?: string;
}

/** A Job to delete, and why. */
export interface JobDeletion {
  job: Job;
  /** `history`: past the history limit; `replace`: still running at the next run (Replace). */
  why: "history" | "replace";
}

/** What one sync does. */
export interface CronJobSyncPlan {
  /** The status before any creation; `withCreatedJob` adds a Job the sync created. */
  status: CronJobStatus;
  statusChanged: boolean;
  events: CronJobEvent[];
  /** Jobs to delete (background propagation), each then leaving the active list. */
  delete: JobDeletion[];
  /** The Job to create for the run at `scheduledTime`, once the deletions succeeded. */
  create?: { job: Job; scheduledTime: number };
  /** Look again after this many milliseconds; unset: only when something changes. */
  requeueAfterMs?: number;
}

/** Whether a Job has finished, and how. */
export function finishedType(job: Job): "Complete" | "Failed" | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.type;
  }
  return undefined;
}

/** The active-list entries whose Jobs are not among `jobs`: to be checked with a live read. */
export function unlistedActive(cronJob: CronJob, jobs: readonly Job[]): ActiveRef[] {
  const uids = new Set(jobs.map((j) => j.metadata.uid));
  return (cronJob.status?.active ?? []).filter((ref) => !uids.has(ref.uid));
}

/** Unfinished Jobs of the CronJob that its active list lacks (a stale copy of it, or adopted). */
export function unexpectedJobs(cronJob: CronJob, jobs: readonly Job[]): Job[] {
  const active = new Set((cronJob.status?.active ?? []).map((r) => r.uid));
  return jobs.filter((j) => !active.has(j.metadata.uid) && finishedType(j) === undefined);
}

/** The controller reference a CronJob puts on its Jobs. */
export function cronJobControllerRef(cronJob: CronJob): OwnerReference {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    name: cronJob.metadata.name ?? "",
    uid: cronJob.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The Job of the run at `scheduled`: the template's labels, annotations and spec, owned. */
export function jobFromTemplate(cronJob: CronJob, scheduled: number): Job {
  const template = cronJob.spec?.jobTemplate ?? {};
  const zone = cronJob.spec?.timeZone ?? "UTC";
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobNameFor(cronJob.metadata.name ?? "", scheduled),
      namespace: cronJob.metadata.namespace ?? "",
      labels: { ...template.metadata?.labels },
      annotations: {
        ...template.metadata?.annotations,
        [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, zone),
      },
      ownerReferences: [cronJobControllerRef(cronJob)],
    },
    spec: copyJson(template.spec ?? {}),
  };
}

/** The reference `status.active` keeps of a Job. */
export function activeRefOf(job: Job): ActiveRef & { resourceVersion?: string } {
  return {
    kind: "Job",
    namespace: job.metadata.namespace ?? "",
    name: job.metadata.name ?? "",
    uid: job.metadata.uid ?? "",
    apiVersion: "batch/v1",
    ...(job.metadata.resourceVersion ? { resourceVersion: job.metadata.resourceVersion } : {}),
  };
}

/** The status once the planned Job was created as `job`. */
export function withCreatedJob(status: CronJobStatus, job: Job, scheduled: number): CronJobStatus {
  return {
    ...status,
    active: [...(status.active ?? []), activeRefOf(job)],
    lastScheduleTime: formatTime(scheduled),
  };
}

/** Oldest first by start time, Jobs that never started last, names breaking ties. */
function byStartTime(a: Job, b: Job): number {
  const sa = parseTime(a.status?.startTime);
  const sb = parseTime(b.status?.startTime);
  if (sa === undefined || sb === undefined) {
    if (sa !== sb) return sa === undefined ? 1 : -1;
  } else if (sa !== sb) return sa - sb;
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** The finished Jobs past the history limits, oldest first. */
function historyToDelete(cronJob: CronJob, jobs: readonly Job[]): Job[] {
  const out: Job[] = [];
  const limits = [
    ["Complete", cronJob.spec?.successfulJobsHistoryLimit],
    ["Failed", cronJob.spec?.failedJobsHistoryLimit],
  ] as const;
  for (const [type, limit] of limits) {
    if (limit === undefined) continue;
    const finished = jobs.filter((j) => finishedType(j) === type).sort(byStartTime);
    out.push(...finished.slice(0, Math.max(finished.length - limit, 0)));
  }
  return out;
}

/** Plans one sync of a CronJob. */
export function planCronJobSync(input: CronJobSyncInput): CronJobSyncPlan {
  const { cronJob, jobs, now } = input;
  const spec = cronJob.spec ?? {};
  const prev = cronJob.status ?? {};
  const events: CronJobEvent[] = [];
  const plan: CronJobSyncPlan = { status: prev, statusChanged: false, events, delete: [] };
  let active = [...(prev.active ?? [])];
  let lastSuccessful = parseTime(prev.lastSuccessfulTime);

  // What became of the Jobs: finished ones leave the active list; successes move
  // lastSuccessfulTime.
  const activeUids = new Set(active.map((r) => r.uid));
  for (const job of jobs) {
    const uid = job.metadata.uid ?? "";
    const finished = finishedType(job);
    if (finished === undefined) {
      if (!activeUids.has(uid)) {
        events.push({
          type: "Warning",
          reason: "UnexpectedJob",
          message: `Saw a job that the controller did not create or forgot: ${job.metadata.name ?? ""}`,
        });
      }
      continue;
    }
    if (activeUids.has(uid)) {
      active = active.filter((r) => r.uid !== uid);
      events.push({
        type: "Normal",
        reason: "SawCompletedJob",
        message: `Saw completed job: ${job.metadata.name ?? ""}, condition: ${finished}`,
      });
    }
    const completed = parseTime(job.status?.completionTime);
    if (finished === "Complete" && completed !== undefined) {
      if (lastSuccessful === undefined || completed > lastSuccessful) lastSuccessful = completed;
    }
  }
  for (const ref of unlistedActive(cronJob, jobs)) {
    if (!input.missing?.has(ref.uid ?? "")) continue;
    active = active.filter((r) => r.uid !== ref.uid);
    events.push({
      type: "Normal",
      reason: "MissingJob",
      message: `Active job went missing: ${ref.name ?? ""}`,
    });
  }
  for (const job of historyToDelete(cronJob, jobs)) plan.delete.push({ job, why: "history" });

  const finish = (): CronJobSyncPlan => {
    const status: CronJobStatus = { ...prev };
    if (active.length > 0) status.active = active;
    else delete status.active;
    if (lastSuccessful !== undefined) status.lastSuccessfulTime = formatTime(lastSuccessful);
    plan.status = status;
    plan.statusChanged = JSON.stringify(status) !== JSON.stringify(prev);
    return plan;
  };
  const warn = (reason: string, message: string): void => {
    events.push({ type: "Warning", reason, message });
  };

  if (cronJob.metadata.deletionTimestamp) return finish();
  if (spec.timeZone !== undefined) {
    const problem = checkTimeZone(spec.timeZone);
    if (problem) {
      warn("UnknownTimeZone", `invalid timeZone: ${JSON.stringify(spec.timeZone)}: ${problem}`);
      return finish();
    }
  }
  if (spec.suspend) return finish();

  const text = spec.schedule ?? "";
  if (text.includes("TZ")) {
    warn(
      "UnsupportedSchedule",
      `CRON_TZ or TZ used in schedule ${JSON.stringify(text)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
    );
  }
  let schedule: ZonedSchedule;
  try {
    schedule = { schedule: parseSchedule(text), timeZone: spec.timeZone ?? input.localTimeZone };
  } catch (err) {
    if (!(err instanceof CronSyntaxError)) throw err;
    warn("UnparseableSchedule", `unparseable schedule: ${JSON.stringify(text)} : ${err.message}`);
    return finish();
  }

  // The most recent run not yet started, within the starting deadline when there is one.
  const lastScheduled =
    parseTime(prev.lastScheduleTime) ?? parseTime(cronJob.metadata.creationTimestamp) ?? now;
  const deadlineMs =
    spec.startingDeadlineSeconds !== undefined ? spec.startingDeadlineSeconds * 1000 : undefined;
  const earliest =
    deadlineMs !== undefined ? Math.max(lastScheduled, now - deadlineMs) : lastScheduled;
  const due = mostRecentRun(schedule, earliest, now);
  if (due.missed > MAX_MISSED_RUNS) {
    warn(
      "TooManyMissedTimes",
      `too many missed start times: ${due.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
    );
  }
  const requeue = (): CronJobSyncPlan => {
    const delay = nextRunDelay(schedule, lastScheduled, now);
    if (delay !== undefined) plan.requeueAfterMs = delay;
    return finish();
  };
  const scheduled = due.time;
  if (scheduled === undefined) return requeue();
  if (deadlineMs !== undefined && scheduled + deadlineMs < now) {
    warn("MissSchedule", `Missed scheduled time to start a job: ${formatRfc1123z(scheduled)}`);
    return requeue();
  }
  const name = jobNameFor(cronJob.metadata.name ?? "", scheduled);
  if (active.some((r) => r.name === name) || parseTime(prev.lastScheduleTime) === scheduled) {
    return requeue();
  }
  if (spec.concurrencyPolicy === "Forbid" && active.length > 0) {
    events.push({
      type: "Normal",
      reason: "JobAlreadyActive",
      message:
        "Not starting job because prior execution is running and concurrency policy is Forbid",
    });
    return requeue();
  }
  if (spec.concurrencyPolicy === "Replace") {
    const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
    for (const ref of active) {
      const job = byUid.get(ref.uid) ?? {
        metadata: { name: ref.name ?? "", namespace: ref.namespace ?? "", uid: ref.uid ?? "" },
      };
      plan.delete.push({ job, why: "replace" });
    }
  }
  plan.create = { job: jobFromTemplate(cronJob, scheduled), scheduledTime: scheduled };
  // Once the run is recorded, the next look is due just after the following run.
  const delay = nextRunDelay(schedule, scheduled, now);
  if (delay !== undefined) plan.requeueAfterMs = delay;
  return finish();
}

/** The status once the deletions that succeeded took their Jobs out of the active list. */
export function withoutDeleted(status: CronJobStatus, uids: ReadonlySet<string>): CronJobStatus {
  const active = (status.active ?? []).filter((r) => !uids.has(r.uid ?? ""));
  const next: CronJobStatus = { ...status };
  if (active.length > 0) next.active = active;
  else delete next.active;
  return next;
}
