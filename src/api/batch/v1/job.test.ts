import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { countIndexes } from "./job-spec-validation.js";
import { defaultJob, generateJobSelector, JOB_LABELS, jobs, type Job } from "./job.js";

const now = new Date("2024-05-01T12:00:00Z");
const UID = "0f1e2d3c-aaaa-bbbb-cccc-000000000001";

/** A Job as the server holds it after defaulting and preparing a create. */
function job(mutate: (j: Job) => void = () => {}): Job {
  const j: Job = {
    metadata: {
      name: "pi",
      namespace: "default",
      uid: UID,
      creationTimestamp: "2024-05-01T11:00:00Z",
    },
    spec: {
      template: {
        spec: { containers: [{ name: "pi", image: "perl" }], restartPolicy: "Never" },
      },
    },
  };
  mutate(j);
  defaultJob(j);
  jobs.prepareForCreate?.(j);
  return j;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("jobs.defaults", () => {
  it("fills in upstream's defaults", () => {
    const spec = job().spec;
    assert.deepEqual(
      [
        spec?.completions,
        spec?.parallelism,
        spec?.backoffLimit,
        spec?.completionMode,
        spec?.suspend,
      ],
      [1, 1, 6, "NonIndexed", false],
    );
    assert.equal(spec?.podReplacementPolicy, "TerminatingOrFailed");
    assert.equal(spec?.manualSelector, false);
  });

  it("leaves completions unset when only parallelism is given", () => {
    const spec = job((j) => (j.spec!.parallelism = 3)).spec;
    assert.deepEqual([spec?.completions, spec?.parallelism], [undefined, 3]);
  });

  it("uses the int32 maximum as backoff limit with a per-index limit, and Failed with a failure policy", () => {
    const spec = job((j) => {
      j.spec!.completionMode = "Indexed";
      j.spec!.completions = 3;
      j.spec!.backoffLimitPerIndex = 1;
      j.spec!.podFailurePolicy = {
        rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }],
      };
    }).spec;
    assert.equal(spec?.backoffLimit, 2_147_483_647);
    assert.equal(spec?.podReplacementPolicy, "Failed");
    assert.equal(spec?.podFailurePolicy?.rules?.[0]?.onPodConditions?.[0]?.status, "True");
  });
});

describe("jobs.prepareForCreate", () => {
  it("generates the selector and pod labels from the Job's UID and name", () => {
    const j = job();
    assert.deepEqual(j.spec?.selector, { matchLabels: { [JOB_LABELS.controllerUid]: UID } });
    assert.deepEqual(j.spec?.template?.metadata?.labels, {
      [JOB_LABELS.controllerUid]: UID,
      [JOB_LABELS.jobName]: "pi",
      [JOB_LABELS.legacyControllerUid]: UID,
      [JOB_LABELS.legacyJobName]: "pi",
    });
    // The Job itself shows the template's labels, as upstream's read-back defaulting gives it.
    assert.deepEqual(j.metadata.labels, j.spec?.template?.metadata?.labels);
  });

  it("keeps the client's selector and labels with manualSelector", () => {
    const j = job((x) => {
      x.spec!.manualSelector = true;
      x.spec!.selector = { matchLabels: { app: "pi" } };
      x.spec!.template!.metadata = { labels: { app: "pi" } };
    });
    assert.deepEqual(j.spec?.selector, { matchLabels: { app: "pi" } });
    assert.deepEqual(j.spec?.template?.metadata?.labels, { app: "pi" });
    assert.deepEqual(jobs.validate?.(j), []);
  });

  it("is idempotent", () => {
    const j = job();
    const again = structuredClone(j);
    generateJobSelector(again);
    assert.deepEqual(again, j);
  });
});

