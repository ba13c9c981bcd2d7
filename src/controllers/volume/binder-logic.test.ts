import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import { claim, volume } from "../../api/core/v1/volume-fixtures.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import {
  boundClaimStatus,
  claimAskingProvisioner,
  claimBoundTo,
  decideClaim,
  decideVolume,
  volumeBoundTo,
  volumeUnbound,
  type ClaimDecision,
  type ClaimSyncInput,
  type VolumeDecision,
} from "./binder-logic.js";

const completed = { "pv.kubernetes.io/bind-completed": "yes" };
const wffc: StorageClass = {
  metadata: { name: "local" },
  provisioner: "kates.dev/local-path",
  volumeBindingMode: "WaitForFirstConsumer",
};
const immediate: StorageClass = {
  metadata: { name: "ext" },
  provisioner: "example.com/nfs",
  volumeBindingMode: "Immediate",
};

/** The decision as a short string, for tables: the action, the volume, and the events' reasons. */
function summary(d: ClaimDecision): string {
  switch (d.action) {
    case "assignClass":
      return `assignClass ${d.className}`;
    case "bind":
      return `bind ${d.volume.metadata.name ?? ""}`;
    case "pending":
    case "lost":
      return [
        d.action,
        ...(d.action === "pending" && d.provisioner ? [`ask ${d.provisioner}`] : []),
      ]
        .concat(d.events.map((e) => `${e.type}/${e.reason}: ${e.message}`))
        .join(" | ");
  }
}

