import { test } from "node:test";
import assert from "node:assert/strict";
import type { Job } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { backoffDelay, nextBackoff, planJobSync, type JobSyncInput } from "./job-logic.js";
import { formatIndexes, parseIndexes } from "./indexes.js";
import {
  COMPLETION_INDEX_KEY,
  INDEX_FAILURE_COUNT_KEY,
  JOB_TRACKING_FINALIZER,
  jobControllerRef,
  jobPod,
} from "./job-pods.js";
import { ttlDecision } from "./ttl-after-finished.js";

const NOW = Date.UTC(2024, 0, 1, 12);
const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

function job(spec: Job["spec"], status: Job["status"] = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default", uid: "job-uid", resourceVersion: "1" },
    spec: {
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "job-uid" } },
      template: {
        metadata: { labels: { "batch.kubernetes.io/controller-uid": "job-uid" } },
        spec: { containers: [{ name: "c", image: "i" }], restartPolicy: "Never" },
      },
      ...spec,
    },
    status,
  };
}

let seq = 0;
function pod(
  phase: string,
  opts: { index?: number; finalizer?: boolean; deleting?: boolean; finishedAt?: number } = {},
): Pod {
  seq++;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `p${seq}`,
      namespace: "default",
      uid: `u${seq}`,
      creationTimestamp: iso(NOW - 60_000),
      ...(opts.finalizer === false ? {} : { finalizers: [JOB_TRACKING_FINALIZER] }),
      ...(opts.deleting ? { deletionTimestamp: iso(NOW) } : {}),
      ...(opts.index !== undefined
        ? { annotations: { [COMPLETION_INDEX_KEY]: String(opts.index) } }
        : {}),
    },
    spec: { containers: [{ name: "c", image: "i" }] },
    status: {
      phase,
      ...(opts.finishedAt !== undefined
        ? {
            containerStatuses: [
              {
                name: "c",
                image: "i",
                imageID: "",
                ready: false,
                restartCount: 0,
                state: {
                  terminated: {
                    exitCode: phase === "Failed" ? 1 : 0,
                    finishedAt: iso(opts.finishedAt),
                  },
                },
              },
            ],
          }
        : {}),
    },
  } as Pod;
}

function plan(j: Job, pods: Pod[], extra: Partial<JobSyncInput> = {}) {
  return planJobSync({
    job: j,
    pods,
    now: NOW,
    backoff: { failuresAfterLastSuccess: 0 },
    ...extra,
  });
}

const types = (j: Job["status"]) =>
  (j?.conditions ?? []).filter((c) => c.status === "True").map((c) => c.type);

test("planJobSync: active pods are min(parallelism, remaining completions)", () => {
  const cases: {
    name: string;
    spec: Job["spec"];
    succeeded: number;
    active: number;
    create: number;
    del: number;
  }[] = [
    {
      name: "fresh job",
      spec: { completions: 3, parallelism: 2 },
      succeeded: 0,
      active: 0,
      create: 2,
      del: 0,
    },
    {
      name: "one left",
      spec: { completions: 3, parallelism: 2 },
      succeeded: 2,
      active: 0,
      create: 1,
      del: 0,
    },
    {
      name: "one left, two running",
      spec: { completions: 3, parallelism: 2 },
      succeeded: 2,
      active: 2,
      create: 0,
      del: 1,
    },
    {
      name: "parallelism raised",
      spec: { completions: 10, parallelism: 5 },
      succeeded: 0,
      active: 2,
      create: 3,
      del: 0,
    },
    {
      name: "work queue, nothing done",
      spec: { parallelism: 3 },
      succeeded: 0,
      active: 1,
      create: 2,
      del: 0,
    },
    {
      name: "work queue, one done",
      spec: { parallelism: 3 },
      succeeded: 1,
      active: 2,
      create: 0,
      del: 0,
    },
  ];
  for (const c of cases) {
    const pods = Array.from({ length: c.active }, () => pod("Running"));
    const p = plan(job(c.spec, { succeeded: c.succeeded, startTime: iso(NOW) }), pods);
    assert.equal(p.create.length, c.create, c.name);
    assert.equal(p.delete.length, c.del, c.name);
    assert.equal(p.status.active, c.active + c.create - c.del, c.name);
  }
});

