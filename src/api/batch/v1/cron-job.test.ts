import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { cronJobs, defaultCronJob, type CronJob } from "./cron-job.js";

const now = new Date("2024-05-01T12:00:00Z");

function cronJob(mutate: (cj: CronJob) => void = () => {}): CronJob {
  const cj: CronJob = {
    metadata: { name: "backup", namespace: "default", creationTimestamp: "2024-04-01T12:00:00Z" },
    spec: {
      schedule: "0 3 * * *",
      jobTemplate: {
        spec: {
          template: {
            spec: {
              containers: [{ name: "backup", image: "backup:1" }],
              restartPolicy: "OnFailure",
            },
          },
        },
      },
    },
  };
  mutate(cj);
  defaultCronJob(cj);
  return cj;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("cronJobs.defaults", () => {
  it("fills in Allow, not suspended, and history limits of 3 and 1", () => {
    const spec = cronJob().spec;
    assert.deepEqual(
      [
        spec?.concurrencyPolicy,
        spec?.suspend,
        spec?.successfulJobsHistoryLimit,
        spec?.failedJobsHistoryLimit,
      ],
      ["Allow", false, 3, 1],
    );
  });

  it("defaults the pod template but not the Job-level fields of the job template", () => {
    const jobSpec = cronJob().spec?.jobTemplate?.spec;
    assert.equal(jobSpec?.template?.spec?.dnsPolicy, "ClusterFirst");
    assert.deepEqual(
      [jobSpec?.backoffLimit, jobSpec?.completions, jobSpec?.selector],
      [undefined, undefined, undefined],
    );
  });
});

describe("cronJobs.validate", () => {
  it("accepts a defaulted CronJob", () => {
    assert.deepEqual(cronJobs.validate?.(cronJob()), []);
  });

  const cases: [string, (cj: CronJob) => void, string[]][] = [
    ["a missing schedule", (cj) => delete cj.spec!.schedule, ["FieldValueRequired spec.schedule"]],
    [
      "a schedule of four fields",
      (cj) => (cj.spec!.schedule = "0 3 * *"),
      ["FieldValueInvalid spec.schedule"],
    ],
    [
      "a minute out of range",
      (cj) => (cj.spec!.schedule = "61 * * * *"),
      ["FieldValueInvalid spec.schedule"],
    ],
    [
      "a zone in the schedule",
      (cj) => (cj.spec!.schedule = "CRON_TZ=UTC 0 3 * * *"),
      ["FieldValueInvalid spec.schedule"],
    ],
    [
      "an unknown time zone",
      (cj) => (cj.spec!.timeZone = "Mars/Olympus"),
      ["FieldValueInvalid spec.timeZone"],
    ],
    ["an empty time zone", (cj) => (cj.spec!.timeZone = ""), ["FieldValueInvalid spec.timeZone"]],
    [
      "the Local time zone",
      (cj) => (cj.spec!.timeZone = "Local"),
      ["FieldValueInvalid spec.timeZone"],
    ],
    [
      "an unknown concurrency policy",
      (cj) => (cj.spec!.concurrencyPolicy = "Sometimes"),
      ["FieldValueNotSupported spec.concurrencyPolicy"],
    ],
    [
      "a negative deadline",
      (cj) => (cj.spec!.startingDeadlineSeconds = -5),
      ["FieldValueInvalid spec.startingDeadlineSeconds"],
    ],
    [
      "a negative history limit",
      (cj) => (cj.spec!.failedJobsHistoryLimit = -1),
      ["FieldValueInvalid spec.failedJobsHistoryLimit"],
    ],
    [
      "a selector in the job template",
      (cj) => (cj.spec!.jobTemplate!.spec!.selector = { matchLabels: { a: "b" } }),
      ["FieldValueInvalid spec.jobTemplate.spec.selector"],
    ],
    [
      "a manual selector in the job template",
      (cj) => (cj.spec!.jobTemplate!.spec!.manualSelector = true),
      ["FieldValueNotSupported spec.jobTemplate.spec.manualSelector"],
    ],
    [
      "restartPolicy Always in the job template",
      (cj) => (cj.spec!.jobTemplate!.spec!.template!.spec!.restartPolicy = "Always"),
      ["FieldValueRequired spec.jobTemplate.spec.template.spec.restartPolicy"],
    ],
    [
      "a name over 52 characters",
      (cj) => (cj.metadata.name = "b".repeat(53)),
      ["FieldValueInvalid metadata.name"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const cj = cronJob();
      mutate(cj);
      assert.deepEqual(summary(cronJobs.validate?.(cj)), want);
    });
  }

  const schedules = ["*/5 * * * *", "@hourly", "@every 90m", "0 9 * * MON-FRI", "0 0 1 jan,jul ?"];
  for (const schedule of schedules) {
    it(`accepts the schedule ${JSON.stringify(schedule)}`, () => {
      assert.deepEqual(cronJobs.validate?.(cronJob((cj) => (cj.spec!.schedule = schedule))), []);
    });
  }

  it("accepts an IANA time zone", () => {
    assert.deepEqual(
      cronJobs.validate?.(cronJob((cj) => (cj.spec!.timeZone = "Europe/Berlin"))),
      [],
    );
  });
});

describe("cronJobs columns", () => {
  it("shows SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE and the wide columns", () => {
    const cj = cronJob((x) => {
      x.spec!.timeZone = "Europe/Berlin";
      x.status = { active: [{ name: "backup-1" }], lastScheduleTime: "2024-05-01T11:55:00Z" };
    });
    const columns = cronJobs.columns as TableColumn<CronJob>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.priority, c.cell(cj, now)]),
      [
        ["Schedule", 0, "0 3 * * *"],
        ["Timezone", 0, "Europe/Berlin"],
        ["Suspend", 0, "False"],
        ["Active", 0, 1],
        ["Last Schedule", 0, "5m"],
        ["Age", 0, "30d"],
        ["Containers", 1, "backup"],
        ["Images", 1, "backup:1"],
        ["Selector", 1, "<none>"],
      ],
    );
  });

  it("shows <none> for an unset time zone and a CronJob that never ran", () => {
    const cells = (cronJobs.columns as TableColumn<CronJob>[]).map((c) => c.cell(cronJob(), now));
    assert.deepEqual([cells[1], cells[3], cells[4]], ["<none>", 0, "<none>"]);
  });
});
