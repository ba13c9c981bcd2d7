import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import {
  accessModesText,
  persistentVolumes,
  type PersistentVolume,
  type PersistentVolumeSpec,
} from "./persistent-volume.js";
import { cells, simulateCreate, simulateUpdate, summarize } from "./strategy-harness.js";

const def = persistentVolumes as ResourceDefinition;

function pv(spec: PersistentVolumeSpec, extra: Partial<PersistentVolume> = {}): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pv-1", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec,
    ...extra,
  };
}

const base: PersistentVolumeSpec = {
  capacity: { storage: "10Gi" },
  accessModes: ["ReadWriteOnce"],
  hostPath: { path: "/data/pv-1" },
};
const onNode1 = {
  required: {
    nodeSelectorTerms: [
      { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node-1"] }] },
    ],
  },
};

describe("PersistentVolume defaults", () => {
  it("fills reclaim policy, volume mode, hostPath type and a Pending status", () => {
    const { obj, errors } = simulateCreate(def, pv(base, { status: { phase: "Bound" } }));
    assert.deepEqual(errors, []);
    const out = obj as PersistentVolume;
    assert.equal(out.spec?.persistentVolumeReclaimPolicy, "Retain");
    assert.equal(out.spec?.volumeMode, "Filesystem");
    assert.deepEqual(out.spec?.["hostPath"], { path: "/data/pv-1", type: "" });
    assert.equal(out.status?.phase, "Pending");
    assert.match(out.status?.lastPhaseTransitionTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("defaults the iSCSI interface", () => {
    const spec = {
      ...base,
      hostPath: undefined,
      iscsi: { targetPortal: "10.0.0.1:3260", iqn: "iqn.2024-01.io.kates:t", lun: 0 },
    };
    const out = simulateCreate(def, pv(spec)).obj as PersistentVolume;
    assert.equal((out.spec?.["iscsi"] as Record<string, unknown>)["iscsiInterface"], "default");
  });
});

describe("PersistentVolume validation", () => {
  const cases: { name: string; spec: PersistentVolumeSpec; want: string[] }[] = [
    { name: "a hostPath volume", spec: base, want: [] },
    {
      name: "no access modes",
      spec: { ...base, accessModes: [] },
      want: ["FieldValueRequired spec.accessModes"],
    },
    {
      name: "an unknown access mode",
      spec: { ...base, accessModes: ["ReadWriteAll"] },
      want: ["FieldValueNotSupported spec.accessModes"],
    },
    {
      name: "ReadWriteOncePod with another mode",
      spec: { ...base, accessModes: ["ReadWriteOncePod", "ReadOnlyMany"] },
      want: ["FieldValueForbidden spec.accessModes"],
    },
    {
      name: "no capacity",
      spec: { ...base, capacity: {} },
      want: ["FieldValueRequired spec.capacity", "FieldValueNotSupported spec.capacity"],
    },
    {
      name: "a capacity other than storage",
      spec: { ...base, capacity: { storage: "1Gi", cpu: "1" } },
      want: ["FieldValueNotSupported spec.capacity"],
    },
    {
      name: "a zero capacity",
      spec: { ...base, capacity: { storage: "0" } },
      want: ["FieldValueInvalid spec.capacity[storage]"],
    },
    {
      name: "a capacity that is not a quantity",
      spec: { ...base, capacity: { storage: "ten" } },
      want: ["FieldValueInvalid spec.capacity[storage]"],
    },
    {
      name: "no source",
      spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] },
      want: ["FieldValueRequired spec"],
    },
    {
      name: "two sources",
      spec: { ...base, nfs: { server: "nfs.example.com", path: "/exports" } },
      want: ["FieldValueForbidden spec.nfs"],
    },
    {
      name: "an NFS source without server",
      spec: { ...base, hostPath: undefined, nfs: { path: "/exports" } },
      want: ["FieldValueRequired spec.nfs.server"],
    },
    {
      name: "a local volume without node affinity",
      spec: { ...base, hostPath: undefined, local: { path: "/mnt/disks/ssd1" } },
      want: ["FieldValueRequired spec.nodeAffinity"],
    },
    {
      name: "a local volume with node affinity",
      spec: {
        ...base,
        hostPath: undefined,
        local: { path: "/mnt/disks/ssd1" },
        nodeAffinity: onNode1,
      },
      want: [],
    },
    {
      name: "a relative local path",
      spec: { ...base, hostPath: undefined, local: { path: "disks/ssd1" }, nodeAffinity: onNode1 },
      want: ["FieldValueInvalid spec.local.path"],
    },
    {
      name: "node affinity without terms",
      spec: { ...base, nodeAffinity: { required: { nodeSelectorTerms: [] } } },
      want: ["FieldValueRequired spec.nodeAffinity.required.nodeSelectorTerms"],
    },
    {
      name: "a CSI volume without handle",
      spec: { ...base, hostPath: undefined, csi: { driver: "hostpath.csi.k8s.io" } },
      want: ["FieldValueRequired spec.csi.volumeHandle"],
    },
    {
      name: "an unknown reclaim policy",
      spec: { ...base, persistentVolumeReclaimPolicy: "Keep" },
      want: ["FieldValueNotSupported spec.persistentVolumeReclaimPolicy"],
    },
    {
      name: "recycling a hostPath of /",
      spec: { ...base, hostPath: { path: "//" }, persistentVolumeReclaimPolicy: "Recycle" },
      want: ["FieldValueForbidden spec.persistentVolumeReclaimPolicy"],
    },
    {
      name: "a bad storage class",
      spec: { ...base, storageClassName: "Fast_SSD" },
      want: ["FieldValueInvalid spec.storageClassName"],
    },
    {
      name: "an unknown volume mode",
      spec: { ...base, volumeMode: "Raw" },
      want: ["FieldValueNotSupported spec.volumeMode"],
    },
    {
      name: "an attributes class on a hostPath volume",
      spec: { ...base, volumeAttributesClassName: "gold" },
      want: ["FieldValueRequired spec.csi"],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, pv(c.spec)).errors), c.want);
    });
  }

  const updates: { name: string; next: PersistentVolumeSpec; want: string[] }[] = [
    {
      name: "a claim reference",
      next: { ...base, claimRef: { namespace: "default", name: "data" } },
      want: [],
    },
    {
      name: "a new source path",
      next: { ...base, hostPath: { path: "/data/other" } },
      want: ["FieldValueForbidden spec.persistentvolumesource"],
    },
    {
      name: "a new volume mode",
      next: { ...base, volumeMode: "Block" },
      want: ["FieldValueInvalid volumeMode"],
    },
    { name: "a larger capacity", next: { ...base, capacity: { storage: "20Gi" } }, want: [] },
  ];
  for (const c of updates) {
    it(`update: ${c.name}`, () => {
      const old = simulateCreate(def, pv(base)).obj;
      assert.deepEqual(summarize(simulateUpdate(def, pv(c.next), old).errors), c.want);
    });
  }

  it("update: lets a CSI volume gain an expansion secret", () => {
    const csi = { driver: "hostpath.csi.k8s.io", volumeHandle: "v1" };
    const spec = { ...base, hostPath: undefined, csi };
    const old = simulateCreate(def, pv(spec)).obj;
    const next = pv({
      ...spec,
      csi: { ...csi, controllerExpandSecretRef: { name: "s", namespace: "kube-system" } },
    });
    assert.deepEqual(simulateUpdate(def, next, old).errors, []);
  });
});

