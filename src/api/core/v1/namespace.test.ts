import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { namespaces, type Namespace } from "./namespace.js";
import {
  cells,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  summarize,
} from "./strategy-harness.js";

const def = namespaces as ResourceDefinition;

function ns(name: string, extra: Partial<Namespace> = {}): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name }, ...extra };
}

describe("Namespace create", () => {
  it("starts Active with the kubernetes finalizer and the name label", () => {
    const { obj, errors } = simulateCreate(def, ns("team-a", { status: { phase: "Terminating" } }));
    assert.deepEqual(errors, []);
    assert.deepEqual(obj["status"], { phase: "Active" });
    assert.deepEqual(obj["spec"], { finalizers: ["kubernetes"] });
    assert.equal(obj.metadata.labels?.["kubernetes.io/metadata.name"], "team-a");
  });

  it("keeps finalizers the client sets and overrides a wrong name label", () => {
    const input = ns("team-a", { spec: { finalizers: ["example.com/cleanup"] } });
    input.metadata.labels = { "kubernetes.io/metadata.name": "other" };
    const { obj } = simulateCreate(def, input);
    assert.deepEqual(obj["spec"], { finalizers: ["example.com/cleanup", "kubernetes"] });
    assert.equal(obj.metadata.labels?.["kubernetes.io/metadata.name"], "team-a");
  });

  const cases: { name: string; input: Namespace; want: string[] }[] = [
    { name: "a DNS-1123 label", input: ns("kube-system"), want: [] },
    { name: "a name with dots", input: ns("a.b"), want: ["FieldValueInvalid metadata.name"] },
    { name: "an upper-case name", input: ns("Team"), want: ["FieldValueInvalid metadata.name"] },
    {
      name: "an unqualified unknown finalizer",
      input: ns("a", { spec: { finalizers: ["cleanup"] } }),
      want: ["FieldValueInvalid spec.finalizers[0]"],
    },
    {
      name: "a standard finalizer",
      input: ns("a", { spec: { finalizers: ["orphan"] } }),
      want: [],
    },
  ];
  for (const c of cases) {
    it(`validates ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, c.input).errors), c.want);
    });
  }
});

describe("Namespace update", () => {
  it("keeps spec.finalizers and status from the stored object", () => {
    const old = simulateCreate(def, ns("a")).obj as Namespace;
    const { obj, errors } = simulateUpdate(
      def,
      ns("a", { spec: { finalizers: [] }, status: { phase: "Terminating" } }),
      old,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj["spec"], { finalizers: ["kubernetes"] });
    assert.deepEqual(obj["status"], { phase: "Active" });
  });

  const statusCases: { name: string; deleting: boolean; phase: string; want: string[] }[] = [
    { name: "Active while not deleted", deleting: false, phase: "Active", want: [] },
    {
      name: "Terminating while not deleted",
      deleting: false,
      phase: "Terminating",
      want: ["FieldValueInvalid status.phase"],
    },
    {
      name: "Active while deleted",
      deleting: true,
      phase: "Active",
      want: ["FieldValueInvalid status.phase"],
    },
    { name: "Terminating while deleted", deleting: true, phase: "Terminating", want: [] },
    {
      name: "an unknown phase",
      deleting: false,
      phase: "Gone",
      want: ["FieldValueNotSupported status.phase"],
    },
  ];
  for (const c of statusCases) {
    it(`status writes accept only matching phases: ${c.name}`, () => {
      const old = simulateCreate(def, ns("a")).obj as Namespace;
      if (c.deleting) old.metadata.deletionTimestamp = "2024-01-01T00:00:00Z";
      const input = ns("a", { status: { phase: c.phase as "Active" } });
      assert.deepEqual(summarize(simulateStatusUpdate(def, input, old).errors), c.want);
    });
  }
});

describe("Namespace deletion", () => {
  it("defers deletion while spec finalizers remain and marks the namespace Terminating", () => {
    const obj = simulateCreate(def, ns("a")).obj as Namespace;
    assert.equal(def.deferDeletion?.(obj), true);
    assert.equal(obj.status?.phase, "Active", "deferDeletion changes nothing");
    def.prepareForDeletion?.(obj);
    assert.equal(obj.status?.phase, "Terminating");
    obj.spec = { finalizers: [] };
    assert.equal(def.deferDeletion?.(obj), false);
  });
});

describe("Namespace table and field selectors", () => {
  it("shows STATUS and AGE", () => {
    const obj = ns("a", { status: { phase: "Active" } });
    obj.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
    assert.deepEqual(cells(def, obj, new Date("2024-01-01T00:05:00Z")), {
      Status: "Active",
      Age: "5m",
    });
  });

  it("selects on status.phase", () => {
    assert.equal(
      def.fieldSelectors?.["status.phase"]?.(ns("a", { status: { phase: "Terminating" } })),
      "Terminating",
    );
  });
});