test("planJobSync: finished pods are recorded uncounted, then counted, and complete the job", () => {
  const done = [pod("Succeeded"), pod("Succeeded"), pod("Succeeded")];
  const p = plan(job({ completions: 3, parallelism: 2 }, { startTime: iso(NOW - 5000) }), done);
  assert.equal(p.uncountedChanged, true);
  assert.deepEqual(p.uncounted.succeeded, ["u" + (seq - 2), "u" + (seq - 1), "u" + seq]);
  assert.equal(p.count.length, 3);
  assert.equal(p.status.succeeded, 3);
  assert.deepEqual(p.status.uncountedTerminatedPods, {});
  assert.deepEqual(types(p.status), ["SuccessCriteriaMet", "Complete"]);
  assert.equal(p.status.completionTime, iso(NOW));
  assert.equal(p.create.length, 0);
});

test("planJobSync: pods already counted (no finalizer) or pending removal are not recounted", () => {
  const a = pod("Succeeded", { finalizer: false });
  const b = pod("Succeeded");
  const p = plan(job({ completions: 3 }, { succeeded: 1, startTime: iso(NOW) }), [a, b], {
    pendingFinalizerRemovals: new Set([b.metadata.uid ?? ""]),
  });
  assert.equal(p.status.succeeded, 1);
  assert.equal(p.count.length, 0);
  // A pod in status.uncountedTerminatedPods counts once, whether or not the pod is still there.
  const q = plan(
    job(
      { completions: 3 },
      { succeeded: 1, startTime: iso(NOW), uncountedTerminatedPods: { succeeded: ["gone"] } },
    ),
    [],
  );
  assert.equal(q.status.succeeded, 2);
});

test("planJobSync: failures beyond backoffLimit fail the job with BackoffLimitExceeded", () => {
  const cases = [
    { name: "within limit", limit: 1, failedBefore: 0, newFailed: 1, failedJob: false },
    { name: "past limit", limit: 1, failedBefore: 1, newFailed: 1, failedJob: true },
    { name: "limit zero", limit: 0, failedBefore: 0, newFailed: 1, failedJob: true },
  ];
  for (const c of cases) {
    const pods = Array.from({ length: c.newFailed }, () =>
      pod("Failed", { finishedAt: NOW - 100_000 }),
    );
    const p = plan(
      job(
        { completions: 1, backoffLimit: c.limit },
        { failed: c.failedBefore, startTime: iso(NOW) },
      ),
      pods,
    );
    const conds = types(p.status);
    assert.equal(conds.includes("Failed"), c.failedJob, c.name);
    assert.equal(conds.includes("FailureTarget"), c.failedJob, c.name);
    if (c.failedJob) {
      assert.equal(
        p.status.conditions?.find((x) => x.type === "Failed")?.reason,
        "BackoffLimitExceeded",
      );
      assert.equal(p.create.length, 0, c.name);
    }
  }
});

test("planJobSync: a failure target with active pods deletes them and waits for Failed", () => {
  const running = pod("Running");
  const p = plan(job({ completions: 2, backoffLimit: 0 }, { startTime: iso(NOW) }), [
    pod("Failed"),
    running,
  ]);
  assert.deepEqual(types(p.status), ["FailureTarget"]);
  assert.deepEqual(p.delete, [running]);
  assert.equal(p.status.terminating, 1);
  // The running pod fails with the Job: it is counted before it is deleted.
  assert.equal(p.status.failed, 2);
  assert.equal(p.uncounted.failed.length, 2);
  assert.equal(p.events.length, 0);
  // Once it is gone, the Job is Failed, with the event.
  const q = plan(job({ completions: 2, backoffLimit: 0 }, p.status), []);
  assert.deepEqual(types(q.status), ["FailureTarget", "Failed"]);
  assert.equal(q.status.failed, 2);
  assert.deepEqual(q.events, [
    {
      type: "Warning",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    },
  ]);
});

