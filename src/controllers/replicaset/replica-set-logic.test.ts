import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { ReplicationController } from "../../api/core/v1/replication-controller.js";
import { adoptionPatch, claimDecision, releasePatch } from "./controller-ref.js";
import { podNamePrefix } from "./pod-template.js";
import {
  planReplicaSetSync,
  replicaSetController,
  replicaSetStatus,
  replicationControllerController,
  slowStartBatches,
} from "./replica-set-logic.js";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace(".000Z", "Z");

function rs(
  replicas: number,
  extra: { minReadySeconds?: number; deleting?: boolean } = {},
): ReplicaSet {
  const r: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default", uid: "rs-uid", generation: 3 },
    spec: {
      replicas,
      minReadySeconds: extra.minReadySeconds ?? 0,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web", tier: "front" }, annotations: { note: "x" } },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      },
    },
    status: { replicas: 0 },
  };
  if (extra.deleting) r.metadata.deletionTimestamp = ago(1);
  return r;
}

interface PodOpts {
  owner?: string | null;
  labels?: Record<string, string>;
  ready?: boolean;
  readyAgo?: number;
  phase?: string;
  deleting?: boolean;
  node?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      labels: o.labels ?? { app: "web", tier: "front" },
      creationTimestamp: ago(3600),
    },
    spec: { nodeName: o.node ?? "n1" },
    status: {
      phase: o.phase ?? "Running",
      conditions: [
        {
          type: "Ready",
          status: (o.ready ?? true) ? "True" : "False",
          lastTransitionTime: ago(o.readyAgo ?? 600),
        },
      ],
    },
  };
  const owner = o.owner === undefined ? "rs-uid" : o.owner;
  if (owner !== null) {
    p.metadata.ownerReferences = [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: owner, controller: true },
    ];
  }
  if (o.deleting) p.metadata.deletionTimestamp = ago(1);
  return p;
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? "");

describe("planReplicaSetSync()", () => {
  it("creates the missing pods from the template in slow-start batches", () => {
    const plan = planReplicaSetSync({
      controller: replicaSetController(rs(10)),
      pods: [pod("a")],
      now: NOW,
    });
    assert.equal(plan.createCount, 9);
    assert.deepEqual(plan.createBatches, [1, 2, 4, 2]);
    assert.deepEqual(plan.delete, []);
    assert.deepEqual(plan.podToCreate, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: "web-",
        namespace: "default",
        labels: { app: "web", tier: "front" },
        annotations: { note: "x" },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: "web",
            uid: "rs-uid",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
  });

  it("creates at most the burst limit per sync", () => {
    const plan = planReplicaSetSync({
      controller: replicaSetController(rs(2000)),
      pods: [],
      now: NOW,
    });
    assert.equal(plan.createCount, 500);
    assert.deepEqual(plan.createBatches, [1, 2, 4, 8, 16, 32, 64, 128, 245]);
  });

  it("deletes the surplus, cheapest first", () => {
    const pods = [
      pod("ready"),
      pod("not-ready", { ready: false }),
      pod("unscheduled", { node: "" }),
    ];
    const plan = planReplicaSetSync({ controller: replicaSetController(rs(1)), pods, now: NOW });
    assert.equal(plan.createCount, 0);
    assert.deepEqual(names(plan.delete), ["unscheduled", "not-ready"]);
  });

  it("counts neither finished pods, pods being deleted, nor pods of other controllers", () => {
    const pods = [
      pod("ok"),
      pod("done", { phase: "Succeeded" }),
      pod("failed", { phase: "Failed" }),
      pod("going", { deleting: true }),
      pod("theirs", { owner: "other-uid" }),
    ];
    const plan = planReplicaSetSync({ controller: replicaSetController(rs(3)), pods, now: NOW });
    assert.deepEqual(names(plan.activePods), ["ok"]);
    assert.equal(plan.createCount, 2);
  });

  it("adopts matching orphans and releases owned pods that stopped matching", () => {
    const pods = [
      pod("owned"),
      pod("orphan", { owner: null }),
      pod("orphan-other-app", { owner: null, labels: { app: "db" } }),
      pod("strayed", { labels: { app: "db" } }),
    ];
    const plan = planReplicaSetSync({ controller: replicaSetController(rs(2)), pods, now: NOW });
    assert.deepEqual(names(plan.adopt), ["orphan"]);
    assert.deepEqual(names(plan.release), ["strayed"]);
    assert.deepEqual(names(plan.activePods), ["owned", "orphan"]);
    assert.equal(plan.createCount, 0);
  });

  it("neither adopts, releases, creates nor deletes while the ReplicaSet is being deleted", () => {
    const pods = [pod("orphan", { owner: null }), pod("strayed", { labels: { app: "db" } })];
    const plan = planReplicaSetSync({
      controller: replicaSetController(rs(5, { deleting: true })),
      pods,
      now: NOW,
    });
    assert.deepEqual([plan.adopt, plan.release, plan.delete, plan.createCount], [[], [], [], 0]);
  });

  it("waits for unmet expectations before creating or deleting, but still reports status", () => {
    const plan = planReplicaSetSync({
      controller: replicaSetController(rs(3)),
      pods: [pod("a")],
      expectationsSatisfied: false,
      now: NOW,
    });
    assert.equal(plan.createCount, 0);
    assert.equal(plan.status.replicas, 1);
    assert.equal(plan.statusChanged, true);
  });

  it("requeues after minReadySeconds when every pod is ready but some are not yet available", () => {
    const pods = [pod("a", { readyAgo: 5 }), pod("b", { readyAgo: 100 })];
    const plan = planReplicaSetSync({
      controller: replicaSetController(rs(2, { minReadySeconds: 30 })),
      pods,
      now: NOW,
    });
    assert.equal(plan.status.readyReplicas, 2);
    assert.equal(plan.status.availableReplicas, 1);
    assert.equal(plan.requeueAfterMs, 30000);
  });

  it("treats a ReplicationController's map selector the same way", () => {
    const rc: ReplicationController = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "legacy", namespace: "default", uid: "rc-uid", generation: 1 },
      spec: {
        replicas: 2,
        selector: { app: "web" },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
      },
    };
    const plan = planReplicaSetSync({
      controller: replicationControllerController(rc),
      pods: [pod("orphan", { owner: null })],
      now: NOW,
    });
    assert.deepEqual(names(plan.adopt), ["orphan"]);
    assert.equal(plan.createCount, 1);
    assert.equal(plan.podToCreate?.metadata.generateName, "legacy-");
    assert.deepEqual(
      plan.podToCreate?.metadata.ownerReferences?.[0]?.kind,
      "ReplicationController",
    );
    assert.equal(plan.podToCreate?.metadata.ownerReferences?.[0]?.apiVersion, "v1");
  });

  it("refuses a template without labels", () => {
    const r = rs(1);
    r.spec!.template!.metadata = {};
    assert.throws(
      () => planReplicaSetSync({ controller: replicaSetController(r), pods: [], now: NOW }),
      /no labels/,
    );
  });
});