describe("jobs.validate", () => {
  it("accepts a prepared Job", () => {
    assert.deepEqual(jobs.validate?.(job()), []);
  });

  const cases: [string, (j: Job) => void, string[]][] = [
    [
      "restartPolicy Always",
      (j) => (j.spec!.template!.spec!.restartPolicy = "Always"),
      ["FieldValueRequired spec.template.spec.restartPolicy"],
    ],
    [
      "negative completions",
      (j) => (j.spec!.completions = -1),
      ["FieldValueInvalid spec.completions"],
    ],
    [
      "negative parallelism",
      (j) => (j.spec!.parallelism = -1),
      ["FieldValueInvalid spec.parallelism"],
    ],
    [
      "a negative backoff limit",
      (j) => (j.spec!.backoffLimit = -1),
      ["FieldValueInvalid spec.backoffLimit"],
    ],
    [
      "Indexed without completions",
      (j) => {
        j.spec!.completionMode = "Indexed";
        delete j.spec!.completions;
      },
      ["FieldValueRequired spec.completions"],
    ],
    [
      "an unknown completion mode",
      (j) => (j.spec!.completionMode = "Sometimes"),
      ["FieldValueNotSupported spec.completionMode"],
    ],
    [
      "a per-index backoff limit without Indexed",
      (j) => (j.spec!.backoffLimitPerIndex = 1),
      ["FieldValueInvalid spec.backoffLimitPerIndex"],
    ],
    [
      "maxFailedIndexes without a per-index limit",
      (j) => {
        j.spec!.completionMode = "Indexed";
        j.spec!.maxFailedIndexes = 1;
      },
      ["FieldValueRequired spec.backoffLimitPerIndex"],
    ],
    [
      "a pod failure policy with OnFailure",
      (j) => {
        j.spec!.template!.spec!.restartPolicy = "OnFailure";
        j.spec!.podReplacementPolicy = "Failed";
        j.spec!.podFailurePolicy = {
          rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [1] } }],
        };
      },
      ["FieldValueInvalid spec.template.spec.restartPolicy"],
    ],
    [
      "a failure rule with an unordered, duplicated and zero exit code for an unknown container",
      (j) => {
        j.spec!.podReplacementPolicy = "Failed";
        j.spec!.podFailurePolicy = {
          rules: [
            {
              action: "FailJob",
              onExitCodes: { containerName: "other", operator: "In", values: [3, 0, 3] },
            },
          ],
        };
      },
      [
        "FieldValueInvalid spec.podFailurePolicy.rules[0].onExitCodes.containerName",
        "FieldValueInvalid spec.podFailurePolicy.rules[0].onExitCodes.values[1]",
        "FieldValueDuplicate spec.podFailurePolicy.rules[0].onExitCodes.values[2]",
        "FieldValueInvalid spec.podFailurePolicy.rules[0].onExitCodes.values",
      ],
    ],
    [
      "a failure rule with neither exit codes nor conditions",
      (j) => {
        j.spec!.podReplacementPolicy = "Failed";
        j.spec!.podFailurePolicy = { rules: [{ action: "Count" }] };
      },
      ["FieldValueInvalid spec.podFailurePolicy.rules[0]"],
    ],
    [
      "a replacement policy other than Failed with a failure policy",
      (j) => {
        j.spec!.podReplacementPolicy = "TerminatingOrFailed";
        j.spec!.podFailurePolicy = {
          rules: [
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          ],
        };
      },
      ["FieldValueNotSupported spec.podReplacementPolicy"],
    ],
    [
      "a success policy on a NonIndexed Job",
      (j) => (j.spec!.successPolicy = { rules: [{ succeededCount: 1 }] }),
      ["FieldValueInvalid spec.successPolicy"],
    ],
    [
      "a success rule with indexes beyond completions",
      (j) => {
        j.spec!.completionMode = "Indexed";
        j.spec!.completions = 3;
        j.spec!.successPolicy = { rules: [{ succeededIndexes: "0-5" }] };
      },
      ["FieldValueInvalid spec.successPolicy.rules[0].succeededIndexes"],
    ],
    [
      "a managedBy that is not a domain-prefixed path",
      (j) => (j.spec!.managedBy = "kueue"),
      ["FieldValueInvalid spec.managedBy"],
    ],
    [
      "a selector that was not generated",
      (j) => (j.spec!.selector = { matchLabels: { [JOB_LABELS.controllerUid]: "someone-else" } }),
      ["FieldValueInvalid spec.selector", "FieldValueInvalid spec.template.metadata.labels"],
    ],
    [
      "a template label that contradicts the generated one",
      (j) => (j.spec!.template!.metadata!.labels![JOB_LABELS.jobName] = "other"),
      ["FieldValueInvalid spec.template.metadata.labels[batch.kubernetes.io/job-name]"],
    ],
    [
      "an Indexed Job whose last pod name is no DNS label",
      (j) => {
        j.metadata.name = `${"x".repeat(60)}`;
        j.spec!.template!.metadata!.labels![JOB_LABELS.jobName] = j.metadata.name;
        j.spec!.template!.metadata!.labels![JOB_LABELS.legacyJobName] = j.metadata.name;
        j.spec!.completionMode = "Indexed";
        j.spec!.completions = 1000;
      },
      ["FieldValueInvalid metadata.name"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const j = job();
      mutate(j);
      assert.deepEqual(summary(jobs.validate?.(j)), want);
    });
  }

  it("needs the Job's UID to generate a selector", () => {
    const j = job((x) => delete x.metadata.uid);
    assert.ok(summary(jobs.validate?.(j)).includes("FieldValueRequired metadata.uid"));
  });
});