test("planJobSync: re-creating failed pods backs off 10 s doubling up to 10 min", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 6, 7, 30].map(backoffDelay),
    [0, 10_000, 20_000, 40_000, 320_000, 600_000, 600_000],
  );
  const failed = pod("Failed", { finishedAt: NOW - 5000 });
  const p = plan(job({ completions: 1, backoffLimit: 6 }, { startTime: iso(NOW) }), [failed]);
  assert.equal(p.create.length, 0);
  assert.equal(p.requeueAfterMs, 5000);
  assert.deepEqual(p.backoff, { failuresAfterLastSuccess: 1, lastFailureTime: NOW - 5000 });
  const later = plan(job({ completions: 1 }, { failed: 1, startTime: iso(NOW) }), [], {
    backoff: { failuresAfterLastSuccess: 1, lastFailureTime: NOW - 11_000 },
  });
  assert.equal(later.create.length, 1);
  const reset = nextBackoff(
    { failuresAfterLastSuccess: 4, lastFailureTime: NOW - 1 },
    [pod("Succeeded", { finishedAt: NOW })],
    [],
  );
  assert.equal(reset.failuresAfterLastSuccess, 0);
});

test("planJobSync: activeDeadlineSeconds fails the job with DeadlineExceeded, else requeues", () => {
  const running = pod("Running");
  const late = plan(
    job({ completions: 1, activeDeadlineSeconds: 10 }, { startTime: iso(NOW - 10_000) }),
    [running],
  );
  assert.equal(
    late.status.conditions?.find((c) => c.type === "FailureTarget")?.reason,
    "DeadlineExceeded",
  );
  assert.deepEqual(late.delete, [running]);
  const early = plan(
    job({ completions: 1, activeDeadlineSeconds: 10 }, { startTime: iso(NOW - 4000) }),
    [pod("Running")],
  );
  assert.deepEqual(types(early.status), []);
  assert.equal(early.requeueAfterMs, 7000);
});

test("planJobSync: suspend deletes active pods; resuming resets startTime", () => {
  const running = pod("Running");
  const s = plan(
    job({ completions: 2, parallelism: 2, suspend: true }, { startTime: iso(NOW - 99_000) }),
    [running],
  );
  assert.deepEqual(s.delete, [running]);
  assert.equal(s.create.length, 0);
  assert.deepEqual(types(s.status), ["Suspended"]);
  assert.equal(s.events[0]?.reason, "Suspended");
  const r = plan(job({ completions: 2, parallelism: 2, suspend: false }, s.status), []);
  assert.equal(r.status.conditions?.find((c) => c.type === "Suspended")?.status, "False");
  assert.equal(r.status.startTime, iso(NOW));
  assert.equal(r.create.length, 2);
});

test("planJobSync: Indexed mode creates missing indexes and tracks completedIndexes", () => {
  const spec = { completions: 5, parallelism: 3, completionMode: "Indexed" };
  const pods = [
    pod("Succeeded", { index: 0 }),
    pod("Running", { index: 1 }),
    pod("Running", { index: 1 }),
    pod("Running", { index: 9 }),
  ];
  const p = plan(job(spec, { startTime: iso(NOW), completedIndexes: "3" }), pods);
  assert.equal(p.status.completedIndexes, "0,3");
  assert.deepEqual(p.delete.map((x) => x.metadata.annotations?.[COMPLETION_INDEX_KEY]).sort(), [
    "1",
    "9",
  ]);
  assert.deepEqual(p.create, [2, 4]);
  const done = plan(job(spec, { startTime: iso(NOW), completedIndexes: "0-3" }), [
    pod("Succeeded", { index: 4 }),
  ]);
  assert.deepEqual(types(done.status), ["SuccessCriteriaMet", "Complete"]);
});

test("completion index sets: parse and format round-trip", () => {
  assert.equal(formatIndexes(parseIndexes("0-2,5,7-8", 10)), "0-2,5,7-8");
  assert.equal(formatIndexes(parseIndexes("3-20", 5)), "3-4");
  assert.equal(formatIndexes(new Set([4, 1, 2])), "1-2,4");
});

