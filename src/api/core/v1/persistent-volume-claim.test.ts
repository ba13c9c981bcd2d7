import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import {
  persistentVolumeClaims,
  type PersistentVolumeClaim,
  type PersistentVolumeClaimSpecShape,
} from "./persistent-volume-claim.js";
import {
  cells,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  summarize,
} from "./strategy-harness.js";

const def = persistentVolumeClaims as ResourceDefinition;

function pvc(
  spec: PersistentVolumeClaimSpecShape,
  extra: Partial<PersistentVolumeClaim> = {},
): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data", namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec,
    ...extra,
  };
}

const base: PersistentVolumeClaimSpecShape = {
  accessModes: ["ReadWriteOnce"],
  resources: { requests: { storage: "1Gi" } },
};

describe("PersistentVolumeClaim create", () => {
  it("defaults the volume mode and starts Pending", () => {
    const { obj, errors } = simulateCreate(def, pvc(base, { status: { phase: "Bound" } }));
    assert.deepEqual(errors, []);
    const out = obj as PersistentVolumeClaim;
    assert.equal(out.spec?.volumeMode, "Filesystem");
    assert.deepEqual(out.status, { phase: "Pending" });
  });

  it("fills dataSourceRef from dataSource and the other way round", () => {
    const source = { kind: "PersistentVolumeClaim", name: "origin" };
    const a = simulateCreate(def, pvc({ ...base, dataSource: source }))
      .obj as PersistentVolumeClaim;
    assert.deepEqual(a.spec?.dataSourceRef, source);
    const b = simulateCreate(def, pvc({ ...base, dataSourceRef: source }))
      .obj as PersistentVolumeClaim;
    assert.deepEqual(b.spec?.dataSource, source);
    const crossNamespace = { ...source, namespace: "other" };
    const c = simulateCreate(def, pvc({ ...base, dataSourceRef: crossNamespace }))
      .obj as PersistentVolumeClaim;
    assert.equal(c.spec?.dataSource, undefined);
  });

  const cases: { name: string; spec: PersistentVolumeClaimSpecShape; want: string[] }[] = [
    { name: "a plain claim", spec: base, want: [] },
    {
      name: "no access modes",
      spec: { ...base, accessModes: [] },
      want: ["FieldValueRequired spec.accessModes"],
    },
    {
      name: "no storage request",
      spec: { ...base, resources: { requests: {} } },
      want: ["FieldValueRequired spec.resources[storage]"],
    },
    {
      name: "a zero request",
      spec: { ...base, resources: { requests: { storage: "0Gi" } } },
      want: ["FieldValueInvalid spec.resources[storage]"],
    },
    {
      name: "a bad selector",
      spec: { ...base, selector: { matchExpressions: [{ key: "tier", operator: "In" }] } },
      want: ["FieldValueRequired spec.selector.matchExpressions[0].values"],
    },
    {
      name: "a bad storage class",
      spec: { ...base, storageClassName: "UPPER" },
      want: ["FieldValueInvalid spec.storageClassName"],
    },
    {
      name: "an empty storage class (no dynamic provisioning)",
      spec: { ...base, storageClassName: "" },
      want: [],
    },
    {
      name: "a core data source of another kind",
      spec: { ...base, dataSource: { kind: "Secret", name: "x" } },
      want: ["FieldValueInvalid spec.dataSource", "FieldValueInvalid spec.dataSourceRef"],
    },
    {
      name: "mismatched data sources",
      spec: {
        ...base,
        dataSource: { kind: "PersistentVolumeClaim", name: "a" },
        dataSourceRef: { kind: "PersistentVolumeClaim", name: "b" },
      },
      want: ["FieldValueInvalid spec"],
    },
    {
      name: "a snapshot data source",
      spec: {
        ...base,
        dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "snap" },
      },
      want: [],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, pvc(c.spec)).errors), c.want);
    });
  }
});

