/**
 * End to end: the Job, TTL-after-finished and CronJob controllers with the scheduler and two
 * simulated nodes, driven with the real kubectl. Simulated containers of run-to-completion pods exit
 * after about a second, with the code the pod's `simulate.kates.dev/exit-code` annotation names.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CronJobController } from "../../src/controllers/cronjob/controller.js";
import { ControllerManager, controllerManagerClient } from "../../src/controllers/manager.js";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

const NS = "default";

interface JobView {
  metadata: { name: string; uid: string; annotations?: Record<string, string> };
  spec: { suspend?: boolean };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    completedIndexes?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

interface PodView {
  metadata: {
    name: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec: { hostname?: string };
  status?: { phase?: string };
}

function jobYaml(name: string, spec: string, podAnnotations = ""): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}
  template:
    metadata:
      annotations:
        kates.dev/simulate-exit-after: 500ms
${podAnnotations}
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox
`;
}

function cronJobYaml(name: string, schedule: string): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "${schedule}"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            kates.dev/simulate-exit-after: 500ms
        spec:
          restartPolicy: OnFailure
          containers:
          - name: work
            image: busybox
`;
}

describe("Jobs and CronJobs (kubectl, scheduler, simulated nodes)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const getJob = async (name: string): Promise<JobView | undefined> => {
    const r = await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
    return r.status === 200 ? (r.body as JobView) : undefined;
  };
  const jobPods = async (job: string): Promise<PodView[]> => {
    const selector = encodeURIComponent(`batch.kubernetes.io/job-name=${job}`);
    const r = await api(cluster.url, `/api/v1/namespaces/${NS}/pods?labelSelector=${selector}`);
    return r.body.items as PodView[];
  };
  const condition = (job: JobView | undefined, type: string) =>
    job?.status?.conditions?.find((c) => c.type === type && c.status === "True");

  before(async () => {
    cluster = await startCluster({ controllers: true, scheduler: true, simulatedNodes: 2 });
  });
  after(async () => {
    await cluster?.close();
  });

  it("runs a Job with completions 3 and parallelism 2 to Complete", async () => {
    await ok(["apply", "-f", "-"], jobYaml("three", "  completions: 3\n  parallelism: 2"));
    let peak = 0;
    const watchPeak = setInterval(() => {
      void jobPods("three").then((pods) => {
        const running = pods.filter(
          (p) => !["Succeeded", "Failed"].includes(p.status?.phase ?? ""),
        );
        peak = Math.max(peak, running.length);
      });
    }, 100);
    try {
      await ok(["wait", "--for=condition=complete", "job/three", "--timeout=60s"]);
    } finally {
      clearInterval(watchPeak);
    }
    const job = await getJob("three");
    assert.equal(job?.status?.succeeded, 3);
    assert.equal(job?.status?.active ?? 0, 0);
    assert.ok(job?.status?.completionTime, "completionTime is set");
    assert.equal(condition(job, "Complete")?.reason, "CompletionsReached");
    assert.ok(condition(job, "SuccessCriteriaMet"));
    assert.ok(peak <= 2, `at most parallelism pods ran at once, saw ${peak}`);
    const pods = await jobPods("three");
    assert.equal(pods.filter((p) => p.status?.phase === "Succeeded").length, 3);
    await eventually(
      async () =>
        (await jobPods("three")).every(
          (p) => !p.metadata.finalizers?.includes("batch.kubernetes.io/job-tracking"),
        ),
      30_000,
      "tracking finalizers removed",
    );

    const table = await ok(["get", "job", "three"]);
    assert.match(table, /three\s+Complete\s+3\/3/);
    const described = await ok(["describe", "job", "three"]);
    assert.match(described, /Completions:\s+3/);
    assert.match(described, /Parallelism:\s+2/);
    assert.match(described, /Pods Statuses:\s+0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed/);
    assert.match(described, /SuccessfulCreate\s+.*Created pod: three-/);
    assert.match(described, /Completed\s+.*Job completed/);
  });

  it("fails a Job whose pods keep failing once it passes backoffLimit", async () => {
    await ok(
      ["apply", "-f", "-"],
      jobYaml("doomed", "  backoffLimit: 1", "        simulate.kates.dev/exit-code: '3'"),
    );
    // Two failures (the first retry comes after the 10 s back-off) exceed a limit of one.
    await ok(["wait", "--for=condition=failed", "job/doomed", "--timeout=90s"]);
    const job = await getJob("doomed");
    const failed = condition(job, "Failed");
    assert.equal(failed?.reason, "BackoffLimitExceeded");
    assert.equal(failed?.message, "Job has reached the specified backoff limit");
    assert.equal(job?.status?.failed, 2);
    assert.equal(job?.status?.completionTime, undefined);
    const pods = await jobPods("doomed");
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.status?.phase === "Failed"));
    const described = await ok(["describe", "job", "doomed"]);
    assert.match(described, /Pods Statuses:\s+0 Active \(0 Ready\) \/ 0 Succeeded \/ 2 Failed/);
    assert.match(described, /Warning\s+BackoffLimitExceeded\s+.*Job has reached the specified/);
  });

  it("fails a Job past activeDeadlineSeconds, counting its deleted pods as failed", async () => {
    await ok(
      ["apply", "-f", "-"],
      jobYaml("slow", "  completions: 2\n  parallelism: 2\n  activeDeadlineSeconds: 2").replace(
        "simulate-exit-after: 500ms",
        "simulate-exit-after: 60s",
      ),
    );
    await ok(["wait", "--for=condition=failed", "job/slow", "--timeout=60s"]);
    const job = await getJob("slow");
    assert.equal(condition(job, "Failed")?.reason, "DeadlineExceeded");
    assert.equal(job?.status?.failed, 2);
    assert.equal(job?.status?.active, 0);
    await eventually(async () => (await jobPods("slow")).length === 0, 30_000, "pods deleted");
    const described = await ok(["describe", "job", "slow"]);
    assert.match(described, /SuccessfulDelete\s+.*Deleted pod: slow-/);
    const warnings = described.match(/Warning\s+DeadlineExceeded/g) ?? [];
    assert.equal(warnings.length, 1, described);
    assert.doesNotMatch(described, /DeadlineExceeded\s+.*\(x\d+ over/);
  });

  it("fails a Job at once when a podFailurePolicy FailJob rule matches", async () => {
    const spec = `  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        containerName: work
        operator: In
        values: [42]`;
    await ok(
      ["apply", "-f", "-"],
      jobYaml("fatal", spec, "        simulate.kates.dev/exit-code: '42'"),
    );
    await ok(["wait", "--for=condition=failed", "job/fatal", "--timeout=60s"]);
    const job = await getJob("fatal");
    const failed = condition(job, "Failed");
    assert.equal(failed?.reason, "PodFailurePolicy");
    assert.match(
      failed?.message ?? "",
      /^Container work for pod default\/fatal-\w+ failed with exit code 42 matching FailJob rule at index 0$/,
    );
    assert.equal(job?.status?.failed, 1);
    assert.equal((await jobPods("fatal")).length, 1, "no retry");
  });

  it("gives each pod of an Indexed Job its index", async () => {
    await ok(
      ["apply", "-f", "-"],
      jobYaml("indexed", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed"),
    );
    await ok(["wait", "--for=condition=complete", "job/indexed", "--timeout=60s"]);
    const job = await getJob("indexed");
    assert.equal(job?.status?.completedIndexes, "0-2");
    assert.equal(job?.status?.succeeded, 3);
    const pods = await jobPods("indexed");
    const indexes = pods
      .map((p) => p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"])
      .sort();
    assert.deepEqual(indexes, ["0", "1", "2"]);
    for (const p of pods) {
      const index = p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"];
      assert.match(p.metadata.name, new RegExp(`^indexed-${index}-`));
      assert.equal(p.spec.hostname, `indexed-${index}`);
    }
    const described = await ok(["describe", "job", "indexed"]);
    assert.match(described, /Completion Mode:\s+Indexed/);
    assert.match(described, /Completed Indexes:\s+0-2/);
  });

  it("starts a suspended Job only once it is resumed", async () => {
    await ok(["apply", "-f", "-"], jobYaml("later", "  suspend: true\n  completions: 1"));
    await eventually(
      async () => condition(await getJob("later"), "Suspended")?.reason === "JobSuspended",
      30_000,
      "Suspended condition",
    );
    assert.equal((await jobPods("later")).length, 0);
    assert.equal((await getJob("later"))?.status?.startTime, undefined);
    await ok(["patch", "job", "later", "--type=merge", "-p", '{"spec":{"suspend":false}}']);
    await ok(["wait", "--for=condition=complete", "job/later", "--timeout=60s"]);
    const job = await getJob("later");
    const suspended = job?.status?.conditions?.find((c) => c.type === "Suspended");
    assert.equal(suspended?.status, "False");
    assert.equal(suspended?.reason, "JobResumed");
    const described = await ok(["describe", "job", "later"]);
    assert.match(described, /Suspended\s+.*Job suspended/);
    assert.match(described, /Resumed\s+.*Job resumed/);
  });

  it("adopts an orphan pod its manual selector matches and counts it", async () => {
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: v1
kind: Pod
metadata:
  name: stray
  labels: {app: adopt}
  annotations: {kates.dev/simulate-exit-after: 500ms}
spec:
  restartPolicy: Never
  containers: [{name: work, image: busybox}]
`,
    );
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: batch/v1
kind: Job
metadata:
  name: adopter
spec:
  manualSelector: true
  selector: {matchLabels: {app: adopt}}
  completions: 2
  template:
    metadata:
      labels: {app: adopt}
      annotations: {kates.dev/simulate-exit-after: 500ms}
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox}]
`,
    );
    await ok(["wait", "--for=condition=complete", "job/adopter", "--timeout=60s"]);
    const job = await getJob("adopter");
    assert.equal(job?.status?.succeeded, 2);
    const stray = await api(cluster.url, `/api/v1/namespaces/${NS}/pods/stray`);
    const refs = stray.body.metadata.ownerReferences as { uid: string; controller?: boolean }[];
    assert.deepEqual(
      refs.map((r) => [r.uid, r.controller]),
      [[job?.metadata.uid, true]],
    );
    const selector = encodeURIComponent("app=adopt");
    const all = await api(cluster.url, `/api/v1/namespaces/${NS}/pods?labelSelector=${selector}`);
    assert.equal(all.body.items.length, 2, "one pod created besides the adopted one");
  });

  it("deletes a finished Job and its pods once ttlSecondsAfterFinished has passed", async () => {
    await ok(["apply", "-f", "-"], jobYaml("brief", "  ttlSecondsAfterFinished: 2"));
    await ok(["wait", "--for=condition=complete", "job/brief", "--timeout=60s"]);
    await eventually(async () => (await getJob("brief")) === undefined, 60_000, "Job deleted");
    await eventually(async () => (await jobPods("brief")).length === 0, 60_000, "pods deleted");
  });

  it("creates a Job from a CronJob with kubectl create job --from", async () => {
    await ok(["apply", "-f", "-"], cronJobYaml("manual", "0 0 1 1 *"));
    await ok(["create", "job", "by-hand", "--from=cronjob/manual"]);
    const job = await getJob("by-hand");
    assert.equal(job?.metadata.annotations?.["cronjob.kubernetes.io/instantiate"], "manual");
    const cj = await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/cronjobs/manual`);
    const owner = (job?.metadata as { ownerReferences?: { uid: string; kind: string }[] })
      .ownerReferences?.[0];
    assert.equal(owner?.kind, "CronJob");
    assert.equal(owner?.uid, cj.body.metadata.uid);
    await ok(["wait", "--for=condition=complete", "job/by-hand", "--timeout=60s"]);
    // Not one of its runs: the CronJob reports it, and does not count it as active.
    await eventually(
      async () =>
        (await ok(["get", "events", "--field-selector", "involvedObject.name=manual"])).includes(
          "UnexpectedJob",
        ),
      30_000,
      "UnexpectedJob event",
    );
  });

  it("starts a CronJob's run on its schedule", { timeout: 150_000 }, async () => {
    // kubectl's own generator: restartPolicy OnFailure, containers exiting 0 after a second.
    await ok(["create", "cronjob", "every-minute", "--image=busybox", "--schedule=* * * * *"]);
    // The first run is at the start of the next minute: up to a minute away.
    let runName = "";
    await eventually(
      async () => {
        const r = await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/jobs`);
        const run = (r.body.items as JobView[]).find((j) =>
          j.metadata.name.startsWith("every-minute-"),
        );
        runName = run?.metadata.name ?? "";
        return run !== undefined;
      },
      90_000,
      "the first run's Job",
    );
    const job = await getJob(runName);
    const stamp = job?.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"];
    assert.ok(stamp, "scheduled-timestamp annotation");
    const minutes = Math.floor(Date.parse(stamp) / 60_000);
    assert.equal(runName, `every-minute-${minutes}`);
    assert.equal(Date.parse(stamp) % 60_000, 0);
    await ok(["wait", "--for=condition=complete", `job/${runName}`, "--timeout=60s"]);
    await eventually(
      async () => {
        const cj = await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/cronjobs/every-minute`);
        const status = cj.body.status ?? {};
        return (
          status.lastScheduleTime === stamp &&
          status.lastSuccessfulTime !== undefined &&
          (status.active ?? []).length === 0
        );
      },
      30_000,
      "status: lastScheduleTime, lastSuccessfulTime, no active Job",
    );
    const described = await ok(["describe", "cronjob", "every-minute"]);
    assert.match(described, new RegExp(`SuccessfulCreate\\s+.*Created job ${runName}`));
    assert.match(
      described,
      new RegExp(`SawCompletedJob\\s+.*Saw completed job: ${runName}, condition: Complete`),
    );
    const table = await ok(["get", "cronjob", "every-minute"]);
    assert.match(table, /every-minute\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+\d+s/);
  });
});

describe("CronJob controller with a stepped clock (kubectl, no Job controller)", () => {
  let cluster: TestCluster;
  let manager: ControllerManager;
  const client = { close: () => {} };
  let clock = 0;
  let pokes = 0;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const cronJob = async (): Promise<any> =>
    (await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/cronjobs/step`)).body;
  const jobNames = async (): Promise<string[]> => {
    const r = await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/jobs`);
    return (r.body.items as JobView[]).map((j) => j.metadata.name).sort();
  };
  const runName = (minute: number): string => `step-${minute}`;
  /** Moves the controller's clock to 10 s past `minute` and makes it look again. */
  const at = async (minute: number): Promise<void> => {
    clock = minute * 60_000 + 10_000;
    await ok(["annotate", "cronjob", "step", `poke=${++pokes}`, "--overwrite"]);
  };
  /** Finishes a run's Job through the status subresource, as the Job controller would. */
  const finish = async (name: string, type: "Complete" | "Failed"): Promise<void> => {
    const job = (await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/jobs/${name}`)).body;
    const now = new Date(clock).toISOString().replace(/\.\d+Z$/, "Z");
    job.status = {
      startTime: now,
      ...(type === "Complete" ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
      conditions: [{ type, status: "True", lastTransitionTime: now }],
    };
    const r = await api(cluster.url, `/apis/batch/v1/namespaces/${NS}/jobs/${name}/status`, {
      method: "PUT",
      body: JSON.stringify(job),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const events = async (): Promise<string> =>
    ok([
      "get",
      "events",
      "--field-selector",
      "involvedObject.name=step",
      "-o",
      "custom-columns=R:.reason,M:.message",
    ]);

  before(async () => {
    // Our own controller manager, with only the clocked CronJob controller: it holds the lease.
    cluster = await startCluster();
    const base = Math.floor(Date.now() / 60_000);
    clock = base * 60_000;
    const cmClient = controllerManagerClient(cluster.url);
    client.close = () => cmClient.close();
    manager = new ControllerManager({
      client: cmClient,
      controllers: [
        (ctx) => new CronJobController(ctx, { now: () => clock, localTimeZone: "UTC" }),
      ],
      identity: "stepped-clock",
      retryPeriodMs: 200,
    });
    manager.start();
  });
  after(async () => {
    await manager?.stop();
    client.close();
    await cluster?.close();
  });

  it("keeps history within its limits and applies Forbid and Replace", async () => {
    const start = Math.floor(clock / 60_000);
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: batch/v1
kind: CronJob
metadata:
  name: step
spec:
  schedule: "* * * * *"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 1
  jobTemplate:
    metadata:
      labels: {run: step}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: work, image: busybox}]
`,
    );
    // Five minutes later: only the latest missed run starts.
    await at(start + 5);
    await eventually(async () => (await jobNames()).includes(runName(start + 5)), 20_000, "run 5");
    assert.deepEqual(await jobNames(), [runName(start + 5)]);
    assert.equal((await cronJob()).status.active?.[0]?.name, runName(start + 5));

    // Forbid: the next run waits while the first is active.
    await at(start + 6);
    await eventually(async () => (await events()).includes("JobAlreadyActive"), 20_000, "Forbid");
    assert.deepEqual(await jobNames(), [runName(start + 5)]);

    // Once it completes, the run that waited starts.
    await finish(runName(start + 5), "Complete");
    await eventually(async () => (await jobNames()).includes(runName(start + 6)), 20_000, "run 6");
    await eventually(
      async () => (await cronJob()).status.lastSuccessfulTime !== undefined,
      20_000,
      "lastSuccessfulTime",
    );

    // A second success pushes the first out of a history of one.
    await finish(runName(start + 6), "Complete");
    await at(start + 7);
    await eventually(
      async () => {
        const names = await jobNames();
        return names.includes(runName(start + 7)) && !names.includes(runName(start + 5));
      },
      20_000,
      "run 7 and run 5 deleted",
    );
    const seen = await events();
    assert.match(
      seen,
      new RegExp(
        `SawCompletedJob\\s+Saw completed job: ${runName(start + 5)}, condition: Complete`,
      ),
    );
    assert.match(seen, new RegExp(`SuccessfulDelete\\s+Deleted job ${runName(start + 5)}`));

    // Replace: the running run 7 is deleted when run 8 starts.
    await ok([
      "patch",
      "cronjob",
      "step",
      "--type=merge",
      "-p",
      '{"spec":{"concurrencyPolicy":"Replace"}}',
    ]);
    await at(start + 8);
    await eventually(
      async () => {
        const names = await jobNames();
        return names.includes(runName(start + 8)) && !names.includes(runName(start + 7));
      },
      20_000,
      "run 8 replaces run 7",
    );
    const status = (await cronJob()).status;
    assert.deepEqual(
      status.active.map((r: { name: string }) => r.name),
      [runName(start + 8)],
    );
    assert.equal(
      status.lastScheduleTime,
      new Date((start + 8) * 60_000).toISOString().replace(".000Z", "Z"),
    );

    // Suspended: no further run.
    await ok(["patch", "cronjob", "step", "--type=merge", "-p", '{"spec":{"suspend":true}}']);
    await at(start + 9);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!(await jobNames()).includes(runName(start + 9)));
  });
});
