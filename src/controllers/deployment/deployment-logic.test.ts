import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { copyJson } from "../../util/json-copy.js";
import { formatTime } from "../replicaset/pod-state.js";
import { planReplicaSetSync, replicaSetController } from "../replicaset/replica-set-logic.js";
import {
  planDeploymentSync,
  type DeploymentAction,
  type DeploymentSyncPlan,
} from "./deployment-logic.js";
import { replicaSetAlreadyExists, replicaSetCreateFailed } from "./replica-set-create.js";

const START = Date.parse("2024-06-01T12:00:00Z");

/**
 * A fake cluster: the Deployment controller's plans and the ReplicaSet controller's plans applied
 * to objects in memory, with pods that become ready when `readyAll` says so.
 */
class Cluster {
  now = START;
  d: Deployment;
  rss = new Map<string, ReplicaSet>();
  pods = new Map<string, Pod>();
  events: string[] = [];
  #uid = 0;

  constructor(d: Deployment) {
    this.d = d;
  }

  uid(): string {
    return `uid-${++this.#uid}`;
  }

  syncDeployment(): DeploymentSyncPlan {
    const plan = planDeploymentSync({
      deployment: this.d,
      replicaSets: [...this.rss.values()],
      pods: [...this.pods.values()],
      now: this.now,
    });
    for (const a of plan.actions) this.apply(a);
    return plan;
  }