describe("decideClaim()", () => {
  const input = (
    over: Partial<ClaimSyncInput> & { claim: PersistentVolumeClaim },
  ): ClaimSyncInput => ({
    volume: undefined,
    volumes: [],
    storageClass: undefined,
    defaultClass: undefined,
    fitsSelectedNode: undefined,
    ...over,
  });
  const cases: { name: string; input: ClaimSyncInput; want: string }[] = [
    {
      name: "binds an unbound claim to the best Available volume",
      input: input({ claim: claim("c"), volumes: [volume("v")] }),
      want: "bind v",
    },
    {
      name: "no volume and no class: Pending with FailedBinding",
      input: input({
        claim: claim("c"),
        volumes: [volume("small", { capacity: { storage: "1Mi" } })],
      }),
      want: "pending | Normal/FailedBinding: no persistent volumes available for this claim and no storage class is set",
    },
    {
      name: "a claim created without a class gets the default class first",
      input: input({
        claim: (() => {
          const c = claim("c");
          delete c.spec!.storageClassName;
          return c;
        })(),
        defaultClass: "standard",
      }),
      want: "assignClass standard",
    },
    {
      name: "a claim created without a class binds a volume without a class before taking the default",
      input: input({
        claim: (() => {
          const c = claim("c");
          delete c.spec!.storageClassName;
          return c;
        })(),
        defaultClass: "standard",
        volumes: [volume("v")],
      }),
      want: "bind v",
    },
    {
      name: 'a claim of class "" never gets the default class',
      input: input({ claim: claim("c"), defaultClass: "standard" }),
      want: "pending | Normal/FailedBinding: no persistent volumes available for this claim and no storage class is set",
    },
    {
      name: "a class that does not exist: ProvisioningFailed",
      input: input({ claim: claim("c", { storageClassName: "gone" }) }),
      want: 'pending | Warning/ProvisioningFailed: storageclass.storage.k8s.io "gone" not found',
    },
    {
      name: "an in-tree provisioner name Kates lacks (no-provisioner): ProvisioningFailed",
      input: input({
        claim: claim("c", { storageClassName: "manual" }),
        storageClass: { metadata: { name: "manual" }, provisioner: "kubernetes.io/no-provisioner" },
      }),
      want: "pending | Warning/ProvisioningFailed: no volume plugin matched name: kubernetes.io/no-provisioner",
    },
    {
      name: "an Immediate class with a provisioner: ask it",
      input: input({ claim: claim("c", { storageClassName: "ext" }), storageClass: immediate }),
      want: "pending | ask example.com/nfs | Normal/ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'example.com/nfs' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    },
    {
      name: "WaitForFirstConsumer without a selected node waits, even with a volume that fits",
      input: input({
        claim: claim("c", { storageClassName: "local" }),
        storageClass: wffc,
        volumes: [volume("v", { storageClassName: "local" })],
      }),
      want: "pending | Normal/WaitForFirstConsumer: waiting for first consumer to be created before binding",
    },
    {
      name: "WaitForFirstConsumer with a selected node binds a volume on that node",
      input: input({
        claim: claim(
          "c",
          { storageClassName: "local" },
          { "volume.kubernetes.io/selected-node": "n1" },
        ),
        storageClass: wffc,
        volumes: [
          volume("far", { storageClassName: "local" }),
          volume("near", { storageClassName: "local" }),
        ],
        fitsSelectedNode: (pv) => pv.metadata.name === "near",
      }),
      want: "bind near",
    },
    {
      name: "WaitForFirstConsumer with a selected node and no volume there: ask the provisioner",
      input: input({
        claim: claim(
          "c",
          { storageClassName: "local" },
          { "volume.kubernetes.io/selected-node": "n1" },
        ),
        storageClass: wffc,
        volumes: [volume("far", { storageClassName: "local" })],
        fitsSelectedNode: () => false,
      }),
      want: "pending | ask kates.dev/local-path | Normal/ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'kates.dev/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    },
    {
      name: "a claim naming a volume that does not exist waits quietly",
      input: input({ claim: claim("c", { volumeName: "later" }) }),
      want: "pending",
    },
    {
      name: "a claim naming a free volume that fits binds it",
      input: input({
        claim: claim("c", { volumeName: "v" }),
        volume: volume("v", { capacity: { storage: "5Gi" } }),
      }),
      want: "bind v",
    },
    {
      name: "a claim naming a free volume that does not fit: VolumeMismatch",
      input: input({
        claim: claim("c", { volumeName: "v" }),
        volume: volume("v", { accessModes: ["ReadOnlyMany"] }),
      }),
      want: 'pending | Warning/VolumeMismatch: Cannot bind to requested volume "v": incompatible accessMode',
    },
    {
      name: "a claim naming a volume reserved for it binds it",
      input: input({
        claim: claim("c", { volumeName: "v" }),
        volume: volume("v", { claimRef: { namespace: "default", name: "c" } }),
      }),
      want: "bind v",
    },
    {
      name: "a claim naming a volume bound to another claim: FailedBinding",
      input: input({
        claim: claim("c", { volumeName: "v" }),
        volume: volume("v", { claimRef: { namespace: "default", name: "other", uid: "x" } }),
      }),
      want: 'pending | Warning/FailedBinding: volume "v" already bound to a different claim.',
    },
    {
      name: "a bound claim whose volume points back is bound again (status and annotations)",
      input: input({
        claim: claim("c", { volumeName: "v" }, completed),
        volume: volume("v", { claimRef: { namespace: "default", name: "c", uid: "uid-c" } }),
      }),
      want: "bind v",
    },
    {
      name: "a bound claim whose volume lost its claimRef gets it back",
      input: input({ claim: claim("c", { volumeName: "v" }, completed), volume: volume("v") }),
      want: "bind v",
    },
    {
      name: "a bound claim whose volume is gone is Lost",
      input: input({ claim: claim("c", { volumeName: "v" }, completed) }),
      want: "lost | Warning/ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!",
    },
    {
      name: "a bound claim without a volumeName is Lost",
      input: input({ claim: claim("c", {}, completed) }),
      want: "lost | Warning/ClaimLost: Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
    },
    {
      name: "a bound claim whose volume is bound to another claim is misbound",
      input: input({
        claim: claim("c", { volumeName: "v" }, completed),
        volume: volume("v", { claimRef: { namespace: "default", name: "c", uid: "someone-else" } }),
      }),
      want: "lost | Warning/ClaimMisbound: Two claims are bound to the same volume, this one is bound incorrectly",
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(summary(decideClaim(c.input)), c.want));
});

describe("decideVolume()", () => {
  const boundTo = (name: string, uid = `uid-${name}`) => ({
    claimRef: { namespace: "default", name, uid },
  });
  const provisioned = { "pv.kubernetes.io/provisioned-by": "kates.dev/local-path" };
  const withAnnotations = (
    pv: PersistentVolume,
    annotations: Record<string, string>,
  ): PersistentVolume => ({
    ...pv,
    metadata: { ...pv.metadata, annotations },
  });
  const cases: {
    name: string;
    volume: PersistentVolume;
    claim?: PersistentVolumeClaim;
    want: VolumeDecision;
  }[] = [
    {
      name: "a free volume is Available",
      volume: volume("v", {}, { phase: "Pending" }),
      want: { phase: { phase: "Available" }, events: [] },
    },
    {
      name: "a volume reserved by name is Available, and its claim is synced",
      volume: volume("v", { claimRef: { namespace: "default", name: "c" } }),
      claim: claim("c"),
      want: { phase: { phase: "Available" }, syncClaim: "default/c", events: [] },
    },
    {
      name: "a volume whose claim binds it is Bound",
      volume: volume("v", boundTo("c")),
      claim: claim("c", { volumeName: "v" }, completed),
      want: { phase: { phase: "Bound" }, events: [] },
    },
    {
      name: "half bound (the claim does not name it yet): sync the claim",
      volume: volume("v", boundTo("c")),
      claim: claim("c"),
      want: { syncClaim: "default/c", events: [] },
    },
    {
      name: "half bound with another volume mode: VolumeMismatch on both",
      volume: volume("v", { ...boundTo("c"), volumeMode: "Block" }),
      claim: claim("c"),
      want: {
        events: [
          {
            on: "volume",
            type: "Warning",
            reason: "VolumeMismatch",
            message:
              'Cannot bind PersistentVolume to requested PersistentVolumeClaim "c" due to incompatible volumeMode.',
          },
          {
            on: "claim",
            type: "Warning",
            reason: "VolumeMismatch",
            message:
              'Cannot bind PersistentVolume "v" to requested PersistentVolumeClaim due to incompatible volumeMode.',
          },
        ],
      },
    },
    {
      name: "claim deleted, Retain: Released",
      volume: volume(
        "v",
        { ...boundTo("c"), persistentVolumeReclaimPolicy: "Retain" },
        { phase: "Bound" },
      ),
      want: { phase: { phase: "Released" }, events: [] },
    },
    {
      name: "claim replaced by one of the same name: Released",
      volume: volume(
        "v",
        { ...boundTo("c", "old"), persistentVolumeReclaimPolicy: "Retain" },
        { phase: "Bound" },
      ),
      claim: claim("c"),
      want: { phase: { phase: "Released" }, events: [] },
    },
    {
      name: "claim deleted, Delete, provisioned: Released for its provisioner to delete",
      volume: withAnnotations(
        volume(
          "v",
          { ...boundTo("c"), persistentVolumeReclaimPolicy: "Delete" },
          { phase: "Bound" },
        ),
        provisioned,
      ),
      want: { phase: { phase: "Released" }, events: [] },
    },
    {
      name: "claim deleted, Delete, made by hand: Failed, no plugin deletes it",
      volume: volume(
        "v",
        { ...boundTo("c"), persistentVolumeReclaimPolicy: "Delete" },
        { phase: "Bound" },
      ),
      want: {
        phase: {
          phase: "Failed",
          message:
            'error getting deleter volume plugin for volume "v": no deletable volume plugin matched',
        },
        events: [
          {
            on: "volume",
            type: "Warning",
            reason: "VolumeFailedDelete",
            message:
              'error getting deleter volume plugin for volume "v": no deletable volume plugin matched',
          },
        ],
      },
    },
    {
      name: "claim deleted, Recycle: Failed",
      volume: volume(
        "v",
        { ...boundTo("c"), persistentVolumeReclaimPolicy: "Recycle" },
        { phase: "Bound" },
      ),
      want: {
        phase: { phase: "Failed", message: "No recycler plugin found for the volume!" },
        events: [
          {
            on: "volume",
            type: "Warning",
            reason: "VolumeFailedRecycle",
            message: "No recycler plugin found for the volume!",
          },
        ],
      },
    },
    {
      name: "a Failed volume stays Failed",
      volume: volume(
        "v",
        { ...boundTo("c"), persistentVolumeReclaimPolicy: "Delete" },
        { phase: "Failed" },
      ),
      want: { events: [] },
    },
    {
      name: "the claim went to another volume; the binder had chosen this one: unbind fully",
      volume: withAnnotations(volume("v", boundTo("c"), { phase: "Bound" }), {
        "pv.kubernetes.io/bound-by-controller": "yes",
      }),
      claim: claim("c", { volumeName: "other" }, completed),
      want: { unbind: "all", phase: { phase: "Available" }, events: [] },
    },
    {
      name: "the claim went to another volume; a user had reserved this one: keep the reservation",
      volume: volume("v", boundTo("c"), { phase: "Bound" }),
      claim: claim("c", { volumeName: "other" }, completed),
      want: { unbind: "uid", phase: { phase: "Available" }, events: [] },
    },
    {
      name: "the claim went to another volume; this one was provisioned for it: released and deleted",
      volume: withAnnotations(
        volume(
          "v",
          { ...boundTo("c"), persistentVolumeReclaimPolicy: "Delete" },
          { phase: "Bound" },
        ),
        provisioned,
      ),
      claim: claim("c", { volumeName: "other" }, completed),
      want: { phase: { phase: "Released" }, events: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(decideVolume({ volume: c.volume, claim: c.claim }), c.want));
  }
});

describe("the bind's writes", () => {
  it("volumeBoundTo() points the claimRef at the claim, marking it bound by the controller", () => {
    const c = { ...claim("c"), metadata: { ...claim("c").metadata, resourceVersion: "7" } };
    const pv = volumeBoundTo(volume("v"), c);
    assert.deepEqual(pv?.spec?.claimRef, {
      kind: "PersistentVolumeClaim",
      apiVersion: "v1",
      namespace: "default",
      name: "c",
      uid: "uid-c",
      resourceVersion: "7",
    });
    assert.equal(pv?.metadata.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
    assert.equal(volumeBoundTo(pv!, c), undefined, "nothing to do once done");
  });

  it("volumeBoundTo() fills the uid of a user's reservation without claiming it was the controller", () => {
    const pv = volumeBoundTo(
      volume("v", { claimRef: { namespace: "default", name: "c" } }),
      claim("c"),
    );
    assert.equal(pv?.spec?.claimRef?.uid, "uid-c");
    assert.equal(pv?.metadata.annotations?.["pv.kubernetes.io/bound-by-controller"], undefined);
  });

  it("claimBoundTo() sets volumeName and the annotations; a user's volumeName is not marked", () => {
    const bound = claimBoundTo(claim("c"), volume("v"));
    assert.equal(bound?.spec?.volumeName, "v");
    assert.deepEqual(bound?.metadata.annotations, {
      "pv.kubernetes.io/bound-by-controller": "yes",
      "pv.kubernetes.io/bind-completed": "yes",
    });
    assert.equal(claimBoundTo(bound!, volume("v")), undefined);
    const named = claimBoundTo(claim("c", { volumeName: "v" }), volume("v"));
    assert.deepEqual(named?.metadata.annotations, { "pv.kubernetes.io/bind-completed": "yes" });
  });

  it("boundClaimStatus() copies the volume's access modes and capacity", () => {
    const pv = volume("v", {
      capacity: { storage: "5Gi" },
      accessModes: ["ReadWriteOnce", "ReadOnlyMany"],
    });
    const status = boundClaimStatus(claim("c"), pv);
    assert.deepEqual(status, {
      phase: "Bound",
      accessModes: ["ReadWriteOnce", "ReadOnlyMany"],
      capacity: { storage: "5Gi" },
    });
    assert.equal(boundClaimStatus({ ...claim("c"), status: status! }, pv), undefined);
  });

  it("volumeUnbound() clears the claimRef, or only its uid", () => {
    const pv = {
      ...volume("v", {
        claimRef: { namespace: "default", name: "c", uid: "u", resourceVersion: "3" },
      }),
    };
    pv.metadata.annotations = { "pv.kubernetes.io/bound-by-controller": "yes" };
    assert.equal(volumeUnbound(pv, "all").spec?.claimRef, undefined);
    assert.deepEqual(volumeUnbound(pv, "all").metadata.annotations, {});
    assert.deepEqual(volumeUnbound(pv, "uid").spec?.claimRef, { namespace: "default", name: "c" });
  });

  it("claimAskingProvisioner() sets both provisioner annotations once", () => {
    const asking = claimAskingProvisioner(claim("c"), "kates.dev/local-path");
    assert.deepEqual(asking?.metadata.annotations, {
      "volume.kubernetes.io/storage-provisioner": "kates.dev/local-path",
      "volume.beta.kubernetes.io/storage-provisioner": "kates.dev/local-path",
    });
    assert.equal(claimAskingProvisioner(asking!, "kates.dev/local-path"), undefined);
  });
});
