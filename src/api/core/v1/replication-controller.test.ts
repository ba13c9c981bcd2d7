import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FieldError } from "../../errors.js";
import { podTemplates, type PodTemplate } from "./pod-template.js";
import { replicationControllers, type ReplicationController } from "./replication-controller.js";

const NOW = new Date("2025-01-01T12:00:00Z");
const errorsOf = (list: FieldError[] | undefined): string[] =>
  (list ?? []).map((e) => `${e.type} ${e.field}`);

function rc(spec: NonNullable<ReplicationController["spec"]>): ReplicationController {
  const obj: ReplicationController = { metadata: { name: "web", namespace: "default" }, spec };
  replicationControllers.defaults?.(obj);
  replicationControllers.prepareForCreate?.(obj);
  return obj;
}

const template = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image: "nginx" }] },
};

describe("replicationControllers", () => {
  it("defaults the selector, object labels and replicas from the template, and starts with zero replicas", () => {
    const obj = rc({ template: structuredClone(template) });
    assert.deepEqual(obj.spec?.selector, { app: "web" });
    assert.deepEqual(obj.metadata.labels, { app: "web" });
    assert.equal(obj.spec?.replicas, 1);
    assert.equal(obj.spec?.template?.spec?.restartPolicy, "Always");
    assert.deepEqual(obj.status, { replicas: 0 });
    assert.deepEqual(errorsOf(replicationControllers.validate?.(obj)), []);
  });

  const cases: [
    name: string,
    spec: NonNullable<ReplicationController["spec"]>,
    expected: string[],
  ][] = [
    [
      "refuses a selector that does not match the template",
      { selector: { app: "db" }, template: structuredClone(template) },
      ["FieldValueInvalid spec.template.metadata.labels"],
    ],
    [
      "refuses negative replicas",
      { replicas: -1, template: structuredClone(template) },
      ["FieldValueInvalid spec.replicas"],
    ],
    [
      "requires a restart policy of Always and no deadline",
      {
        template: {
          ...structuredClone(template),
          spec: { ...template.spec, restartPolicy: "OnFailure", activeDeadlineSeconds: 10 },
        },
      },
      [
        "FieldValueNotSupported spec.template.spec.restartPolicy",
        "FieldValueForbidden spec.template.spec.activeDeadlineSeconds",
      ],
    ],
    [
      "requires a template and a selector",
      {},
      ["FieldValueRequired spec.selector", "FieldValueRequired spec.template"],
    ],
    [
      "validates the template's pod spec",
      {
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "Web" }] } },
      },
      [
        "FieldValueInvalid spec.template.spec.containers[0].name",
        "FieldValueRequired spec.template.spec.containers[0].image",
      ],
    ],
  ];
  for (const [name, spec, expected] of cases) {
    it(name, () =>
      assert.deepEqual(errorsOf(replicationControllers.validate?.(rc(spec))), expected),
    );
  }

  it("checks status counts on status updates", () => {
    const obj = rc({ template: structuredClone(template) });
    obj.status = { replicas: 1, readyReplicas: 2, availableReplicas: 3 };
    assert.deepEqual(errorsOf(replicationControllers.validateStatusUpdate?.(obj, obj)), [
      "FieldValueInvalid status.readyReplicas",
      "FieldValueInvalid status.availableReplicas",
      "FieldValueInvalid status.availableReplicas",
    ]);
  });

  it("prints DESIRED CURRENT READY AGE, and CONTAINERS IMAGES SELECTOR with -o wide", () => {
    const obj = rc({ replicas: 3, template: structuredClone(template) });
    obj.metadata.creationTimestamp = "2025-01-01T11:00:00Z";
    obj.status = { replicas: 2, readyReplicas: 1 };
    const columns = replicationControllers.columns;
    assert.deepEqual(
      columns.map((c) => c.name),
      ["Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"],
    );
    assert.deepEqual(
      columns.map((c) => c.cell(obj, NOW)),
      [3, 2, 1, "60m", "web", "nginx", "app=web"],
    );
  });
});

describe("podTemplates", () => {
  it("defaults and validates the template, and prints CONTAINERS IMAGES POD LABELS", () => {
    const pt: PodTemplate = {
      metadata: { name: "t", namespace: "default" },
      template: structuredClone(template),
    };
    podTemplates.defaults?.(pt);
    assert.equal(pt.template?.spec?.dnsPolicy, "ClusterFirst");
    assert.deepEqual(errorsOf(podTemplates.validate?.(pt)), []);
    assert.deepEqual(
      podTemplates.columns.map((c) => [c.name, c.cell(pt, NOW)]),
      [
        ["Containers", "web"],
        ["Images", "nginx"],
        ["Pod Labels", "app=web"],
      ],
    );
  });

  it("requires containers in the template", () => {
    const pt: PodTemplate = { metadata: { name: "t", namespace: "default" } };
    podTemplates.defaults?.(pt);
    assert.deepEqual(errorsOf(podTemplates.validate?.(pt)), [
      "FieldValueRequired template.spec.containers",
    ]);
  });
});