test("jobPod: tracking finalizer, owner, and the index in Indexed mode", () => {
  const j = job({ completions: 2, completionMode: "Indexed" });
  const p = jobPod(j, jobControllerRef(j), 1);
  assert.deepEqual(p.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
  assert.equal(p.metadata.ownerReferences?.[0]?.kind, "Job");
  assert.equal(p.metadata.generateName, "pi-1-");
  assert.equal(p.metadata.labels?.[COMPLETION_INDEX_KEY], "1");
  assert.equal(p.spec?.hostname, "pi-1");
  assert.equal(p.spec?.containers?.[0]?.env?.[0]?.name, "JOB_COMPLETION_INDEX");
});

test("ttlDecision: deletes a finished Job once its TTL has passed", () => {
  const finished = (ttl: number | undefined, doneAgoMs: number, type = "Complete"): Job =>
    job(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }, {
      conditions: [{ type, status: "True", lastTransitionTime: iso(NOW - doneAgoMs) }],
    });
  // A failed Job has no completion time: its Failed condition says when it ended.
  assert.deepEqual(ttlDecision(finished(10, 20_000, "Failed"), NOW), { action: "delete" });
  assert.deepEqual(ttlDecision(finished(10, 20_000, "Suspended"), NOW), { action: "none" });
  assert.deepEqual(ttlDecision(finished(100, 100_000), NOW), { action: "delete" });
  assert.deepEqual(ttlDecision(finished(100, 40_000), NOW), { action: "wait", ms: 60_000 });
  assert.deepEqual(ttlDecision(finished(undefined, 40_000), NOW), { action: "none" });
  assert.deepEqual(ttlDecision(job({ ttlSecondsAfterFinished: 0 }), NOW), { action: "none" });
});

test("planJobSync: Indexed successes count once per index and are written before finalizers go", () => {
  const spec = { completions: 3, parallelism: 3, completionMode: "Indexed" };
  const p = plan(job(spec, { startTime: iso(NOW), completedIndexes: "0", succeeded: 1 }), [
    pod("Succeeded", { index: 1 }),
    pod("Succeeded", { index: 1 }),
    pod("Succeeded", { index: 0 }),
    pod("Running", { index: 2 }),
  ]);
  assert.equal(p.status.succeeded, 2);
  assert.equal(p.status.completedIndexes, "0-1");
  assert.deepEqual(p.uncounted.succeeded, []);
  assert.equal(p.interim?.completedIndexes, "0-1");
  assert.equal(p.count.length, 3);
  assert.deepEqual(p.create, []);
});

