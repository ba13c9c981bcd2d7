import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { defaultDeployment, deployments, type Deployment } from "./deployment.js";

const now = new Date("2024-05-01T12:00:00Z");

function deployment(mutate: (d: Deployment) => void = () => {}): Deployment {
  const d: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", creationTimestamp: "2024-05-01T11:00:00Z" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
      },
    },
  };
  mutate(d);
  defaultDeployment(d);
  return d;
}

/** Errors as `type field` strings, which is what these tests compare. */
function summary(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.type} ${e.field}`);
}

function cells(d: Deployment): Record<string, unknown> {
  const columns = deployments.columns as TableColumn<Deployment>[];
  return Object.fromEntries(columns.map((c) => [c.name, c.cell(d, now)]));
}

describe("deployments.defaults", () => {
  it("fills in one replica, a 25% rolling update, 10 revisions and a 600 s deadline", () => {
    const spec = deployment().spec;
    assert.equal(spec?.replicas, 1);
    assert.deepEqual(spec?.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
    });
    assert.equal(spec?.revisionHistoryLimit, 10);
    assert.equal(spec?.progressDeadlineSeconds, 600);
    assert.equal(spec?.template?.spec?.restartPolicy, "Always");
  });

  it("keeps what the client set and adds no rolling update to Recreate", () => {
    const spec = deployment((d) => {
      d.spec = { ...d.spec, replicas: 0, strategy: { type: "Recreate" }, revisionHistoryLimit: 0 };
    }).spec;
    assert.equal(spec?.replicas, 0);
    assert.deepEqual(spec?.strategy, { type: "Recreate" });
    assert.equal(spec?.revisionHistoryLimit, 0);
  });

  it("is idempotent", () => {
    const once = deployment();
    const twice = structuredClone(once);
    defaultDeployment(twice);
    assert.deepEqual(twice, once);
  });
});

describe("deployments.validate", () => {
  it("accepts a defaulted deployment", () => {
    assert.deepEqual(deployments.validate?.(deployment()), []);
  });

  const cases: [string, (d: Deployment) => void, string[]][] = [
    ["negative replicas", (d) => (d.spec!.replicas = -1), ["FieldValueInvalid spec.replicas"]],
    [
      "a missing selector",
      (d) => delete d.spec!.selector,
      ["FieldValueRequired spec.selector", "FieldValueInvalid spec.template.metadata.labels"],
    ],
    ["an empty selector", (d) => (d.spec!.selector = {}), ["FieldValueInvalid spec.selector"]],
    [
      "a selector that does not match the template",
      (d) => (d.spec!.selector = { matchLabels: { app: "api" } }),
      ["FieldValueInvalid spec.template.metadata.labels"],
    ],
    [
      "restartPolicy Never",
      (d) => (d.spec!.template!.spec!.restartPolicy = "Never"),
      ["FieldValueNotSupported spec.template.spec.restartPolicy"],
    ],
    [
      "an active deadline",
      (d) => (d.spec!.template!.spec!.activeDeadlineSeconds = 10),
      ["FieldValueForbidden spec.template.spec.activeDeadlineSeconds"],
    ],
    [
      "maxSurge and maxUnavailable both zero",
      (d) =>
        (d.spec!.strategy = {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" },
        }),
      ["FieldValueInvalid spec.strategy.rollingUpdate.maxUnavailable"],
    ],
    [
      "a malformed percentage",
      (d) =>
        (d.spec!.strategy = {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: "25", maxUnavailable: 1 },
        }),
      ["FieldValueInvalid spec.strategy.rollingUpdate.maxSurge"],
    ],
    [
      "maxUnavailable over 100%",
      (d) =>
        (d.spec!.strategy = {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: 1, maxUnavailable: "150%" },
        }),
      ["FieldValueInvalid spec.strategy.rollingUpdate.maxUnavailable"],
    ],
    [
      "a rolling update with Recreate",
      (d) => (d.spec!.strategy = { type: "Recreate", rollingUpdate: { maxSurge: 1 } }),
      ["FieldValueForbidden spec.strategy.rollingUpdate"],
    ],
    [
      "an unknown strategy",
      (d) => (d.spec!.strategy = { type: "Blue" }),
      ["FieldValueNotSupported spec.strategy"],
    ],
    [
      "a deadline not above minReadySeconds",
      (d) => Object.assign(d.spec!, { minReadySeconds: 30, progressDeadlineSeconds: 30 }),
      ["FieldValueInvalid spec.progressDeadlineSeconds"],
    ],
    [
      "a container without an image",
      (d) => delete d.spec!.template!.spec!.containers![0]!.image,
      ["FieldValueRequired spec.template.spec.containers[0].image"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const d = deployment();
      mutate(d);
      assert.deepEqual(summary(deployments.validate?.(d) ?? []), want);
    });
  }
});

describe("deployments.validateUpdate", () => {
  it("refuses a changed selector", () => {
    const old = deployment();
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: "web", tier: "front" } };
    next.spec!.template!.metadata!.labels = { app: "web", tier: "front" };
    assert.deepEqual(summary(deployments.validateUpdate?.(next, old) ?? []), [
      "FieldValueInvalid spec.selector",
    ]);
  });

  it("allows scaling and a new image", () => {
    const old = deployment();
    const next = structuredClone(old);
    next.spec!.replicas = 5;
    next.spec!.template!.spec!.containers![0]!.image = "nginx:1.26";
    assert.deepEqual(deployments.validateUpdate?.(next, old), []);
  });

  it("counts an annotation change as a new generation", () => {
    const old = deployment((d) => (d.metadata.generation = 3));
    const next = structuredClone(old);
    next.metadata.annotations = { note: "x" };
    deployments.prepareForUpdate?.(next, old);
    assert.equal(next.metadata.generation, 4);
  });
});

describe("deployments.validateStatusUpdate", () => {
  it("refuses counts above replicas and a decremented collision count", () => {
    const old = deployment((d) => (d.status = { replicas: 2, collisionCount: 2 }));
    const next = structuredClone(old);
    next.status = { replicas: 2, readyReplicas: 3, availableReplicas: 1, collisionCount: 1 };
    assert.deepEqual(summary(deployments.validateStatusUpdate?.(next, old) ?? []), [
      "FieldValueInvalid status.readyReplicas",
      "FieldValueInvalid status.collisionCount",
    ]);
  });
});

describe("deployments columns", () => {
  it("shows READY UP-TO-DATE AVAILABLE AGE and the wide columns", () => {
    const d = deployment((x) => {
      x.spec!.replicas = 3;
      x.spec!.selector = {
        matchLabels: { app: "web" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }],
      };
      x.spec!.template!.metadata!.labels = { app: "web", tier: "a" };
      x.spec!.template!.spec!.containers!.push({ name: "sidecar", image: "busybox" });
      x.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    });
    assert.deepEqual(cells(d), {
      Ready: "2/3",
      "Up-to-date": 3,
      Available: 2,
      Age: "60m",
      Containers: "nginx,sidecar",
      Images: "nginx:1.25,busybox",
      Selector: "app=web,tier in (a,b)",
    });
  });

  it("shows zeros for a deployment without status", () => {
    assert.deepEqual([cells(deployment()).Ready, cells(deployment()).Available], ["0/1", 0]);
  });

  it("describes the kind to discovery as upstream does", () => {
    assert.deepEqual(
      [
        deployments.shortNames,
        deployments.categories,
        deployments.statusSubresource,
        deployments.scale?.labelSelectorPath,
      ],
      [["deploy"], ["all"], true, "status.selector"],
    );
  });
});