describe("jobs.validateUpdate", () => {
  const cases: [string, (j: Job) => void, string[]][] = [
    ["parallelism", (j) => (j.spec!.parallelism = 5), []],
    ["suspend", (j) => (j.spec!.suspend = true), []],
    ["completions", (j) => (j.spec!.completions = 2), ["FieldValueInvalid spec.completions"]],
    [
      "the selector",
      (j) => (j.spec!.selector = { matchLabels: { a: "b" } }),
      ["FieldValueInvalid spec.selector"],
    ],
    [
      "the template",
      (j) => (j.spec!.template!.spec!.containers![0]!.image = "perl:5"),
      ["FieldValueInvalid spec.template"],
    ],
    [
      "the completion mode",
      (j) => (j.spec!.completionMode = "Indexed"),
      ["FieldValueInvalid spec.completionMode"],
    ],
    [
      "managedBy",
      (j) => (j.spec!.managedBy = "example.com/ctl"),
      ["FieldValueInvalid spec.managedBy"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`${want.length ? "refuses" : "allows"} changing ${what}`, () => {
      const old = job();
      const next = structuredClone(old);
      mutate(next);
      assert.deepEqual(summary(jobs.validateUpdate?.(next, old)), want);
    });
  }

  it("lets an Indexed Job change completions together with parallelism", () => {
    const old = job((j) => {
      j.spec!.completionMode = "Indexed";
      j.spec!.completions = 3;
      j.spec!.parallelism = 3;
    });
    const next = structuredClone(old);
    next.spec!.completions = 5;
    next.spec!.parallelism = 5;
    assert.deepEqual(jobs.validateUpdate?.(next, old), []);
    next.spec!.parallelism = 4;
    assert.deepEqual(summary(jobs.validateUpdate?.(next, old)), [
      "FieldValueInvalid spec.completions",
    ]);
  });

  it("lets a suspended Job that never started change its scheduling directives only", () => {
    const old = job((j) => (j.spec!.suspend = true));
    const next = structuredClone(old);
    next.spec!.template!.spec!.nodeSelector = { zone: "a" };
    next.spec!.template!.spec!.tolerations = [{ key: "gpu", operator: "Exists" }];
    next.spec!.template!.metadata!.annotations = { note: "moved" };
    assert.deepEqual(jobs.validateUpdate?.(next, old), []);

    next.spec!.template!.spec!.containers![0]!.image = "perl:5";
    assert.deepEqual(summary(jobs.validateUpdate?.(next, old)), [
      "FieldValueInvalid spec.template",
    ]);

    const started = structuredClone(old);
    started.status = { startTime: "2024-05-01T11:00:00Z" };
    const moved = structuredClone(started);
    moved.spec!.template!.spec!.nodeSelector = { zone: "b" };
    assert.deepEqual(summary(jobs.validateUpdate?.(moved, started)), [
      "FieldValueInvalid spec.template",
    ]);
  });
});

describe("jobs.validateStatusUpdate", () => {
  it("refuses negative counts and duplicate uncounted pods", () => {
    const j = job(
      (x) =>
        (x.status = {
          active: -1,
          uncountedTerminatedPods: { succeeded: ["a"], failed: ["a", ""] },
        }),
    );
    assert.deepEqual(summary(jobs.validateStatusUpdate?.(j, j)), [
      "FieldValueInvalid status.active",
      "FieldValueDuplicate status.uncountedTerminatedPods.failed[0]",
      "FieldValueInvalid status.uncountedTerminatedPods.failed[1]",
    ]);
  });
});

describe("countIndexes()", () => {
  const cases: [string, number, number | RegExp][] = [
    ["", 5, 0],
    ["0", 5, 1],
    ["1,3-4", 5, 3],
    ["0-4", 5, 5],
    ["5", 5, /too large index/],
    ["3,1", 5, /must increase/],
    ["1-2-3", 5, /more than two parts/],
    ["a", 5, /not an integer/],
  ];
  for (const [text, completions, want] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      const got = countIndexes(text, completions);
      if (typeof want === "number") assert.equal(got, want);
      else assert.match(String(got), want);
    });
  }
});

