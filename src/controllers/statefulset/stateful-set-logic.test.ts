import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatefulSet, StatefulSetSpec } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { newControllerRef } from "../replicaset/controller-ref.js";
import { newStatefulSetPod } from "./identity.js";
import {
  completeRollingUpdate,
  maxUnavailableCount,
  planStatefulSetSync,
  type StatefulSetAction,
  type StatefulSetSyncInput,
  type StatefulSetSyncPlan,
} from "./stateful-set-logic.js";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace(".000Z", "Z");

function sts(replicas: number, spec: Partial<StatefulSetSpec> = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "set-uid", generation: 2 },
    spec: {
      replicas,
      serviceName: "web",
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "v1" }] },
      },
      ...spec,
    },
    status: { replicas: 0 },
  };
}

const owner = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  name: "web",
  namespace: "default",
  uid: "set-uid",
};

interface PodOpts {
  rev?: string;
  phase?: string;
  ready?: boolean;
  readyAgo?: number;
  deleting?: boolean;
}

/** A pod of the set at `ordinal`, Running and Ready at revision r1 unless told otherwise. */
function pod(set: StatefulSet, ordinal: number, o: PodOpts = {}): Pod {
  const p = newStatefulSetPod(set, ordinal, newControllerRef(owner), o.rev ?? "r1");
  p.metadata.uid = `uid-${ordinal}`;
  const ready = o.ready ?? true;
  p.status = {
    phase: o.phase ?? "Running",
    conditions: [
      {
        type: "Ready",
        status: ready ? "True" : "False",
        lastTransitionTime: ago(o.readyAgo ?? 3600),
      },
    ],
  };
  if (o.deleting) p.metadata.deletionTimestamp = ago(1);
  return p;
}

function input(
  set: StatefulSet,
  pods: Pod[],
  extra: Partial<StatefulSetSyncInput> = {},
): StatefulSetSyncInput {
  return {
    set,
    currentSet: set,
    updateSet: set,
    currentRevision: "r1",
    updateRevision: "r1",
    collisionCount: 0,
    pods,
    claims: new Map(),
    controllerRef: newControllerRef(owner),
    now: NOW,
    ...extra,
  };
}

/** The plan's actions as `type name` strings, by phase. */
function summary(plan: StatefulSetSyncPlan): string[][] {
  const describe = (a: StatefulSetAction): string => {
    const name = a.pod.metadata.name ?? "";
    if (a.type === "deletePod") return `delete ${name} (${a.why})`;
    if (a.type === "createPod") return `create ${name}`;
    return `${a.type} ${name}`;
  };
  return plan.phases.map((phase) => phase.map((step) => step.map(describe).join(", ")));
}

