import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../../api/core/v1/node.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import { claim, volume } from "../../api/core/v1/volume-fixtures.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import {
  planLocalPathVolume,
  shouldDeleteVolume,
  type ProvisionInput,
} from "./local-path-logic.js";

const asking = {
  "volume.kubernetes.io/storage-provisioner": "kates.dev/local-path",
  "volume.beta.kubernetes.io/storage-provisioner": "kates.dev/local-path",
};
const onNode = { ...asking, "volume.kubernetes.io/selected-node": "n1" };
const standard: StorageClass = {
  metadata: { name: "standard" },
  provisioner: "kates.dev/local-path",
  reclaimPolicy: "Delete",
  volumeBindingMode: "WaitForFirstConsumer",
};
const n1: Node = { metadata: { name: "n1", labels: { "kubernetes.io/hostname": "host-1" } } };

function input(c: PersistentVolumeClaim, over: Partial<ProvisionInput> = {}): ProvisionInput {
  return {
    claim: c,
    storageClass: standard,
    node: n1,
    volumeExists: false,
    basePath: "/var/lib/kates/local-path",
    ...over,
  };
}

const wanting = (annotations: Record<string, string>, spec = {}) =>
  claim(
    "data",
    { storageClassName: "standard", resources: { requests: { storage: "3Gi" } }, ...spec },
    annotations,
  );

describe("planLocalPathVolume()", () => {
  it("creates a hostPath volume on the selected node, reserved for the claim", () => {
    const decision = planLocalPathVolume(input(wanting(onNode)));
    assert.equal(decision.action, "create");
    if (decision.action !== "create") return;
    assert.deepEqual(decision.volume, {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name: "pvc-uid-data",
        annotations: { "pv.kubernetes.io/provisioned-by": "kates.dev/local-path" },
      },
      spec: {
        capacity: { storage: "3Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Delete",
        storageClassName: "standard",
        volumeMode: "Filesystem",
        hostPath: { path: "/var/lib/kates/local-path/pvc-uid-data", type: "DirectoryOrCreate" },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "kubernetes.io/hostname", operator: "In", values: ["host-1"] },
                ],
              },
            ],
          },
        },
        claimRef: {
          kind: "PersistentVolumeClaim",
          apiVersion: "v1",
          name: "data",
          namespace: "default",
          uid: "uid-data",
        },
      },
    });
  });

  it("takes the reclaim policy, mount options and base folder from the class", () => {
    const sc: StorageClass = {
      ...standard,
      reclaimPolicy: "Retain",
      mountOptions: ["noatime"],
      parameters: { basePath: "/data/volumes" },
    };
    const decision = planLocalPathVolume(input(wanting(onNode), { storageClass: sc }));
    assert.equal(decision.action, "create");
    if (decision.action !== "create") return;
    assert.equal(decision.volume.spec?.persistentVolumeReclaimPolicy, "Retain");
    assert.deepEqual(decision.volume.spec?.mountOptions, ["noatime"]);
    assert.deepEqual(decision.volume.spec?.["hostPath"], {
      path: "/data/volumes/pvc-uid-data",
      type: "DirectoryOrCreate",
    });
  });

  const skips: [string, ProvisionInput][] = [
    [
      "a claim not handed to this provisioner",
      input(wanting({ "volume.kubernetes.io/selected-node": "n1" })),
    ],
    ["a claim waiting for its first consumer", input(wanting(asking))],
    ["a claim whose volume exists", input(wanting(onNode), { volumeExists: true })],
    ["a bound claim", input(wanting(onNode, { volumeName: "v" }))],
    [
      "a claim of a class gone or of another provisioner",
      input(wanting(onNode), { storageClass: undefined }),
    ],
  ];
  for (const [name, i] of skips)
    it(`skips ${name}`, () => assert.deepEqual(planLocalPathVolume(i), { action: "skip" }));

  const failures: [string, ProvisionInput, string][] = [
    [
      "an Immediate class (no node to put the folder on)",
      input(wanting(asking), { storageClass: { ...standard, volumeBindingMode: "Immediate" } }),
      "no node was selected: local-path volumes need volumeBindingMode WaitForFirstConsumer",
    ],
    [
      "a selected node that does not exist",
      input(wanting(onNode), { node: undefined }),
      'node "n1" not found',
    ],
    [
      "a claim with a selector",
      input(wanting(onNode, { selector: { matchLabels: { a: "b" } } })),
      "claim Selector is not supported",
    ],
    [
      "a Block claim",
      input(wanting(onNode, { volumeMode: "Block" })),
      "only Filesystem volumes are supported",
    ],
    [
      "a ReadWriteMany claim",
      input(wanting(onNode, { accessModes: ["ReadWriteMany"] })),
      "only the ReadWriteOnce and ReadWriteOncePod access modes are supported",
    ],
    [
      "a relative base folder",
      input(wanting(onNode), { storageClass: { ...standard, parameters: { basePath: "data" } } }),
      'parameter basePath must be an absolute path, got "data"',
    ],
  ];
  for (const [name, i, why] of failures) {
    it(`refuses ${name}`, () =>
      assert.deepEqual(planLocalPathVolume(i), {
        action: "fail",
        message: `failed to provision volume with StorageClass "standard": ${why}`,
      }));
  }
});

describe("shouldDeleteVolume()", () => {
  const mine = (phase: string, policy: string, by = "kates.dev/local-path") => {
    const pv = volume("pvc-1", { persistentVolumeReclaimPolicy: policy }, { phase });
    pv.metadata.annotations = { "pv.kubernetes.io/provisioned-by": by };
    return pv;
  };
  it("deletes its own Released volumes under Delete only", () => {
    assert.equal(shouldDeleteVolume(mine("Released", "Delete")), true);
    assert.equal(shouldDeleteVolume(mine("Bound", "Delete")), false);
    assert.equal(shouldDeleteVolume(mine("Released", "Retain")), false);
    assert.equal(shouldDeleteVolume(mine("Released", "Delete", "example.com/nfs")), false);
    assert.equal(
      shouldDeleteVolume(
        volume("static", { persistentVolumeReclaimPolicy: "Delete" }, { phase: "Released" }),
      ),
      false,
    );
  });
});
