/**
 * End to end: Deployment rollouts on simulated nodes, driven with the real kubectl. The rolling update's
 * bounds are checked from watches while it runs: the ReplicaSets' replicas never sum to more than
 * `replicas + maxSurge`, and the ready pods never drop below `replicas - maxUnavailable`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/meta/types.js";
import { KubeClient } from "../../src/client/client.js";
import { resources } from "../../src/client/resource.js";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

interface PodView extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}
interface ReplicaSetView extends KubeObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
}

const isReady = (p: PodView): boolean =>
  !p.metadata.deletionTimestamp &&
  (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);

function manifest(name: string, strategy: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 6
  selector:
    matchLabels: {app: ${name}}
  strategy: ${strategy}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: nginx:1.26
`;
}

/** Follows a resource's objects of one label through a watch, calling `check` after every event. */
function follow<T extends KubeObject>(
  client: KubeClient,
  res: (typeof resources)[keyof typeof resources],
  selector: string,
  check: (objects: Map<string, T>) => void,
): { stop: () => Promise<void> } {
  const objects = new Map<string, T>();
  const stream = client.watch<T>(res, {
    namespace: "default",
    labelSelector: selector,
    resourceVersion: "0",
  });
  const done = (async () => {
    for await (const event of stream) {
      if (event.type === "BOOKMARK" || event.type === "ERROR") continue;
      const key = event.object.metadata.name ?? "";
      if (event.type === "DELETED") objects.delete(key);
      else objects.set(key, event.object);
      check(objects);
    }
  })();
  return {
    stop: async () => {
      stream.stop();
      await done;
    },
  };
}