describe("PersistentVolume table", () => {
  const now = new Date("2024-01-01T00:10:00Z");
  it("prints an available volume", () => {
    const out = simulateCreate(
      def,
      pv({ ...base, capacity: { storage: "1024Mi" }, storageClassName: "standard" }),
    ).obj;
    (out as PersistentVolume).status = { phase: "Available" };
    assert.deepEqual(cells(def, out, now), {
      Capacity: "1Gi",
      "Access Modes": "RWO",
      "Reclaim Policy": "Retain",
      Status: "Available",
      Claim: "",
      StorageClass: "standard",
      VolumeAttributesClass: "<unset>",
      Reason: "",
      Age: "10m",
      VolumeMode: "Filesystem",
    });
  });

  it("prints a bound volume being deleted, with the beta class annotation", () => {
    const v = pv(
      { ...base, claimRef: { namespace: "default", name: "data" }, storageClassName: "standard" },
      { status: { phase: "Bound" } },
    );
    v.metadata.deletionTimestamp = "2024-01-01T00:09:00Z";
    v.metadata.annotations = { "volume.beta.kubernetes.io/storage-class": "legacy" };
    const row = cells(def, v, now);
    assert.equal(row["Status"], "Terminating");
    assert.equal(row["Claim"], "default/data");
    assert.equal(row["StorageClass"], "legacy");
    assert.equal(row["VolumeMode"], "<unset>");
  });

  const modes: [string[], string][] = [
    [["ReadWriteOnce"], "RWO"],
    [["ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce"], "RWO,ROX,RWX"],
    [["ReadWriteOncePod", "ReadWriteOncePod"], "RWOP"],
    [[], ""],
  ];
  for (const [input, want] of modes) {
    it(`abbreviates ${JSON.stringify(input)} as ${JSON.stringify(want)}`, () => {
      assert.equal(accessModesText(input), want);
    });
  }
});