describe("planStatefulSetSync() creation and scaling", () => {
  const ordered = sts(3);
  const parallel = sts(3, { podManagementPolicy: "Parallel" });
  const cases: { name: string; in: StatefulSetSyncInput; want: string[][]; waiting?: RegExp }[] = [
    {
      name: "OrderedReady creates only the first missing pod",
      in: input(ordered, []),
      want: [["create web-0"]],
      waiting: /web-0 to be Running and Ready/,
    },
    {
      name: "OrderedReady waits for a Pending predecessor",
      in: input(ordered, [pod(ordered, 0, { phase: "Pending", ready: false })]),
      want: [],
      waiting: /web-0 to be Running and Ready/,
    },
    {
      name: "OrderedReady creates the next pod once its predecessors are ready",
      in: input(ordered, [pod(ordered, 0)]),
      want: [["create web-1"]],
    },
    {
      name: "OrderedReady waits for minReadySeconds",
      in: input(sts(3, { minReadySeconds: 30 }), [pod(ordered, 0, { readyAgo: 10 })]),
      want: [],
      waiting: /web-0 to be available/,
    },
    {
      name: "OrderedReady fills a gap before going on",
      in: input(ordered, [pod(ordered, 0), pod(ordered, 2)]),
      want: [["create web-1"]],
    },
    {
      name: "Parallel creates every missing pod at once",
      in: input(parallel, []),
      want: [["create web-0", "create web-1", "create web-2"]],
    },
    {
      name: "a failed pod is deleted, and ordered processing stops there",
      in: input(ordered, [pod(ordered, 0, { phase: "Failed", ready: false })]),
      want: [["delete web-0 (failed)"]],
    },
    {
      name: "a succeeded pod is replaced too",
      in: input(parallel, [pod(parallel, 1, { phase: "Succeeded", ready: false })]),
      want: [["create web-0", "delete web-1 (failed)", "create web-2"]],
    },
    {
      name: "OrderedReady waits for a terminating pod",
      in: input(ordered, [pod(ordered, 0, { deleting: true })]),
      want: [],
      waiting: /web-0 to terminate/,
    },
    {
      name: "OrderedReady scales down from the highest ordinal, one at a time",
      in: input(sts(1), [pod(ordered, 0), pod(ordered, 1), pod(ordered, 2)]),
      want: [["delete web-2 (scaleDown)"]],
    },
    {
      name: "OrderedReady scale down waits for a terminating pod",
      in: input(sts(1), [pod(ordered, 0), pod(ordered, 1), pod(ordered, 2, { deleting: true })]),
      want: [],
      waiting: /web-2 to terminate/,
    },
    {
      name: "OrderedReady scale down waits while a lower condemned pod is unhealthy",
      in: input(sts(1), [
        pod(ordered, 0),
        pod(ordered, 1, { ready: false }),
        pod(ordered, 2, { ready: false }),
      ]),
      want: [],
      waiting: /web-2 to be Running and Ready/,
    },
    {
      name: "OrderedReady may delete the first unhealthy pod",
      in: input(sts(1), [pod(ordered, 0), pod(ordered, 1), pod(ordered, 2, { ready: false })]),
      want: [["delete web-2 (scaleDown)"]],
    },
    {
      name: "Parallel scales down every condemned pod at once",
      in: input(sts(1, { podManagementPolicy: "Parallel" }), [
        pod(ordered, 0),
        pod(ordered, 1, { ready: false }),
        pod(ordered, 2),
      ]),
      want: [["delete web-2 (scaleDown)", "delete web-1 (scaleDown)"]],
    },
    {
      name: "ordinals.start numbers the pods from the start, and others are condemned",
      in: input(sts(2, { ordinals: { start: 5 } }), [pod(ordered, 0)]),
      want: [["create web-5"]],
    },
    {
      name: "a set being deleted only reports status",
      in: input({ ...ordered, metadata: { ...ordered.metadata, deletionTimestamp: ago(1) } }, []),
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planStatefulSetSync(c.in);
      assert.deepEqual(summary(plan), c.want);
      if (c.waiting) assert.match(plan.waitingFor ?? "", c.waiting);
    });
  }

  it("a new pod has its identity, hostname, subdomain, revision and controller", () => {
    const plan = planStatefulSetSync(input(ordered, []));
    const action = plan.phases[0]?.[0]?.[0];
    assert.equal(action?.type, "createPod");
    const p = action.pod;
    assert.equal(p.metadata.name, "web-0");
    assert.equal(p.metadata.namespace, "default");
    assert.deepEqual(p.metadata.labels, {
      app: "web",
      "statefulset.kubernetes.io/pod-name": "web-0",
      "apps.kubernetes.io/pod-index": "0",
      "controller-revision-hash": "r1",
    });
    assert.equal(p.spec?.hostname, "web-0");
    assert.equal(p.spec?.subdomain, "web");
    assert.equal(p.metadata.ownerReferences?.[0]?.uid, "set-uid");
    assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
  });

  it("an existing pod with broken identity labels is fixed", () => {
    const broken = pod(ordered, 0);
    delete broken.metadata.labels?.["apps.kubernetes.io/pod-index"];
    const plan = planStatefulSetSync(input(sts(1), [broken]));
    assert.deepEqual(summary(plan), [["updatePod web-0"]]);
    const action = plan.phases[0]?.[0]?.[0];
    assert.equal(
      action?.type === "updatePod" && action.pod.metadata.labels?.["apps.kubernetes.io/pod-index"],
      "0",
    );
  });
});

