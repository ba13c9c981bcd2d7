import { test } from "node:test";
import assert from "node:assert/strict";
import type { CronJob } from "../../api/batch/v1/cron-job.js";
import type { Job } from "../../api/batch/v1/job.js";
import {
  planCronJobSync,
  SCHEDULED_TIMESTAMP_ANNOTATION,
  withCreatedJob,
  withoutDeleted,
  type CronJobSyncInput,
} from "./cronjob-logic.js";
import { formatInZone, mostRecentRun, nextRunDelay } from "./schedule-times.js";
import { parseSchedule } from "../../api/batch/v1/cron.js";

const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");
const minutes = (ms: number): number => Math.floor(ms / MIN);

function cronJob(spec: CronJob["spec"] = {}, status: CronJob["status"] = {}): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: {
      name: "tick",
      namespace: "default",
      uid: "cj-uid",
      creationTimestamp: iso(T0 + 30_000),
    },
    spec: {
      schedule: "* * * * *",
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: "tick" }, annotations: { note: "x" } },
        spec: { template: { spec: { containers: [{ name: "c", image: "i" }] } } },
      },
      ...spec,
    },
    status,
  };
}

function job(
  name: string,
  state: "running" | "Complete" | "Failed",
  opts: { startedAt?: number; completedAt?: number } = {},
): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    status: {
      ...(opts.startedAt !== undefined ? { startTime: iso(opts.startedAt) } : {}),
      ...(opts.completedAt !== undefined ? { completionTime: iso(opts.completedAt) } : {}),
      ...(state === "running" ? {} : { conditions: [{ type: state, status: "True" }] }),
    },
  };
}

const ref = (name: string) => ({
  kind: "Job",
  namespace: "default",
  name,
  uid: `uid-${name}`,
  apiVersion: "batch/v1",
});

function plan(cj: CronJob, jobs: Job[], now: number, extra: Partial<CronJobSyncInput> = {}) {
  return planCronJobSync({ cronJob: cj, jobs, now, localTimeZone: "UTC", ...extra });
}

const reasons = (p: ReturnType<typeof plan>) => p.events.map((e) => e.reason);