  apply(a: DeploymentAction): void {
    switch (a.type) {
      case "createReplicaSet": {
        const rs = copyJson(a.replicaSet);
        rs.metadata.uid = this.uid();
        rs.metadata.creationTimestamp = formatTime(this.now);
        rs.metadata.generation = 1;
        rs.status = { replicas: 0 };
        assert.ok(!this.rss.has(rs.metadata.name!), `duplicate ReplicaSet ${rs.metadata.name}`);
        this.rss.set(rs.metadata.name!, rs);
        break;
      }
      case "updateReplicaSet": {
        const old = this.rss.get(a.replicaSet.metadata.name!);
        assert.ok(old, `update of missing ReplicaSet ${a.replicaSet.metadata.name}`);
        const next = copyJson(a.replicaSet);
        next.status = old.status ?? {};
        const specChanged = JSON.stringify(next.spec) !== JSON.stringify(old.spec);
        next.metadata.generation = (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
        this.rss.set(next.metadata.name!, next);
        break;
      }
      case "deleteReplicaSet":
        this.rss.delete(a.replicaSet.metadata.name!);
        break;
      case "updateDeploymentStatus":
        this.d = { ...this.d, status: copyJson(a.deployment.status ?? {}) };
        this.d.metadata = {
          ...this.d.metadata,
          annotations: { ...a.deployment.metadata.annotations },
        };
        break;
      case "updateDeployment": {
        const specChanged = JSON.stringify(a.deployment.spec) !== JSON.stringify(this.d.spec);
        const next = copyJson(a.deployment);
        next.status = this.d.status ?? {};
        next.metadata.generation = (this.d.metadata.generation ?? 1) + (specChanged ? 1 : 0);
        this.d = next;
        break;
      }
      case "adoptReplicaSet":
      case "releaseReplicaSet":
        throw new Error(`unexpected ${a.type}`);
      case "event":
        break;
    }
    if ("event" in a && a.event) this.events.push(`${a.event.reason}: ${a.event.message}`);
  }

  /** One pass of the ReplicaSet controller over every ReplicaSet. */
  syncReplicaSets(): void {
    for (const rs of this.rss.values()) {
      const own = [...this.pods.values()].filter(
        (p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid,
      );
      const plan = planReplicaSetSync({
        controller: replicaSetController(rs),
        pods: own,
        now: this.now,
      });
      for (let i = 0; i < plan.createCount; i++) {
        const pod = copyJson(plan.podToCreate!);
        pod.metadata.name = `${pod.metadata.generateName}${this.uid()}`;
        pod.metadata.uid = this.uid();
        pod.metadata.creationTimestamp = formatTime(this.now);
        pod.spec = { ...pod.spec, nodeName: "n1" };
        pod.status = { phase: "Running", conditions: [{ type: "Ready", status: "False" }] };
        this.pods.set(pod.metadata.name, pod);
      }
      for (const pod of plan.delete) this.pods.delete(pod.metadata.name!);
      if (plan.statusChanged || plan.createCount || plan.delete.length) {
        // The status counts what the sync saw; the next pass counts its creations and deletions.
        rs.status = plan.status;
      }
    }
  }

  readyAll(): void {
    for (const pod of this.pods.values()) {
      const ready = pod.status!.conditions![0]!;
      if (ready.status === "True") continue;
      pod.status!.conditions = [
        { type: "Ready", status: "True", lastTransitionTime: formatTime(this.now) },
      ];
    }
  }

  /** Ready pods: with minReadySeconds 0, the available ones. */
  readyPods(): number {
    return [...this.pods.values()].filter((p) => p.status?.conditions?.[0]?.status === "True")
      .length;
  }

  replicasByRevision(): string {
    return [...this.rss.values()]
      .sort(
        (a, b) =>
          Number(a.metadata.annotations?.["deployment.kubernetes.io/revision"]) -
          Number(b.metadata.annotations?.["deployment.kubernetes.io/revision"]),
      )
      .map((rs) => rs.spec?.replicas)
      .join("/");
  }

  newestRS(): ReplicaSet {
    return [...this.rss.values()].sort(
      (a, b) =>
        Number(b.metadata.annotations?.["deployment.kubernetes.io/revision"]) -
        Number(a.metadata.annotations?.["deployment.kubernetes.io/revision"]),
    )[0]!;
  }

  /** Runs controllers until nothing changes; `check` runs after every observable step. */
  settle(check: () => void = () => {}, maxTicks = 40): number {
    for (let tick = 1; tick <= maxTicks; tick++) {
      const before = JSON.stringify([this.d, [...this.rss.values()], [...this.pods.values()]]);
      this.syncDeployment();
      check();
      this.syncReplicaSets();
      check();
      this.syncReplicaSets();
      check();
      this.readyAll();
      this.syncReplicaSets();
      check();
      this.now += 1000;
      const after = JSON.stringify([this.d, [...this.rss.values()], [...this.pods.values()]]);
      if (before === after) return tick;
    }
    throw new Error("the rollout did not settle");
  }
}

function web(
  image: string,
  replicas = 10,
  extra: Partial<NonNullable<Deployment["spec"]>> = {},
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d-uid", generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "c", image }] },
      },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}

function changeTemplate(c: Cluster, image: string): void {
  c.d = copyJson(c.d);
  c.d.spec!.template!.spec!.containers![0]!.image = image;
  c.d.metadata.generation = (c.d.metadata.generation ?? 1) + 1;
}

function condition(d: Deployment, type: string): string {
  const c = d.status?.conditions?.find((x) => x.type === type);
  return c ? `${c.status} ${c.reason}: ${c.message}` : "none";
}

describe("planDeploymentSync() rolling update", () => {
  it("creates the first ReplicaSet at full size with revision 1 and the conditions", () => {
    const c = new Cluster(web("nginx:1"));
    c.settle();
    const rs = c.newestRS();
    assert.equal(rs.spec?.replicas, 10);
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "10");
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "13");
    assert.match(rs.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.spec?.selector?.matchLabels?.["pod-template-hash"], rs.metadata.name!.slice(4));
    assert.equal(c.d.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assert.deepEqual(
      c.d.status && {
        observedGeneration: c.d.status.observedGeneration,
        replicas: c.d.status.replicas,
        updatedReplicas: c.d.status.updatedReplicas,
        readyReplicas: c.d.status.readyReplicas,
        availableReplicas: c.d.status.availableReplicas,
        unavailableReplicas: c.d.status.unavailableReplicas,
      },
      {
        observedGeneration: 1,
        replicas: 10,
        updatedReplicas: 10,
        readyReplicas: 10,
        availableReplicas: 10,
        unavailableReplicas: 0,
      },
    );
    assert.equal(
      condition(c.d, "Available"),
      "True MinimumReplicasAvailable: Deployment has minimum availability.",
    );
    assert.equal(
      condition(c.d, "Progressing"),
      `True NewReplicaSetAvailable: ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
    );
    assert.equal(
      c.events[0],
      `ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} from 0 to 10`,
    );
  });

  it("rolls 10 replicas at 25%/25% within surge and availability, step by step", () => {
    const c = new Cluster(web("nginx:1"));
    c.settle();
    changeTemplate(c, "nginx:2");

    const steps: string[] = [];
    let maxPods = 0;
    let minReady = Infinity;
    c.settle(() => {
      const specTotal = [...c.rss.values()].reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      assert.ok(specTotal <= 13, `ReplicaSets sized ${specTotal} > 13`);
      maxPods = Math.max(maxPods, c.pods.size);
      minReady = Math.min(minReady, c.readyPods());
      assert.ok(c.pods.size <= 13, `${c.pods.size} pods > 10 + maxSurge 3`);
      assert.ok(c.readyPods() >= 8, `${c.readyPods()} ready < 10 - maxUnavailable 2`);
      const s = c.replicasByRevision();
      if (steps.at(-1) !== s) steps.push(s);
    });

    // old/new desired replicas as the rollout moves.
    // The first sync both creates the new ReplicaSet and scales the old one down by what the
    // unavailable budget allows; later syncs alternate as new pods become available.
    assert.deepEqual(steps, ["8/3", "8/5", "3/5", "3/10", "0/10"]);
    assert.equal(maxPods, 13);
    assert.equal(minReady, 8);
    const newRS = c.newestRS();
    assert.equal(newRS.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assert.equal(c.d.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assert.equal(c.d.status?.updatedReplicas, 10);
    assert.equal(c.d.status?.observedGeneration, 2);
    assert.match(condition(c.d, "Progressing"), /^True NewReplicaSetAvailable: ReplicaSet "web-/);
    const up = (from: number, to: number): string =>
      `ScalingReplicaSet: Scaled up replica set ${newRS.metadata.name} from ${from} to ${to}`;
    assert.deepEqual(c.events.slice(1), [
      up(0, 3),
      expect(c, "down", 10, 8),
      up(3, 5),
      expect(c, "down", 8, 3),
      up(5, 10),
      expect(c, "down", 3, 0),
    ]);
  });

  it("scales unavailable old replicas down first, even when availability is at its minimum", () => {
    // maxUnavailable 0 keeps 4 available; the old ReplicaSet has only 2 available replicas.
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const c = new Cluster(web("nginx:1", 4, { strategy }));
    c.settle();
    const old = c.newestRS();
    changeTemplate(c, "nginx:2");
    c.syncDeployment(); // the new ReplicaSet, with the 1 surge replica
    const newRS = c.newestRS();
    old.status = { ...old.status, readyReplicas: 2, availableReplicas: 2 };
    newRS.status = { replicas: 1, readyReplicas: 1, availableReplicas: 1 };

    const plan = c.syncDeployment();
    const updates = plan.actions.filter((a) => a.type === "updateReplicaSet");
    // Room to scale down: 5 pods - 4 to keep - 0 unavailable new = 1, taken from the unhealthy
    // old replicas although only 3 of the 4 required pods are available.
    assert.deepEqual(
      updates.map((a) => [a.replicaSet.metadata.name, a.replicaSet.spec?.replicas]),
      [[old.metadata.name, 3]],
    );
  });
});

function expect(c: Cluster, op: string, from: number, to: number): string {
  const oldName = [...c.rss.values()].find(
    (rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "1",
  )?.metadata.name;
  return `ScalingReplicaSet: Scaled ${op} replica set ${oldName} from ${from} to ${to}`;
}

describe("planDeploymentSync() recreate", () => {
  it("scales the old ReplicaSet to 0 and creates the new one only when its pods are gone", () => {
    const c = new Cluster(web("nginx:1", 3, { strategy: { type: "Recreate" } }));
    c.settle();
    changeTemplate(c, "nginx:2");
    const first = c.syncDeployment();
    assert.deepEqual(
      first.actions.map((a) => a.type).filter((t) => t !== "updateDeploymentStatus"),
      ["updateReplicaSet"],
    );
    assert.equal(c.rss.size, 1);

    // The old pods still run: no new ReplicaSet yet.
    const second = c.syncDeployment();
    assert.equal(
      second.actions.some((a) => a.type === "createReplicaSet"),
      false,
    );

    c.syncReplicaSets(); // deletes the old pods
    c.syncReplicaSets(); // reports 0
    const third = c.syncDeployment();
    const created = third.actions.find((a) => a.type === "createReplicaSet");
    assert.ok(created && created.type === "createReplicaSet");
    assert.equal(created.replicaSet.spec?.replicas, 3);
    c.settle();
    assert.equal(c.replicasByRevision(), "0/3");
  });
});

describe("planDeploymentSync() scaling", () => {
  it("spreads a scale-up in the middle of a rollout over the ReplicaSets in proportion", () => {
    const c = new Cluster(web("nginx:1"));
    c.settle();
    changeTemplate(c, "nginx:2");
    c.syncDeployment(); // the new ReplicaSet at 3, the old one down to 8
    assert.equal(c.replicasByRevision(), "8/3");
    c.d = copyJson(c.d);
    c.d.spec!.replicas = 20; // allowed total 20 + 5 = 25, 12 to add
    c.d.metadata.generation = 3;
    const plan = c.syncDeployment();
    // Both were sized for 13: old 8 * 25 / 13 = 15.4 → +7, new 3 * 25 / 13 = 5.8 → +3; the 4
    // left over by rounding go to the largest.
    assert.equal(c.replicasByRevision(), "19/6");
    const annotated = plan.actions.flatMap((a) =>
      a.type === "updateReplicaSet" ? [a.replicaSet.metadata.annotations ?? {}] : [],
    );
    assert.deepEqual(
      annotated.map((x) => [
        x["deployment.kubernetes.io/desired-replicas"],
        x["deployment.kubernetes.io/max-replicas"],
      ]),
      [
        ["20", "25"],
        ["20", "25"],
      ],
    );
  });

  it("scales only the active ReplicaSet when there is one", () => {
    const c = new Cluster(web("nginx:1", 4));
    c.settle();
    c.d = copyJson(c.d);
    c.d.spec!.replicas = 7;
    c.d.metadata.generation = 2;
    c.syncDeployment();
    assert.equal(c.replicasByRevision(), "7");
  });
});

describe("planDeploymentSync() pause and resume", () => {
  it("rolls out nothing while paused but still scales, and marks the condition", () => {
    const c = new Cluster(web("nginx:1", 4));
    c.settle();
    c.d = copyJson(c.d);
    c.d.spec!.paused = true;
    changeTemplate(c, "nginx:2");
    c.d.spec!.replicas = 6;
    c.settle();
    assert.equal(c.rss.size, 1);
    assert.equal(c.replicasByRevision(), "6");
    assert.equal(condition(c.d, "Progressing"), "Unknown DeploymentPaused: Deployment is paused");

    c.d = copyJson(c.d);
    c.d.spec!.paused = false;
    c.syncDeployment();
    assert.match(
      condition(c.d, "Progressing"),
      /^(Unknown DeploymentResumed|True NewReplicaSetCreated)/,
    );
    c.settle();
    assert.equal(c.replicasByRevision(), "0/6");
    assert.match(condition(c.d, "Progressing"), /^True NewReplicaSetAvailable/);
  });
});

describe("planDeploymentSync() rollback", () => {
  it("makes an old ReplicaSet new again when the template goes back to it, with the next revision", () => {
    const c = new Cluster(web("nginx:1", 2));
    c.settle();
    const first = c.newestRS().metadata.name;
    changeTemplate(c, "nginx:2");
    c.settle();
    // What `kubectl rollout undo` patches in: the old ReplicaSet's template without its hash.
    changeTemplate(c, "nginx:1");
    c.settle();
    const back = c.rss.get(first!)!;
    assert.equal(back.spec?.replicas, 2);
    assert.equal(back.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
    assert.equal(back.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    assert.equal(c.rss.size, 2);
    assert.equal(c.d.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
  });

  it("obeys the legacy rollback annotation: the template of the last revision, then clears it", () => {
    const c = new Cluster(web("nginx:1", 2));
    c.settle();
    changeTemplate(c, "nginx:2");
    c.settle();
    c.d = copyJson(c.d);
    c.d.metadata.annotations = {
      ...c.d.metadata.annotations,
      "deprecated.deployment.rollback.to": "0",
    };
    const plan = c.syncDeployment();
    const update = plan.actions.find((a) => a.type === "updateDeployment");
    assert.ok(update && update.type === "updateDeployment");
    assert.equal(update.deployment.spec?.template?.spec?.containers?.[0]?.image, "nginx:1");
    assert.equal(
      update.deployment.spec?.template?.metadata?.labels?.["pod-template-hash"],
      undefined,
    );
    assert.equal(
      update.deployment.metadata.annotations?.["deprecated.deployment.rollback.to"],
      undefined,
    );
    assert.deepEqual(update.event, {
      type: "Normal",
      reason: "DeploymentRollback",
      message: 'Rolled back deployment "web" to revision 1',
    });
  });

  it("warns when the legacy rollback names a revision that does not exist", () => {
    const c = new Cluster(web("nginx:1", 1));
    c.settle();
    c.d = copyJson(c.d);
    c.d.metadata.annotations = {
      ...c.d.metadata.annotations,
      "deprecated.deployment.rollback.to": "9",
    };
    const plan = c.syncDeployment();
    assert.deepEqual(
      plan.actions.map((a) => a.type),
      ["event", "updateDeployment"],
    );
    assert.deepEqual(plan.actions[0], {
      type: "event",
      event: {
        type: "Warning",
        reason: "DeploymentRollbackRevisionNotFound",
        message: "Unable to find the revision to rollback to.",
      },
    });
  });
});

describe("planDeploymentSync() history cleanup", () => {
  it("deletes the oldest scaled-down ReplicaSets past revisionHistoryLimit once complete", () => {
    const c = new Cluster(web("nginx:1", 1, { revisionHistoryLimit: 1 }));
    c.settle();
    for (const image of ["nginx:2", "nginx:3", "nginx:4"]) {
      changeTemplate(c, image);
      c.settle();
    }
    const revisions = [...c.rss.values()]
      .map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"])
      .sort();
    assert.deepEqual(revisions, ["3", "4"]);
  });
});

describe("planDeploymentSync() progress deadline", () => {
  it("reports ProgressDeadlineExceeded when the rollout makes no progress in time", () => {
    const c = new Cluster(web("nginx:1", 2, { progressDeadlineSeconds: 60 }));
    c.settle();
    changeTemplate(c, "nginx:2");
    // The new pods never become ready: only the Deployment controller runs.
    c.syncDeployment();
    c.syncReplicaSets();
    c.syncReplicaSets();
    c.syncDeployment();
    assert.match(condition(c.d, "Progressing"), /^True (ReplicaSetUpdated|NewReplicaSetCreated)/);
    const idle = c.syncDeployment();
    assert.ok(
      idle.requeueAfterMs !== undefined && idle.requeueAfterMs > 0 && idle.requeueAfterMs <= 61000,
    );
    c.now += 61000;
    c.syncDeployment();
    assert.match(
      condition(c.d, "Progressing"),
      /^False ProgressDeadlineExceeded: ReplicaSet "web-\w+" has timed out progressing\.$/,
    );
  });

  it("drops the Progressing condition when the deadline is removed", () => {
    const d = web("nginx:1", 1);
    delete d.spec!.progressDeadlineSeconds;
    const c = new Cluster(d);
    c.settle();
    assert.equal(condition(c.d, "Progressing"), "none");
    assert.match(condition(c.d, "Available"), /^True/);
  });

  it("reports MinimumReplicasUnavailable while too few pods are available", () => {
    const c = new Cluster(web("nginx:1", 4));
    c.syncDeployment();
    c.syncReplicaSets();
    c.syncReplicaSets();
    c.syncDeployment();
    assert.equal(
      condition(c.d, "Available"),
      "False MinimumReplicasUnavailable: Deployment does not have minimum availability.",
    );
  });
});

describe("planDeploymentSync() ownership", () => {
  it("adopts a matching orphan ReplicaSet and releases one that stopped matching", () => {
    const d = web("nginx:1", 1);
    const orphan: ReplicaSet = {
      metadata: {
        name: "stray",
        namespace: "default",
        uid: "o",
        labels: { app: "web" },
        creationTimestamp: formatTime(START),
      },
      spec: { replicas: 1, template: d.spec!.template! },
    };
    const strayed: ReplicaSet = {
      metadata: {
        name: "gone",
        namespace: "default",
        uid: "g",
        labels: { app: "other" },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: "web",
            uid: "d-uid",
            controller: true,
          },
        ],
      },
      spec: { replicas: 0 },
    };
    const plan = planDeploymentSync({ deployment: d, replicaSets: [orphan, strayed], now: START });
    assert.deepEqual(
      plan.actions
        .slice(0, 2)
        .map((a) => [a.type, "replicaSet" in a ? a.replicaSet.metadata.name : ""]),
      [
        ["adoptReplicaSet", "stray"],
        ["releaseReplicaSet", "gone"],
      ],
    );
    // The adopted ReplicaSet has the template: it is the new one, so nothing is created.
    assert.equal(
      plan.actions.some((a) => a.type === "createReplicaSet"),
      false,
    );
  });

  it("only reports status for a Deployment being deleted", () => {
    const d = web("nginx:1", 3);
    d.metadata.deletionTimestamp = formatTime(START);
    const plan = planDeploymentSync({ deployment: d, replicaSets: [], now: START });
    assert.deepEqual(
      plan.actions.map((a) => a.type),
      ["updateDeploymentStatus"],
    );
  });

  it("refuses to select all pods", () => {
    const d = web("nginx:1", 3);
    d.spec!.selector = {};
    const plan = planDeploymentSync({ deployment: d, replicaSets: [], now: START });
    assert.deepEqual(
      plan.actions.map((a) => a.type),
      ["event", "updateDeploymentStatus"],
    );
  });
});

describe("replicaSetAlreadyExists() and replicaSetCreateFailed()", () => {
  const d = web("nginx:1", 1);
  const plan = planDeploymentSync({ deployment: d, replicaSets: [], now: START });
  const create = plan.actions.find((a) => a.type === "createReplicaSet");
  assert.ok(create && create.type === "createReplicaSet");

  it("takes an existing ReplicaSet of the Deployment with the same template as the new one", () => {
    const existing = {
      ...create.replicaSet,
      metadata: { ...create.replicaSet.metadata, uid: "x" },
    };
    assert.deepEqual(replicaSetAlreadyExists(d, existing), { adopted: true });
  });

  it("raises the collision count for a different ReplicaSet of that name, changing the next name", () => {
    const other = copyJson(create.replicaSet);
    other.spec!.template!.spec!.containers![0]!.image = "other";
    const result = replicaSetAlreadyExists(d, other);
    assert.equal(result.adopted, false);
    const next =
      !result.adopted && result.actions[0]?.type === "updateDeploymentStatus"
        ? result.actions[0].deployment
        : undefined;
    assert.equal(next?.status?.collisionCount, 1);
    const retry = planDeploymentSync({ deployment: next!, replicaSets: [], now: START });
    const name = retry.actions.find((a) => a.type === "createReplicaSet");
    assert.ok(name && name.type === "createReplicaSet");
    assert.notEqual(name.replicaSet.metadata.name, create.replicaSet.metadata.name);
  });

  it("reports a failed create as Progressing=False and a warning", () => {
    const actions = replicaSetCreateFailed(d, "web-abc", "quota exceeded", START);
    const status =
      actions[0]?.type === "updateDeploymentStatus" ? actions[0].deployment.status : undefined;
    assert.deepEqual(status?.conditions?.[0], {
      type: "Progressing",
      status: "False",
      reason: "ReplicaSetCreateError",
      message: 'Failed to create new replica set "web-abc": quota exceeded',
      lastUpdateTime: "2024-06-01T12:00:00Z",
      lastTransitionTime: "2024-06-01T12:00:00Z",
    });
    assert.equal(actions[1]?.type, "event");
  });
});