describe("PersistentVolumeClaim update", () => {
  const stored = (spec: PersistentVolumeClaimSpecShape, phase: string, capacity?: string) => {
    const obj = simulateCreate(def, pvc(spec)).obj as PersistentVolumeClaim;
    obj.status = { phase, ...(capacity ? { capacity: { storage: capacity } } : {}) };
    return obj;
  };
  const cases: {
    name: string;
    old: PersistentVolumeClaim;
    next: PersistentVolumeClaimSpecShape;
    want: string[];
  }[] = [
    {
      name: "binding to a volume",
      old: stored(base, "Pending"),
      next: { ...base, volumeName: "pv-1" },
      want: [],
    },
    {
      name: "rebinding to another volume",
      old: stored({ ...base, volumeName: "pv-1" }, "Bound"),
      next: { ...base, volumeName: "pv-2" },
      want: ["FieldValueForbidden spec"],
    },
    {
      name: "growing a bound claim",
      old: stored({ ...base, volumeName: "pv-1" }, "Bound", "1Gi"),
      next: { ...base, volumeName: "pv-1", resources: { requests: { storage: "2Gi" } } },
      want: [],
    },
    {
      name: "growing a pending claim",
      old: stored(base, "Pending"),
      next: { ...base, resources: { requests: { storage: "2Gi" } } },
      want: ["FieldValueForbidden spec"],
    },
    {
      name: "shrinking below the capacity",
      old: stored(
        { ...base, volumeName: "pv-1", resources: { requests: { storage: "2Gi" } } },
        "Bound",
        "2Gi",
      ),
      next: { ...base, volumeName: "pv-1", resources: { requests: { storage: "1Gi" } } },
      want: ["FieldValueForbidden spec.resources.requests.storage"],
    },
    {
      name: "shrinking back to above the capacity after a failed expansion",
      old: stored(
        { ...base, volumeName: "pv-1", resources: { requests: { storage: "4Gi" } } },
        "Bound",
        "1Gi",
      ),
      next: { ...base, volumeName: "pv-1", resources: { requests: { storage: "2Gi" } } },
      want: [],
    },
    {
      name: "changing access modes",
      old: stored(base, "Pending"),
      next: { ...base, accessModes: ["ReadWriteMany"] },
      want: ["FieldValueForbidden spec"],
    },
    {
      name: "setting a storage class on a claim that had none",
      old: stored(base, "Pending"),
      next: { ...base, storageClassName: "standard" },
      want: [],
    },
    {
      name: "changing the storage class",
      old: stored({ ...base, storageClassName: "standard" }, "Pending"),
      next: { ...base, storageClassName: "fast" },
      want: ["FieldValueForbidden spec"],
    },
    {
      name: "changing the volume mode",
      old: stored(base, "Pending"),
      next: { ...base, volumeMode: "Block" },
      want: ["FieldValueForbidden spec", "FieldValueInvalid volumeMode"],
    },
  ];
  for (const c of cases) {
    it(`update: ${c.name}`, () => {
      assert.deepEqual(summarize(simulateUpdate(def, pvc(c.next), c.old).errors), c.want);
    });
  }

  it("checks status writes", () => {
    const old = stored(base, "Pending");
    const input = pvc(base, {
      status: { phase: "Bound", capacity: { storage: "-1" }, accessModes: ["Shared"] },
    });
    assert.deepEqual(summarize(simulateStatusUpdate(def, input, old).errors), [
      "FieldValueInvalid status.capacity[storage]",
      "FieldValueNotSupported status.accessModes",
    ]);
  });
});

describe("PersistentVolumeClaim table", () => {
  const now = new Date("2024-01-01T00:00:45Z");
  it("prints a pending claim with empty volume columns", () => {
    const out = simulateCreate(def, pvc({ ...base, storageClassName: "standard" })).obj;
    assert.deepEqual(cells(def, out, now), {
      Status: "Pending",
      Volume: "",
      Capacity: "",
      "Access Modes": "",
      StorageClass: "standard",
      VolumeAttributesClass: "<unset>",
      Age: "45s",
      VolumeMode: "Filesystem",
    });
  });

  it("prints a bound claim from its status", () => {
    const claim = pvc(
      { ...base, volumeName: "pv-1", volumeAttributesClassName: "gold" },
      {
        status: {
          phase: "Bound",
          capacity: { storage: "2048Mi" },
          accessModes: ["ReadWriteOnce", "ReadOnlyMany"],
        },
      },
    );
    const row = cells(def, claim, now);
    assert.equal(row["Volume"], "pv-1");
    assert.equal(row["Capacity"], "2Gi");
    assert.equal(row["Access Modes"], "RWO,ROX");
    assert.equal(row["VolumeAttributesClass"], "gold");
    assert.equal(row["StorageClass"], "");
  });
});