describe("planStatefulSetSync() updates", () => {
  const v2 = (set: StatefulSet): StatefulSet => ({
    ...set,
    spec: {
      ...set.spec,
      template: { ...set.spec?.template, spec: { containers: [{ name: "c", image: "v2" }] } },
    },
  });
  const updating = (set: StatefulSet, pods: Pod[], extra: Partial<StatefulSetSyncInput> = {}) =>
    input(set, pods, { updateSet: v2(set), updateRevision: "r2", ...extra });
  const three = sts(3);
  const at = (set: StatefulSet, revs: string[], o: PodOpts = {}): Pod[] =>
    revs.map((rev, i) => pod(set, i, { ...o, rev }));
  const partitioned = (n: number): StatefulSet =>
    sts(3, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: n } } });

  const cases: {
    name: string;
    in: StatefulSetSyncInput;
    want: string[][];
    currentReplicas?: number;
  }[] = [
    {
      name: "replaces the highest ordinal at the old revision first",
      in: updating(three, at(three, ["r1", "r1", "r1"])),
      want: [["delete web-2 (update)"]],
      currentReplicas: 2,
    },
    {
      name: "goes down once the higher pods run the new revision",
      in: updating(three, at(three, ["r1", "r1", "r2"])),
      want: [["delete web-1 (update)"]],
    },
    {
      name: "waits for an updated pod to be healthy",
      in: updating(three, [
        pod(three, 0),
        pod(three, 1),
        pod(three, 2, { rev: "r2", ready: false }),
      ]),
      want: [],
    },
    {
      name: "stops at the partition",
      in: updating(partitioned(2), at(three, ["r1", "r1", "r2"])),
      want: [],
    },
    {
      name: "updates at and above the partition",
      in: updating(partitioned(1), at(three, ["r1", "r1", "r2"])),
      want: [["delete web-1 (update)"]],
    },
    {
      name: "OnDelete replaces nothing",
      in: updating(sts(3, { updateStrategy: { type: "OnDelete" } }), at(three, ["r1", "r1", "r1"])),
      want: [],
    },
    {
      name: "scaling comes before updating",
      in: updating(sts(2), at(three, ["r1", "r1", "r1"])),
      want: [["delete web-2 (scaleDown)"]],
    },
    {
      name: "maxUnavailable (gate on) replaces several pods at once",
      in: updating(
        sts(3, {
          updateStrategy: {
            type: "RollingUpdate",
            rollingUpdate: { partition: 0, maxUnavailable: 2 },
          },
        }),
        at(three, ["r1", "r1", "r1"]),
        { maxUnavailable: true },
      ),
      want: [["delete web-2 (update)", "delete web-1 (update)"]],
    },
    {
      name: "maxUnavailable counts the pods already unavailable (Parallel, not held back)",
      in: updating(
        sts(3, {
          podManagementPolicy: "Parallel",
          updateStrategy: {
            type: "RollingUpdate",
            rollingUpdate: { partition: 0, maxUnavailable: 2 },
          },
        }),
        [pod(three, 0), pod(three, 1), pod(three, 2, { rev: "r2", ready: false })],
        { maxUnavailable: true },
      ),
      want: [["delete web-1 (update)"]],
    },
    {
      name: "maxUnavailable is ignored while the gate is off (one at a time, as 1.33)",
      in: updating(
        sts(3, {
          updateStrategy: {
            type: "RollingUpdate",
            rollingUpdate: { partition: 0, maxUnavailable: 2 },
          },
        }),
        at(three, ["r1", "r1", "r1"]),
      ),
      want: [["delete web-2 (update)"]],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planStatefulSetSync(c.in);
      assert.deepEqual(summary(plan), c.want);
      if (c.currentReplicas !== undefined)
        assert.equal(plan.status.currentReplicas, c.currentReplicas);
    });
  }

  it("new pods below the partition get the current revision, the others the update revision", () => {
    const set = sts(3, {
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } },
    });
    const plan = planStatefulSetSync(updating(set, []));
    const created = plan.phases[0]?.map((step) => step[0]);
    assert.deepEqual(
      created?.map((a) => [
        a?.pod.metadata.name,
        a?.pod.metadata.labels?.["controller-revision-hash"],
        a?.pod.spec?.containers?.[0]?.image,
      ]),
      [
        ["web-0", "r1", "v1"],
        ["web-1", "r1", "v1"],
        ["web-2", "r2", "v2"],
      ],
    );
  });

  it("maxUnavailableCount() rounds percentages down and never goes below one", () => {
    assert.equal(maxUnavailableCount(undefined, 10), 1);
    assert.equal(maxUnavailableCount(3, 10), 3);
    assert.equal(maxUnavailableCount("25%", 10), 2);
    assert.equal(maxUnavailableCount("5%", 10), 1);
  });
});