test("planCronJobSync: starts only the most recent missed run, then waits for the next", () => {
  const now = T0 + 5 * MIN + 10_000;
  const p = plan(cronJob(), [], now);
  const scheduled = T0 + 5 * MIN;
  assert.equal(p.create?.scheduledTime, scheduled);
  const made = p.create?.job;
  assert.equal(made?.metadata.name, `tick-${minutes(scheduled)}`);
  assert.equal(made?.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], iso(scheduled));
  assert.equal(made?.metadata.annotations?.["note"], "x");
  assert.deepEqual(made?.metadata.labels, { app: "tick" });
  assert.deepEqual(made?.metadata.ownerReferences, [
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      name: "tick",
      uid: "cj-uid",
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(p.requeueAfterMs, 50_100);
  assert.deepEqual(p.events, []);
  const created = { ...made, metadata: { ...made?.metadata, uid: "new" } } as Job;
  const status = withCreatedJob(p.status, created, scheduled);
  assert.equal(status.lastScheduleTime, iso(scheduled));
  assert.equal(status.active?.[0]?.name, `tick-${minutes(scheduled)}`);
});

test("planCronJobSync: decides whether a due run may start", () => {
  const now = T0 + 5 * MIN + 10_000;
  const due = T0 + 5 * MIN;
  const running = job("tick-old", "running");
  const active = { active: [ref("tick-old")], lastScheduleTime: iso(due - MIN) };
  const cases: {
    name: string;
    cj: CronJob;
    jobs?: Job[];
    now?: number;
    create: boolean;
    del?: string[];
    events?: string[];
    requeue?: number | undefined;
  }[] = [
    { name: "not due yet", cj: cronJob(), now: T0 + 50_000, create: false, requeue: 10_100 },
    {
      name: "already scheduled",
      cj: cronJob({}, { lastScheduleTime: iso(due) }),
      create: false,
      requeue: 50_100,
    },
    {
      name: "Allow runs beside an active Job",
      cj: cronJob({}, active),
      jobs: [running],
      create: true,
    },
    {
      name: "Forbid waits for the active Job",
      cj: cronJob({ concurrencyPolicy: "Forbid" }, active),
      jobs: [running],
      create: false,
      events: ["JobAlreadyActive"],
      requeue: 50_100,
    },
    {
      name: "Replace deletes the active Job",
      cj: cronJob({ concurrencyPolicy: "Replace" }, active),
      jobs: [running],
      create: true,
      del: ["tick-old"],
    },
    { name: "suspended", cj: cronJob({ suspend: true }), create: false, requeue: undefined },
    {
      name: "within the starting deadline",
      cj: cronJob({ startingDeadlineSeconds: 30 }, { lastScheduleTime: iso(T0 - 60 * MIN) }),
      create: true,
    },
    {
      name: "past the starting deadline",
      cj: cronJob({ startingDeadlineSeconds: 5 }, { lastScheduleTime: iso(T0 - 60 * MIN) }),
      create: false,
      requeue: 50_100,
    },
    {
      name: "being deleted",
      cj: { ...cronJob(), metadata: { ...cronJob().metadata, deletionTimestamp: iso(now) } },
      create: false,
      requeue: undefined,
    },
    {
      name: "unknown time zone",
      cj: cronJob({ timeZone: "Mars/Olympus" }),
      create: false,
      events: ["UnknownTimeZone"],
      requeue: undefined,
    },
    {
      name: "unparseable schedule",
      cj: cronJob({ schedule: "61 * * * *" }),
      create: false,
      events: ["UnparseableSchedule"],
      requeue: undefined,
    },
  ];
  for (const c of cases) {
    const p = plan(c.cj, c.jobs ?? [], c.now ?? now);
    assert.equal(p.create !== undefined, c.create, c.name);
    if (c.create) assert.equal(p.create?.scheduledTime, due, c.name);
    assert.deepEqual(
      p.delete.map((d) => d.job.metadata.name),
      c.del ?? [],
      c.name,
    );
    assert.deepEqual(reasons(p), c.events ?? [], c.name);
    if ("requeue" in c) assert.equal(p.requeueAfterMs, c.requeue, c.name);
  }
});

test("planCronJobSync: more than 100 missed runs warn, and the latest still starts", () => {
  const now = T0 + 180 * MIN + 5000;
  const p = plan(cronJob({}, { lastScheduleTime: iso(T0) }), [], now);
  assert.deepEqual(reasons(p), ["TooManyMissedTimes"]);
  assert.equal(
    p.events[0]?.message,
    "too many missed start times: 180. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
  );
  assert.equal(p.create?.scheduledTime, T0 + 180 * MIN);
  const few = plan(cronJob({}, { lastScheduleTime: iso(T0) }), [], T0 + 100 * MIN + 5000);
  assert.deepEqual(reasons(few), []);
});

test("planCronJobSync: finished Jobs leave the active list and old ones are deleted", () => {
  const now = T0 + 30_000 + 10_000;
  const done = (i: number, type: "Complete" | "Failed") =>
    job(`tick-${i}`, type, { startedAt: T0 - i * MIN, completedAt: T0 - i * MIN + 5000 });
  const jobs = [
    done(1, "Complete"),
    done(2, "Complete"),
    done(3, "Complete"),
    done(4, "Complete"),
    done(5, "Complete"),
    done(6, "Failed"),
    done(7, "Failed"),
    job("tick-8", "running"),
  ];
  const cj = cronJob({}, { active: [ref("tick-1"), ref("tick-8"), ref("tick-gone")] });
  const p = plan(cj, jobs, now, { missing: new Set(["uid-tick-gone"]) });
  assert.deepEqual(
    p.delete.map((d) => [d.job.metadata.name, d.why]),
    [
      ["tick-5", "history"],
      ["tick-4", "history"],
      ["tick-7", "history"],
    ],
  );
  assert.deepEqual(
    p.status.active?.map((r) => r.name),
    ["tick-8"],
  );
  assert.equal(p.status.lastSuccessfulTime, iso(T0 - MIN + 5000));
  assert.deepEqual(reasons(p), ["SawCompletedJob", "MissingJob"]);
  assert.equal(p.events[0]?.message, "Saw completed job: tick-1, condition: Complete");
  assert.equal(p.statusChanged, true);
  // An unfinished Job the active list lacks is reported, not adopted.
  const stray = plan(cronJob(), [job("tick-x", "running")], now);
  assert.deepEqual(reasons(stray), ["UnexpectedJob"]);
  assert.equal(stray.status.active, undefined);
  assert.deepEqual(withoutDeleted(cj.status ?? {}, new Set(["uid-tick-1"])).active?.length, 2);
});

test("planCronJobSync: schedules are read in spec.timeZone or a TZ= prefix", () => {
  // 09:00 in Tokyo is 00:00 UTC.
  const now = Date.UTC(2024, 0, 2, 0, 0, 30);
  const created = { lastScheduleTime: iso(Date.UTC(2024, 0, 1, 12)) };
  const zoned = plan(cronJob({ schedule: "0 9 * * *", timeZone: "Asia/Tokyo" }, created), [], now);
  assert.equal(zoned.create?.scheduledTime, Date.UTC(2024, 0, 2, 0));
  assert.equal(
    zoned.create?.job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION],
    "2024-01-02T09:00:00+09:00",
  );
  const utc = plan(cronJob({ schedule: "0 9 * * *" }, created), [], now);
  assert.equal(utc.create, undefined);
  const prefixed = plan(cronJob({ schedule: "TZ=Asia/Tokyo 0 9 * * *" }, created), [], now);
  assert.equal(prefixed.create?.scheduledTime, Date.UTC(2024, 0, 2, 0));
  assert.deepEqual(reasons(prefixed), ["UnsupportedSchedule"]);
  // Without spec.timeZone the annotation is written in UTC, as upstream's is.
  assert.equal(
    prefixed.create?.job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION],
    "2024-01-02T00:00:00Z",
  );
});