test("planJobSync: podFailurePolicy rules fail the Job, ignore, or count a failure", () => {
  const failedWith = (code: number, container = "c"): Pod => {
    const p = pod("Failed", { finishedAt: NOW - 100_000 });
    const s = p.status?.containerStatuses?.[0];
    if (s?.state?.terminated) {
      s.state.terminated.exitCode = code;
      s.name = container;
    }
    return p;
  };
  const policy = {
    rules: [
      { action: "FailJob", onExitCodes: { containerName: "c", operator: "In", values: [42] } },
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
      { action: "Ignore", onExitCodes: { operator: "In", values: [7] } },
    ],
  };
  const spec = { completions: 1, backoffLimit: 3, podFailurePolicy: policy };
  const fatal = failedWith(42);
  const p = plan(job(spec, { startTime: iso(NOW) }), [fatal]);
  const target = p.status.conditions?.find((c) => c.type === "FailureTarget");
  assert.equal(target?.reason, "PodFailurePolicy");
  assert.equal(
    target?.message,
    `Container c for pod default/${fatal.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
  );
  assert.deepEqual(types(p.status), ["FailureTarget", "Failed"]);
  assert.equal(p.status.failed, 1);

  const disrupted = failedWith(1);
  if (disrupted.status)
    disrupted.status.conditions = [{ type: "DisruptionTarget", status: "True" }];
  const ignored = plan(job(spec, { startTime: iso(NOW) }), [disrupted, failedWith(7)]);
  assert.deepEqual(types(ignored.status), []);
  assert.equal(ignored.status.failed, undefined);
  assert.equal(ignored.count.length, 2, "ignored failures still lose their finalizers");
  assert.equal(ignored.create.length, 1);

  const counted = plan(job(spec, { startTime: iso(NOW) }), [failedWith(42, "other")]);
  assert.equal(counted.status.failed, 1);
  assert.deepEqual(types(counted.status), []);
});

test("planJobSync: podReplacementPolicy Failed waits for terminating pods before replacing", () => {
  const terminating = pod("Running", { deleting: true });
  const spec = { completions: 2, parallelism: 2 };
  const wait = plan(job({ ...spec, podReplacementPolicy: "Failed" }, { startTime: iso(NOW) }), [
    terminating,
  ]);
  assert.equal(wait.create.length, 1);
  assert.equal(wait.status.failed, undefined);
  assert.equal(wait.status.terminating, 1);
  const replace = plan(
    job({ ...spec, podReplacementPolicy: "TerminatingOrFailed" }, { startTime: iso(NOW) }),
    [terminating],
  );
  assert.equal(replace.create.length, 2);
  assert.equal(replace.status.failed, 1);
});

test("planJobSync: a finished Job releases its pods and changes nothing else", () => {
  const done = job(
    { completions: 1 },
    { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] },
  );
  const stray = pod("Running");
  const p = plan(done, [pod("Succeeded"), stray]);
  assert.equal(p.count.length, 2);
  assert.deepEqual(p.delete, [stray]);
  assert.equal(p.statusChanged, false);
  assert.equal(p.interim, undefined);
});

test("planJobSync: backoffLimitPerIndex fails an index past its limit, then the Job", () => {
  const spec = {
    completions: 3,
    parallelism: 3,
    completionMode: "Indexed",
    backoffLimit: 2_147_483_647,
    backoffLimitPerIndex: 1,
  };
  const failedPod = (index: number, failures: number, agoMs: number): Pod => {
    const p = pod("Failed", { index, finishedAt: NOW - agoMs });
    p.metadata.annotations = {
      ...p.metadata.annotations,
      [INDEX_FAILURE_COUNT_KEY]: String(failures),
    };
    return p;
  };
  // Index 0 failed for the first time a while ago: its next pod carries the count.
  const first = plan(job(spec, { startTime: iso(NOW), failedIndexes: "" }), [
    failedPod(0, 0, 60_000),
    pod("Running", { index: 1 }),
    pod("Running", { index: 2 }),
  ]);
  assert.deepEqual(first.create, [0]);
  assert.equal(first.createAnnotations?.get(0)?.[INDEX_FAILURE_COUNT_KEY], "1");
  assert.equal(first.status.failedIndexes, "");
  assert.equal(first.status.failed, 1);
  // A fresh failure waits out the index's own back-off.
  const recent = plan(job(spec, { startTime: iso(NOW), failedIndexes: "" }), [
    failedPod(0, 0, 2000),
    pod("Running", { index: 1 }),
    pod("Running", { index: 2 }),
  ]);
  assert.deepEqual(recent.create, []);
  assert.equal(recent.requeueAfterMs, 8000);
  // Its second failure closes the index; the others go on.
  const second = plan(job(spec, { startTime: iso(NOW), failed: 1, failedIndexes: "" }), [
    failedPod(0, 1, 1000),
    pod("Running", { index: 1 }),
    pod("Running", { index: 2 }),
  ]);
  assert.equal(second.status.failedIndexes, "0");
  assert.equal(second.interim?.failedIndexes, "0");
  assert.deepEqual(second.create, []);
  assert.deepEqual(types(second.status), []);
  // Once every index has succeeded or failed, the Job fails with FailedIndexes.
  const end = plan(
    job(spec, { startTime: iso(NOW), failed: 2, failedIndexes: "0", completedIndexes: "1" }),
    [pod("Succeeded", { index: 2 })],
  );
  assert.deepEqual(types(end.status), ["FailureTarget", "Failed"]);
  assert.equal(end.status.conditions?.[0]?.reason, "FailedIndexes");
  // maxFailedIndexes fails it sooner.
  const max = plan(
    job({ ...spec, maxFailedIndexes: 0 }, { startTime: iso(NOW), failed: 1, failedIndexes: "" }),
    [failedPod(0, 1, 1000), pod("Running", { index: 1 })],
  );
  assert.equal(max.status.conditions?.[0]?.reason, "MaxFailedIndexesExceeded");
});

test("planJobSync: a successPolicy rule met completes an Indexed Job early", () => {
  const spec = {
    completions: 4,
    parallelism: 4,
    completionMode: "Indexed",
    successPolicy: { rules: [{ succeededIndexes: "0-1", succeededCount: 1 }] },
  };
  const running = pod("Running", { index: 2 });
  const p = plan(job(spec, { startTime: iso(NOW) }), [pod("Succeeded", { index: 1 }), running]);
  const met = p.status.conditions?.find((c) => c.type === "SuccessCriteriaMet");
  assert.equal(met?.reason, "SuccessPolicy");
  assert.equal(met?.message, "Matched rules at index 0");
  assert.deepEqual(p.delete, [running]);
  assert.deepEqual(types(p.status), ["SuccessCriteriaMet"]);
  const done = plan(job(spec, p.status), []);
  assert.deepEqual(types(done.status), ["SuccessCriteriaMet", "Complete"]);
  assert.equal(done.status.conditions?.[1]?.reason, "SuccessPolicy");
  const notYet = plan(job(spec, { startTime: iso(NOW) }), [pod("Succeeded", { index: 3 })]);
  assert.deepEqual(types(notYet.status), []);
});

test("planJobSync: with restartPolicy OnFailure, container restarts count toward backoffLimit", () => {
  const restarted = (n: number): Pod => {
    const p = pod("Running");
    if (p.status) {
      p.status.containerStatuses = [
        { name: "c", image: "i", imageID: "", ready: true, restartCount: n, state: {} },
      ];
    }
    return p;
  };
  const onFailure = (limit: number) =>
    job(
      {
        completions: 1,
        backoffLimit: limit,
        template: {
          metadata: { labels: { "batch.kubernetes.io/controller-uid": "job-uid" } },
          spec: { containers: [{ name: "c", image: "i" }], restartPolicy: "OnFailure" },
        },
      },
      { startTime: iso(NOW) },
    );
  const cases = [
    { limit: 2, restarts: 1, fails: false },
    { limit: 2, restarts: 2, fails: true },
    { limit: 0, restarts: 1, fails: true },
    { limit: 0, restarts: 0, fails: false },
  ];
  for (const c of cases) {
    const running = restarted(c.restarts);
    const p = plan(onFailure(c.limit), [running]);
    const target = p.status.conditions?.find((x) => x.type === "FailureTarget");
    assert.equal(target?.reason === "BackoffLimitExceeded", c.fails, JSON.stringify(c));
    if (c.fails) {
      assert.deepEqual(p.delete, [running]);
      assert.equal(p.status.failed, 1, "the running pod fails with the Job");
    }
  }
});

test("planJobSync: one sync creates at most 500 pods", () => {
  const p = plan(job({ completions: 2000, parallelism: 1200 }, { startTime: iso(NOW) }), []);
  assert.equal(p.create.length, 500);
  assert.equal(p.status.active, 500);
});

test("planJobSync: past 500 uncounted UIDs a sync only counts, then comes back at once", () => {
  const done = Array.from({ length: 520 }, () => pod("Succeeded"));
  const p = plan(job({ completions: 600, parallelism: 100 }, { startTime: iso(NOW) }), [
    ...done,
    pod("Running"),
  ]);
  assert.equal(p.uncounted.succeeded.length, 500);
  assert.equal(p.count.length, 500);
  assert.equal(p.status.succeeded, 500);
  assert.deepEqual(p.create, []);
  assert.deepEqual(p.delete, []);
  assert.equal(p.requeueAfterMs, 0);
  // Failing with many running pods: 500 counted and deleted now, the rest next time.
  const running = Array.from({ length: 510 }, () => pod("Running"));
  const f = plan(job({ completions: 1, backoffLimit: 0 }, { startTime: iso(NOW) }), [
    pod("Failed"),
    ...running,
  ]);
  assert.equal(f.uncounted.failed.length, 500);
  assert.equal(f.delete.length, 499);
  assert.equal(f.requeueAfterMs, 0);
  assert.deepEqual(types(f.status), ["FailureTarget"]);
});