describe("planStatefulSetSync() status", () => {
  it("counts replicas, ready, available, current and updated pods", () => {
    const set = sts(4, { minReadySeconds: 30 });
    const plan = planStatefulSetSync(
      input(
        set,
        [
          pod(set, 0, { rev: "r1" }),
          pod(set, 1, { rev: "r2", readyAgo: 5 }),
          pod(set, 2, { rev: "r2", ready: false, phase: "Pending" }),
          pod(set, 3, { rev: "r1", deleting: true }),
        ],
        { updateRevision: "r2", collisionCount: 2 },
      ),
    );
    assert.deepEqual(plan.status, {
      observedGeneration: 2,
      replicas: 4,
      readyReplicas: 3,
      availableReplicas: 2,
      currentReplicas: 1,
      updatedReplicas: 2,
      currentRevision: "r1",
      updateRevision: "r2",
      collisionCount: 2,
    });
  });

  it("completeRollingUpdate() makes the update revision current once every pod runs it, ready", () => {
    const set = sts(2);
    const status = {
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      currentReplicas: 0,
      currentRevision: "r1",
      updateRevision: "r2",
    };
    assert.deepEqual(completeRollingUpdate(set, status), {
      ...status,
      currentReplicas: 2,
      currentRevision: "r2",
    });
    const notReady = { ...status, readyReplicas: 1 };
    assert.deepEqual(completeRollingUpdate(set, notReady), notReady);
    const onDelete = sts(2, { updateStrategy: { type: "OnDelete" } });
    assert.deepEqual(completeRollingUpdate(onDelete, status), status);
  });
});