test("schedule times: the most recent run, the next look, and zoned timestamps", () => {
  const every5 = { schedule: parseSchedule("*/5 * * * *"), timeZone: "UTC" };
  assert.deepEqual(mostRecentRun(every5, T0, T0 + 4 * MIN), { time: undefined, missed: 0 });
  assert.deepEqual(mostRecentRun(every5, T0, T0 + 5 * MIN), { time: T0 + 5 * MIN, missed: 1 });
  assert.deepEqual(mostRecentRun(every5, T0, T0 + 10_000 * MIN + 1), {
    time: T0 + 10_000 * MIN,
    missed: 2000,
  });
  // Weekday mornings only: long gaps, found by widening the window.
  const workdays = { schedule: parseSchedule("30 6-16/4 * * 1-5"), timeZone: "UTC" };
  const saturday = Date.UTC(2024, 0, 6, 12);
  assert.equal(
    mostRecentRun(workdays, Date.UTC(2023, 11, 1), saturday).time,
    Date.UTC(2024, 0, 5, 14, 30),
  );
  assert.equal(nextRunDelay(every5, T0, T0 + 60_000), 4 * MIN + 100);
  assert.equal(
    nextRunDelay({ ...every5, schedule: parseSchedule("0 0 30 2 *") }, T0, T0),
    undefined,
  );
  assert.equal(
    formatInZone(Date.UTC(2024, 6, 1, 12), "America/New_York"),
    "2024-07-01T08:00:00-04:00",
  );
  assert.equal(formatInZone(Date.UTC(2024, 0, 1, 12), "Asia/Kolkata"), "2024-01-01T17:30:00+05:30");
});
