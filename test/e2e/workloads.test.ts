/**
 * End to end: the Deployment, ReplicaSet and ReplicationController controllers beside an in-process
 * API server, driven with the real kubectl. There is no scheduler nor node agent here, so pods stay
 * Pending; where a rollout needs ready pods, the test marks them Running and Ready through the
 * status subresource, as a node agent would.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

interface PodView {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { uid: string; kind: string; controller?: boolean }[];
  };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const NS = "default";

describe("workload controllers (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const pods = async (selector: string): Promise<PodView[]> => {
    const r = await api(
      cluster.url,
      `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(selector)}`,
    );
    return (r.body.items as PodView[]).filter((p) => !p.metadata.deletionTimestamp);
  };
  const replicaSets = async (selector: string): Promise<any[]> => {
    const r = await api(
      cluster.url,
      `/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=${encodeURIComponent(selector)}`,
    );
    return r.body.items;
  };
  const isReady = (p: PodView): boolean =>
    p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

  /** Marks pods Running and Ready through the status subresource, as a node agent would. */
  const readyPods = async (selector: string, names?: readonly string[]): Promise<void> => {
    for (const pod of await pods(selector)) {
      if (isReady(pod) || (names && !names.includes(pod.metadata.name))) continue;
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const status = {
        ...pod.status,
        phase: "Running",
        podIP: "10.0.0.1",
        startTime: now,
        conditions: ["Initialized", "ContainersReady", "Ready", "PodScheduled"].map((type) => ({
          type,
          status: "True",
          lastTransitionTime: now,
        })),
      };
      const r = await api(
        cluster.url,
        `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/status`,
        {
          method: "PUT",
          body: JSON.stringify({ ...pod, status }),
        },
      );
      // A conflict or a pod deleted meanwhile is retried by the next pass.
      assert.ok([200, 404, 409].includes(r.status), JSON.stringify(r.body));
    }
  };

  /** Readies pods of `selector` in the background until the returned stopper is called. */
  const nodeAgent = (selector: string): (() => Promise<void>) => {
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        await readyPods(selector);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  };

  const ownedBy = (pod: PodView, uid: string): boolean =>
    pod.metadata.ownerReferences?.some((o) => o.controller && o.uid === uid) ?? false;

  before(async () => {
    cluster = await startCluster({
      controllers: ["deployment", "replicaset", "replicationcontroller"],
    });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 10_000, "leadership");
  });
  after(async () => {
    await cluster.close();
  });

  it("kubectl create deployment makes a ReplicaSet and its pods", async () => {
    await ok(["create", "deployment", "web", "--image=nginx", "--replicas=3"]);
    await eventually(async () => (await pods("app=web")).length === 3, 15_000, "3 web pods");
    const [rs, ...more] = await replicaSets("app=web");
    assert.equal(more.length, 0);
    assert.equal(rs.spec.replicas, 3);
    assert.match(rs.metadata.name, /^web-[a-z0-9]+$/);
    assert.equal(rs.metadata.annotations["deployment.kubernetes.io/revision"], "1");
    const d = JSON.parse(await ok(["get", "deployment", "web", "-o", "json"]));
    assert.equal(rs.metadata.ownerReferences[0].uid, d.metadata.uid);
    for (const pod of await pods("app=web")) {
      assert.ok(ownedBy(pod, rs.metadata.uid), `${pod.metadata.name} owned by the ReplicaSet`);
      assert.ok(pod.metadata.name.startsWith(`${rs.metadata.name}-`));
    }
    await eventually(
      async () => {
        const r = await cluster.kubectl([
          "get",
          "events",
          "--field-selector=reason=SuccessfulCreate",
        ]);
        return (r.stdout.match(/Created pod: web-/g) ?? []).length === 3;
      },
      10_000,
      "SuccessfulCreate events",
    );
    await eventually(
      async () => {
        const cur = JSON.parse(await ok(["get", "deployment", "web", "-o", "json"]));
        return (
          cur.status?.replicas === 3 && cur.status.observedGeneration === cur.metadata.generation
        );
      },
      10_000,
      "deployment status",
    );
  });

  it("kubectl scale up and down changes the pods, deleting not-ready pods first", async () => {
    await ok(["scale", "deployment", "web", "--replicas=5"]);
    await eventually(async () => (await pods("app=web")).length === 5, 15_000, "5 web pods");
    const keep = (await pods("app=web")).slice(0, 2).map((p) => p.metadata.name);
    await readyPods("app=web", keep);
    await eventually(
      async () => (await pods("app=web")).filter(isReady).length === 2,
      10_000,
      "2 ready pods",
    );
    await ok(["scale", "deployment", "web", "--replicas=2"]);
    await eventually(async () => (await pods("app=web")).length === 2, 15_000, "2 web pods");
    const left = (await pods("app=web")).map((p) => p.metadata.name).sort();
    assert.deepEqual(left, [...keep].sort());
  });

  it("a ReplicaSet replaces a deleted pod", async () => {
    const before = (await pods("app=web")).map((p) => p.metadata.name);
    await ok(["delete", "pod", before[0]!]);
    await eventually(
      async () => {
        const now = (await pods("app=web")).map((p) => p.metadata.name);
        return now.length === 2 && !now.includes(before[0]!);
      },
      15_000,
      "a replacement pod",
    );
    const r = await cluster.kubectl(["get", "events", "--field-selector=reason=SuccessfulDelete"]);
    assert.match(r.stdout, /Deleted pod: web-/);
  });

  it("a ReplicationController keeps its replicas", async () => {
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: c, image: nginx}]
`,
    );
    await eventually(async () => (await pods("app=legacy")).length === 2, 15_000, "2 rc pods");
    const rc = JSON.parse(await ok(["get", "rc", "legacy", "-o", "json"]));
    const first = await pods("app=legacy");
    for (const pod of first) assert.ok(ownedBy(pod, rc.metadata.uid));
    await ok(["delete", "pod", first[0]!.metadata.name]);
    await eventually(
      async () => {
        const now = await pods("app=legacy");
        return now.length === 2 && !now.some((p) => p.metadata.name === first[0]!.metadata.name);
      },
      15_000,
      "a replacement rc pod",
    );
    await eventually(
      async () => {
        const cur = JSON.parse(await ok(["get", "rc", "legacy", "-o", "json"]));
        return cur.status?.replicas === 2 && cur.status.observedGeneration === 1;
      },
      10_000,
      "rc status",
    );
  });

  it("a ReplicaSet adopts a matching orphan pod and creates only the rest", async () => {
    await ok(["run", "stray", "--image=nginx", "--labels=app=adopt"]);
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: adopter}
spec:
  replicas: 2
  selector: {matchLabels: {app: adopt}}
  template:
    metadata: {labels: {app: adopt}}
    spec:
      containers: [{name: c, image: nginx}]
`,
    );
    const rs = JSON.parse(await ok(["get", "rs", "adopter", "-o", "json"]));
    await eventually(
      async () => {
        const all = await pods("app=adopt");
        return all.length === 2 && all.every((p) => ownedBy(p, rs.metadata.uid));
      },
      15_000,
      "the orphan adopted and one pod created",
    );
    assert.ok((await pods("app=adopt")).some((p) => p.metadata.name === "stray"));
    // A pod whose labels stop matching is released, and replaced.
    await ok(["label", "pod", "stray", "app=gone", "--overwrite"]);
    await eventually(
      async () => {
        const stray = (await pods("app=gone"))[0];
        const all = await pods("app=adopt");
        return (
          stray !== undefined &&
          !ownedBy(stray, rs.metadata.uid) &&
          all.length === 2 &&
          all.every((p) => p.metadata.name !== "stray")
        );
      },
      15_000,
      "stray released and replaced",
    );
  });

  it("kubectl set image rolls out; rollout status, history and undo work", async () => {
    await ok(["create", "deployment", "roll", "--image=nginx:1.26", "--replicas=3"]);
    const stop = nodeAgent("app=roll");
    try {
      let r = await cluster.kubectl(["rollout", "status", "deployment/roll", "--timeout=60s"], {
        timeoutMs: 70_000,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /successfully rolled out/);

      await ok(["set", "image", "deployment/roll", "nginx=nginx:1.27"]);
      r = await cluster.kubectl(["rollout", "status", "deployment/roll", "--timeout=60s"], {
        timeoutMs: 70_000,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /successfully rolled out/);
      const sets = await replicaSets("app=roll");
      assert.equal(sets.length, 2);
      const byImage = (image: string): any =>
        sets.find((s) => s.spec.template.spec.containers[0].image === image);
      assert.equal(byImage("nginx:1.27").spec.replicas, 3);
      assert.equal(byImage("nginx:1.26").spec.replicas, 0);
      await eventually(
        async () =>
          (await pods("app=roll")).every(
            (p) => p.metadata.ownerReferences?.[0]?.uid === byImage("nginx:1.27").metadata.uid,
          ),
        15_000,
        "old pods gone",
      );

      const history = await ok(["rollout", "history", "deployment/roll"]);
      assert.match(history, /^1\s/m);
      assert.match(history, /^2\s/m);

      await ok(["rollout", "undo", "deployment/roll"]);
      r = await cluster.kubectl(["rollout", "status", "deployment/roll", "--timeout=60s"], {
        timeoutMs: 70_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const d = JSON.parse(await ok(["get", "deployment", "roll", "-o", "json"]));
      assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.26");
      assert.equal(d.metadata.annotations["deployment.kubernetes.io/revision"], "3");
      const after = await replicaSets("app=roll");
      assert.equal(after.length, 2, "undo reuses the first ReplicaSet");
      const old = after.find((s) => s.spec.template.spec.containers[0].image === "nginx:1.26");
      assert.equal(old.spec.replicas, 3);
      assert.equal(old.metadata.annotations["deployment.kubernetes.io/revision"], "3");
      const history2 = await ok(["rollout", "history", "deployment/roll"]);
      assert.match(history2, /^2\s/m);
      assert.match(history2, /^3\s/m);
      assert.doesNotMatch(history2, /^1\s/m);
    } finally {
      await stop();
    }
  });
});