describe("replicaSetStatus()", () => {
  const controller = replicaSetController(rs(4, { minReadySeconds: 60 }));
  const pods = [
    pod("full"),
    pod("partial", { labels: { app: "web" } }),
    pod("not-ready", { ready: false }),
    pod("fresh", { readyAgo: 10 }),
  ];

  it("counts pods, fully labeled, ready and available pods and the generation", () => {
    assert.deepEqual(replicaSetStatus(controller, pods, NOW), {
      replicas: 4,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 2,
      observedGeneration: 3,
    });
  });

  it("adds a ReplicaFailure condition on failure, keeps it, and removes it on success", () => {
    const failed = replicaSetStatus(controller, pods, NOW, { action: "create", message: "quota" });
    assert.deepEqual(failed.conditions, [
      {
        type: "ReplicaFailure",
        status: "True",
        lastTransitionTime: "2024-06-01T12:00:00Z",
        reason: "FailedCreate",
        message: "quota",
      },
    ]);
    const withFailure = replicaSetController(rs(4));
    withFailure.status = failed;
    const again = replicaSetStatus(withFailure, pods, NOW + 5000, {
      action: "delete",
      message: "x",
    });
    assert.deepEqual(again.conditions, failed.conditions);
    assert.equal(replicaSetStatus(withFailure, pods, NOW).conditions, undefined);
  });
});

describe("slowStartBatches()", () => {
  const cases: [number, number[]][] = [
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [15, [1, 2, 4, 8]],
  ];
  for (const [count, want] of cases) {
    it(`splits ${count} creations into ${JSON.stringify(want)}`, () => {
      assert.deepEqual(slowStartBatches(count), want);
    });
  }
});

describe("claimDecision()", () => {
  const owner = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    name: "web",
    uid: "rs-uid",
    namespace: "default",
  };
  const deleting = { ...owner, deletionTimestamp: ago(1) };
  const cases: { name: string; owner: typeof owner; pod: Pod; matches: boolean; want: string }[] = [
    { name: "owned and matching", owner, pod: pod("p"), matches: true, want: "owned" },
    { name: "owned, not matching", owner, pod: pod("p"), matches: false, want: "release" },
    {
      name: "owned, not matching, owner deleting",
      owner: deleting,
      pod: pod("p"),
      matches: false,
      want: "ignore",
    },
    {
      name: "owned by another",
      owner,
      pod: pod("p", { owner: "x" }),
      matches: true,
      want: "ignore",
    },
    {
      name: "orphan matching",
      owner,
      pod: pod("p", { owner: null }),
      matches: true,
      want: "adopt",
    },
    {
      name: "orphan not matching",
      owner,
      pod: pod("p", { owner: null }),
      matches: false,
      want: "ignore",
    },
    {
      name: "orphan, owner deleting",
      owner: deleting,
      pod: pod("p", { owner: null }),
      matches: true,
      want: "ignore",
    },
    {
      name: "orphan being deleted",
      owner,
      pod: pod("p", { owner: null, deleting: true }),
      matches: true,
      want: "ignore",
    },
  ];
  for (const c of cases) {
    it(`decides ${c.want} for a pod ${c.name}`, () => {
      assert.equal(claimDecision(c.owner, c.pod, c.matches), c.want);
    });
  }

  it("never adopts across namespaces", () => {
    const p = pod("p", { owner: null });
    p.metadata.namespace = "other";
    assert.equal(claimDecision(owner, p, true), "ignore");
  });

  it("builds adoption and release patches that name the pod's UID", () => {
    const p = pod("p", { owner: null });
    assert.deepEqual(adoptionPatch(owner, p), {
      metadata: {
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: "web",
            uid: "rs-uid",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        uid: "uid-p",
      },
    });
    assert.deepEqual(releasePatch(owner, p), {
      metadata: { ownerReferences: [{ $patch: "delete", uid: "rs-uid" }], uid: "uid-p" },
    });
  });
});

describe("podNamePrefix()", () => {
  it("appends a dash to a name that allows it, and keeps a name that does not", () => {
    assert.equal(podNamePrefix("web"), "web-");
    assert.equal(podNamePrefix("a".repeat(253)), `${"a".repeat(253)}-`);
    assert.equal(podNamePrefix("web.x"), "web.x-");
    assert.equal(podNamePrefix("Web"), "Web");
  });
});