describe("Deployment rollouts on simulated nodes (kubectl)", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, {
      timeoutMs: 90_000,
      ...(input === undefined ? {} : { input }),
    });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const rolledOut = async (name: string): Promise<void> => {
    const out = await ok(["rollout", "status", `deployment/${name}`, "--timeout=80s"]);
    assert.match(out, /successfully rolled out/);
  };
  const replicaSets = async (name: string): Promise<ReplicaSetView[]> =>
    (
      await client.list<ReplicaSetView>(resources.replicaSets, {
        namespace: "default",
        labelSelector: `app=${name}`,
      })
    ).items;

  before(async () => {
    cluster = await startCluster({ controllers: true, scheduler: true, simulatedNodes: 3 });
    client = new KubeClient(cluster.url);
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it("a rolling update stays within maxSurge and maxUnavailable, as watches see it", async () => {
    const strategy = "{type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 1}}";
    await ok(["apply", "-f", "-"], manifest("surge", strategy));
    await rolledOut("surge");

    // Counted from the change on: the watches' initial events arrive one object at a time.
    let armed = false;
    let readyNow = 0;
    let maxSpecs = 0;
    let minReady = Infinity;
    const sets = follow<ReplicaSetView>(client, resources.replicaSets, "app=surge", (all) => {
      let sum = 0;
      for (const rs of all.values()) sum += rs.spec?.replicas ?? 0;
      if (armed) maxSpecs = Math.max(maxSpecs, sum);
    });
    const pods = follow<PodView>(client, resources.pods, "app=surge", (all) => {
      readyNow = [...all.values()].filter(isReady).length;
      if (armed) minReady = Math.min(minReady, readyNow);
    });
    try {
      await eventually(async () => readyNow === 6, 10_000, "the watches saw the ready pods");
      armed = true;
      await ok(["set", "image", "deployment/surge", "app=nginx:1.27"]);
      await rolledOut("surge");
    } finally {
      await Promise.all([sets.stop(), pods.stop()]);
    }
    assert.ok(maxSpecs <= 8, `the ReplicaSets asked for ${maxSpecs} pods, more than 6 + 2`);
    assert.equal(maxSpecs, 8, "the rollout used its surge");
    assert.ok(Number.isFinite(minReady), "the pod watch saw the rollout");
    assert.ok(minReady >= 5, `only ${minReady} pods were ready, fewer than 6 - 1`);
    const current = await replicaSets("surge");
    const byImage = (image: string) =>
      current.find((rs) => rs.spec?.template?.spec?.containers?.[0]?.image === image);
    assert.equal(byImage("nginx:1.27")?.spec?.replicas, 6);
    assert.equal(byImage("nginx:1.26")?.spec?.replicas, 0);
  });

  it("Recreate removes every old pod before it starts a new one", async () => {
    await ok(["apply", "-f", "-"], manifest("recreate", "{type: Recreate}"));
    await rolledOut("recreate");
    const oldHash = (await replicaSets("recreate"))[0]?.metadata.labels?.["pod-template-hash"];
    let overlap = false;
    let sawNew = false;
    const pods = follow<PodView>(client, resources.pods, "app=recreate", (all) => {
      const hashes = new Set(
        [...all.values()].map((p) => p.metadata.labels?.["pod-template-hash"]),
      );
      if (hashes.has(oldHash) && hashes.size > 1) overlap = true;
      if ([...hashes].some((h) => h !== oldHash)) sawNew = true;
    });
    try {
      await ok(["set", "image", "deployment/recreate", "app=nginx:1.27"]);
      await rolledOut("recreate");
    } finally {
      await pods.stop();
    }
    assert.equal(sawNew, true, "the pod watch saw the new pods");
    assert.equal(overlap, false, "old and new pods existed at the same time");
  });

  it("rollout pause holds template changes until resume; restart replaces every pod", async () => {
    await ok(["apply", "-f", "-"], manifest("paused", "{type: RollingUpdate}"));
    await rolledOut("paused");
    await ok(["rollout", "pause", "deployment/paused"]);
    await ok(["set", "image", "deployment/paused", "app=nginx:1.27"]);
    await eventually(
      async () => {
        const d = await api(cluster.url, "/apis/apps/v1/namespaces/default/deployments/paused");
        return d.body.status?.observedGeneration === d.body.metadata.generation;
      },
      15_000,
      "the controller saw the paused change",
    );
    assert.equal(
      (await replicaSets("paused")).length,
      1,
      "a paused Deployment makes no ReplicaSet",
    );
    const status = await cluster.kubectl([
      "rollout",
      "status",
      "deployment/paused",
      "--timeout=2s",
    ]);
    assert.notEqual(status.code, 0);

    await ok(["rollout", "resume", "deployment/paused"]);
    await rolledOut("paused");
    assert.equal((await replicaSets("paused")).length, 2);

    const before = new Set(
      (
        await client.list(resources.pods, { namespace: "default", labelSelector: "app=paused" })
      ).items.map((p) => p.metadata.uid),
    );
    await ok(["rollout", "restart", "deployment/paused"]);
    await rolledOut("paused");
    await eventually(
      async () => {
        const now = (
          await client.list<PodView>(resources.pods, {
            namespace: "default",
            labelSelector: "app=paused",
          })
        ).items.filter((p) => !p.metadata.deletionTimestamp);
        return now.length === 6 && now.every((p) => !before.has(p.metadata.uid));
      },
      30_000,
      "every pod replaced",
    );
    const history = await ok(["rollout", "history", "deployment/paused"]);
    assert.match(history, /^3\s/m);
  });

  it("a rollout that cannot progress reports ProgressDeadlineExceeded", async () => {
    await ok(["apply", "-f", "-"], manifest("stuck", "{type: RollingUpdate}"));
    await rolledOut("stuck");
    await ok(["patch", "deployment/stuck", "-p", '{"spec":{"progressDeadlineSeconds":3}}']);
    // No node carries this label: the new pods stay Pending and the rollout makes no progress.
    await ok([
      "patch",
      "deployment/stuck",
      "-p",
      '{"spec":{"template":{"spec":{"nodeSelector":{"kates.dev/nowhere":"true"}}}}}',
    ]);
    const r = await cluster.kubectl(["rollout", "status", "deployment/stuck", "--timeout=60s"], {
      timeoutMs: 70_000,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exceeded its progress deadline/);
    const d = await api(cluster.url, "/apis/apps/v1/namespaces/default/deployments/stuck");
    const progressing = d.body.status.conditions.find((c: any) => c.type === "Progressing");
    assert.equal(progressing.status, "False");
    assert.equal(progressing.reason, "ProgressDeadlineExceeded");
    // The old pods keep serving: maxUnavailable (25% of 6, rounded down) lets one go.
    assert.ok(d.body.status.availableReplicas >= 5, JSON.stringify(d.body.status));
  });
});