describe("planStatefulSetSync() claims", () => {
  const withClaims = (policy?: { whenDeleted: string; whenScaled: string }, replicas = 2) =>
    sts(replicas, {
      podManagementPolicy: "Parallel",
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: { tier: "db" } },
          spec: { accessModes: ["ReadWriteOnce"] },
        },
      ],
      ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}),
    });
  const claim = (
    name: string,
    extra: Partial<PersistentVolumeClaim["metadata"]> = {},
  ): PersistentVolumeClaim => ({
    metadata: { name, namespace: "default", uid: `uid-${name}`, ...extra },
    spec: {},
  });
  const claimsMap = (...claims: PersistentVolumeClaim[]) =>
    new Map(claims.map((c) => [c.metadata.name ?? "", c]));

  it("creates the missing claims with the pod, labelled with the selector and mounted by the pod", () => {
    const set = withClaims();
    const plan = planStatefulSetSync(input(set, [], { claims: claimsMap(claim("data-web-1")) }));
    const [first, second] = plan.phases[0] ?? [];
    const a = first?.[0];
    assert.equal(a?.type, "createPod");
    assert.deepEqual(
      a.claims.map((c) => [c.metadata.name, c.metadata.labels, c.metadata.ownerReferences]),
      [["data-web-0", { tier: "db", app: "web" }, undefined]],
    );
    assert.deepEqual(a.pod.spec?.volumes, [
      { name: "data", persistentVolumeClaim: { claimName: "data-web-0" } },
    ]);
    const b = second?.[0];
    assert.equal(b?.type === "createPod" && b.claims.length, 0, "data-web-1 exists already");
  });

  it("a claim being deleted holds the pod back", () => {
    const set = withClaims(undefined, 1);
    const plan = planStatefulSetSync(
      input(set, [], { claims: claimsMap(claim("data-web-0", { deletionTimestamp: ago(1) })) }),
    );
    const a = plan.phases[0]?.[0]?.[0];
    assert.equal(a?.type === "createPod" && a.claimsBeingDeleted.join(), "data-web-0");
  });

  it("whenDeleted: Delete creates claims owned by the set", () => {
    const set = withClaims({ whenDeleted: "Delete", whenScaled: "Retain" }, 1);
    const a = planStatefulSetSync(input(set, [])).phases[0]?.[0]?.[0];
    assert.equal(a?.type, "createPod");
    assert.deepEqual(a.claims[0]?.metadata.ownerReferences, [
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "web",
        uid: "set-uid",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("whenScaled: Delete waits for a stale claim of an earlier pod to go", () => {
    const set = withClaims({ whenDeleted: "Retain", whenScaled: "Delete" }, 1);
    const stale = claim("data-web-0", {
      ownerReferences: [
        { apiVersion: "v1", kind: "Pod", name: "web-0", uid: "old-pod", controller: true },
      ],
    });
    const plan = planStatefulSetSync(input(set, [], { claims: claimsMap(stale) }));
    assert.deepEqual(summary(plan), []);
  });

  it("whenScaled: Delete gives the claims of condemned pods to the pod before deleting it", () => {
    const set = withClaims({ whenDeleted: "Retain", whenScaled: "Delete" }, 1);
    const plan = planStatefulSetSync(
      input(set, [pod(set, 0), pod(set, 1)], {
        claims: claimsMap(claim("data-web-0"), claim("data-web-1")),
      }),
    );
    assert.deepEqual(summary(plan), [["updateClaims web-1"], ["delete web-1 (scaleDown)"]]);
    const a = plan.phases[0]?.[0]?.[0];
    assert.equal(a?.type, "updateClaims");
    assert.deepEqual(a.updates[0]?.ownerReferences, [
      {
        apiVersion: "v1",
        kind: "Pod",
        name: "web-1",
        uid: "uid-1",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("a changed policy fixes the owners of existing claims", () => {
    const set = withClaims({ whenDeleted: "Retain", whenScaled: "Retain" }, 1);
    const owned = claim("data-web-0", {
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          name: "web",
          uid: "set-uid",
          controller: true,
        },
      ],
    });
    const plan = planStatefulSetSync(input(set, [pod(set, 0)], { claims: claimsMap(owned) }));
    assert.deepEqual(summary(plan), [["updateClaims web-0"]]);
    const a = plan.phases[0]?.[0]?.[0];
    assert.equal(a?.type === "updateClaims" && a.updates[0]?.ownerReferences.length, 0);
  });

  it("a Pending pod gets back a claim deleted under it", () => {
    const set = withClaims(undefined, 1);
    const plan = planStatefulSetSync(input(set, [pod(set, 0, { phase: "Pending", ready: false })]));
    assert.deepEqual(summary(plan), [["createClaims web-0"]]);
  });
});