describe("jobs columns", () => {
  const cell = (j: Job, name: string): unknown =>
    (jobs.columns as TableColumn<Job>[]).find((c) => c.name === name)?.cell(j, now);

  it("lists STATUS COMPLETIONS DURATION AGE, then the wide columns", () => {
    assert.deepEqual(
      (jobs.columns as TableColumn<Job>[]).map((c) => `${c.name}:${c.priority}`),
      [
        "Status:0",
        "Completions:0",
        "Duration:0",
        "Age:0",
        "Containers:1",
        "Images:1",
        "Selector:1",
      ],
    );
    assert.equal(cell(job(), "Selector"), `${JOB_LABELS.controllerUid}=${UID}`);
  });

  const statuses: [string, (j: Job) => void, string][] = [
    ["a new Job", () => {}, "Running"],
    [
      "a complete Job",
      (j) => (j.status = { conditions: [{ type: "Complete", status: "True" }] }),
      "Complete",
    ],
    [
      "a failed Job",
      (j) => (j.status = { conditions: [{ type: "Failed", status: "True" }] }),
      "Failed",
    ],
    [
      "a suspended Job",
      (j) => (j.status = { conditions: [{ type: "Suspended", status: "True" }] }),
      "Suspended",
    ],
    [
      "a Job being deleted",
      (j) => (j.metadata.deletionTimestamp = "2024-05-01T12:00:00Z"),
      "Terminating",
    ],
    [
      "a Job about to fail",
      (j) => (j.status = { conditions: [{ type: "FailureTarget", status: "True" }] }),
      "FailureTarget",
    ],
  ];
  for (const [what, mutate, want] of statuses) {
    it(`shows ${want} for ${what}`, () => {
      const j = job();
      mutate(j);
      assert.equal(cell(j, "Status"), want);
    });
  }

  it("shows completions and duration as kubectl does", () => {
    const running = job((j) => (j.status = { succeeded: 0, startTime: "2024-05-01T11:59:30Z" }));
    assert.deepEqual([cell(running, "Completions"), cell(running, "Duration")], ["0/1", "30s"]);

    const done = job(
      (j) =>
        (j.status = {
          succeeded: 1,
          startTime: "2024-05-01T11:00:00Z",
          completionTime: "2024-05-01T11:05:00Z",
        }),
    );
    assert.deepEqual([cell(done, "Completions"), cell(done, "Duration")], ["1/1", "5m"]);

    const workQueue = job((j) => (j.spec!.parallelism = 3));
    assert.deepEqual(
      [cell(workQueue, "Completions"), cell(workQueue, "Duration")],
      ["0/1 of 3", ""],
    );
  });
});
