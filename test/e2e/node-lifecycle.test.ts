/**
 * End to end: what keeps pods healthy when nodes fail or are drained, with the real kubectl against
 * controllers, the scheduler and three simulated nodes. `kubectl drain` evicts through pods/eviction
 * and retries while a PodDisruptionBudget refuses; a node that stops renewing its lease goes
 * Unknown, is tainted unreachable, and its pods are evicted after their toleration and replaced;
 * pods of a deleted node are collected.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disruptionControllerFactory } from "../../src/controllers/disruption/controller.js";
import { nodeLifecycleControllerFactory } from "../../src/controllers/nodelifecycle/controller.js";
import { podGCControllerFactory } from "../../src/controllers/podgc/controller.js";
import {
  api,
  eventually,
  startCluster,
  startKubectl,
  versionedKubectl,
  type TestCluster,
} from "../harness.js";

interface PodView {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; tolerations?: Record<string, unknown>[] };
  status: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

interface NodeView {
  spec: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status: { conditions: { type: string; status: string; reason?: string; message?: string }[] };
}

describe("node lifecycle, eviction and drain (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string, binary?: string): Promise<string> => {
    const r = await cluster.kubectl(args, {
      ...(input === undefined ? {} : { input }),
      ...(binary ? { binary } : {}),
    });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const pods = async (app: string): Promise<PodView[]> =>
    (await api(cluster.url, `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).body
      .items as PodView[];
  const node = async (name: string): Promise<NodeView> =>
    (await api(cluster.url, `/api/v1/nodes/${name}`)).body as NodeView;
  const hasTaint = (n: NodeView, key: string, effect: string): boolean =>
    (n.spec.taints ?? []).some((t) => t.key === `node.kubernetes.io/${key}` && t.effect === effect);
  const runningReady = (p: PodView): boolean =>
    !p.metadata.deletionTimestamp &&
    p.status.phase === "Running" &&
    (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

  /** Creates a Deployment whose pods all land on `target`: the other nodes are cordoned meanwhile. */
  async function deployOn(target: string, manifest: string, app: string, replicas: number) {
    const others = ["sim-0", "sim-1", "sim-2"].filter((n) => n !== target);
    await ok(["cordon", ...others]);
    await ok(["apply", "-f", "-"], manifest);
    await eventually(
      async () => {
        const ps = (await pods(app)).filter(runningReady);
        return ps.length === replicas && ps.every((p) => p.spec.nodeName === target);
      },
      60_000,
      `${replicas} ready pods of ${app} on ${target}`,
    );
    await ok(["uncordon", ...others]);
  }

  const deployment = (name: string, replicas: number, podSpec: Record<string, unknown> = {}) =>
    JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "c", image: "nginx" }], ...podSpec },
        },
      },
    });

  before(async () => {
    cluster = await startCluster({
      controllers: true,
      scheduler: true,
      simulatedNodes: 3,
      controllerFactories: {
        disruption: disruptionControllerFactory({ stalePodDisruptionTimeoutMs: 1_000 }),
        nodelifecycle: nodeLifecycleControllerFactory({
          nodeMonitorGracePeriodMs: 3_000,
          nodeMonitorPeriodMs: 500,
        }),
        podgc: podGCControllerFactory({
          gcCheckPeriodMs: 500,
          quarantineMs: 1_000,
          terminatedPodThreshold: 2,
        }),
      },
    });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 20_000, "controller leader");
  });
  after(() => cluster.close());

  it("cordoning taints a node unschedulable, uncordoning lifts it", async () => {
    await ok(["cordon", "sim-0"]);
    await eventually(
      async () => hasTaint(await node("sim-0"), "unschedulable", "NoSchedule"),
      20_000,
      "the unschedulable taint",
    );
    await ok(["uncordon", "sim-0"]);
    await eventually(
      async () => !hasTaint(await node("sim-0"), "unschedulable", "NoSchedule"),
      20_000,
      "the unschedulable taint to go",
    );
  });

  it("gives pods the default 300 s not-ready and unreachable tolerations", async () => {
    await deployOn("sim-1", deployment("web", 3), "web", 3);
    const [p] = await pods("web");
    for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
      assert.ok(
        p?.spec.tolerations?.some(
          (t) =>
            t["key"] === key &&
            t["effect"] === "NoExecute" &&
            t["operator"] === "Exists" &&
            t["tolerationSeconds"] === 300,
        ),
        `toleration of ${key} in ${JSON.stringify(p?.spec.tolerations)}`,
      );
    }
  });

  it("a percentage budget scales against the Deployment's replicas", async () => {
    await ok(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web-half" },
        spec: { maxUnavailable: "50%", selector: { matchLabels: { app: "web" } } },
      }),
    );
    await eventually(
      async () => {
        const s = (
          await api(cluster.url, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-half")
        ).body.status;
        const cond = s?.conditions?.find((c: { type: string }) => c.type === "DisruptionAllowed");
        // 3 replicas, 50% rounded up may be unavailable: 1 must stay healthy, 2 may go.
        return (
          s?.expectedPods === 3 &&
          s.desiredHealthy === 1 &&
          s.currentHealthy === 3 &&
          s.disruptionsAllowed === 2 &&
          cond?.status === "True" &&
          cond.reason === "SufficientPods"
        );
      },
      20_000,
      "the web-half budget's status",
    );
    assert.match(await ok(["get", "pdb", "web-half"]), /web-half\s+N\/A\s+50%\s+2\s/);
    await ok(["delete", "pdb", "web-half"]);
  });

  it("a DisruptionTarget condition on a pod that was not deleted goes back to False", async () => {
    const [p] = await pods("web");
    assert.ok(p);
    const path = `/api/v1/namespaces/default/pods/${p.metadata.name}/status`;
    const patched = await api(cluster.url, path, {
      method: "PATCH",
      headers: { "Content-Type": "application/strategic-merge-patch+json" },
      body: JSON.stringify({
        status: {
          conditions: [
            {
              type: "DisruptionTarget",
              status: "True",
              reason: "EvictionByEvictionAPI",
              message: "Eviction API: evicting",
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
            },
          ],
        },
      }),
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await eventually(
      async () => {
        const got = (await api(cluster.url, `/api/v1/namespaces/default/pods/${p.metadata.name}`))
          .body as PodView;
        return (
          got.status.conditions?.find((c) => c.type === "DisruptionTarget")?.status === "False"
        );
      },
      20_000,
      "the stale DisruptionTarget condition to be reset",
    );
  });

  it("kubectl drain (1.27) evicts a Deployment's pods, which come back on other nodes", async () => {
    const before = (await pods("web")).map((p) => p.metadata.name).sort();
    const dry = await ok([
      "drain",
      "sim-1",
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--dry-run=server",
    ]);
    assert.match(dry, /evicting pod default\/web-\S+ \(server dry run\)/);
    assert.match(dry, /node\/sim-1 drained \(server dry run\)/);
    const after = await pods("web");
    assert.deepEqual(after.map((p) => p.metadata.name).sort(), before, "a dry run evicts nothing");
    assert.ok(after.every((p) => !p.metadata.deletionTimestamp));
    assert.notEqual((await node("sim-1")).spec.unschedulable, true);

    const out = await ok(
      ["drain", "sim-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s"],
      undefined,
      versionedKubectl(27),
    );
    assert.match(out, /evicted/);
    assert.match(out, /node\/sim-1 drained/);
    await eventually(
      async () => {
        const ps = (await pods("web")).filter(runningReady);
        return ps.length === 3 && ps.every((p) => p.spec.nodeName !== "sim-1");
      },
      60_000,
      "3 ready web pods off sim-1",
    );
    const n = await node("sim-1");
    assert.equal(n.spec.unschedulable, true);
    await ok(["uncordon", "sim-1"]);
    await eventually(
      async () => !hasTaint(await node("sim-1"), "unschedulable", "NoSchedule"),
      20_000,
      "sim-1 schedulable again",
    );
  });

  it("a PodDisruptionBudget makes drain retry until it allows the eviction", async () => {
    await deployOn("sim-1", deployment("db", 2), "db", 2);
    await ok(["create", "poddisruptionbudget", "db", "--selector=app=db", "--min-available=2"]);
    await eventually(
      async () => {
        const pdb = (
          await api(cluster.url, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/db")
        ).body;
        return pdb.status?.currentHealthy === 2 && pdb.status?.expectedPods === 2;
      },
      20_000,
      "the budget's status",
    );
    const pdbText = await ok(["get", "pdb", "db"]);
    assert.match(pdbText, /db\s+2\s+N\/A\s+0\s/);

    const drain = startKubectl(cluster, [
      "drain",
      "sim-1",
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--timeout=120s",
    ]);
    try {
      await eventually(
        () =>
          drain
            .output()
            .includes("Cannot evict pod as it would violate the pod's disruption budget."),
        30_000,
        "drain to be refused by the budget",
      );
      assert.equal((await pods("db")).filter(runningReady).length, 2, "no pod was evicted");

      await ok(["patch", "pdb", "db", "--type=merge", "-p", '{"spec":{"minAvailable":1}}']);
      await eventually(
        () => drain.output().includes("node/sim-1 drained"),
        90_000,
        "drain to finish",
      );
    } finally {
      await drain.stop();
    }
    await eventually(
      async () => {
        const ps = (await pods("db")).filter(runningReady);
        return ps.length === 2 && ps.every((p) => p.spec.nodeName !== "sim-1");
      },
      60_000,
      "2 ready db pods off sim-1",
    );
    await ok(["uncordon", "sim-1"]);
  });

  it("a node that stops renewing its lease goes Unknown, is tainted, and its pods move", async () => {
    const tolerations = ["unreachable", "not-ready"].map((key) => ({
      key: `node.kubernetes.io/${key}`,
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 3,
    }));
    await deployOn("sim-2", deployment("api", 2, { tolerations }), "api", 2);
    const before = (await pods("api")).map((p) => p.metadata.name);

    cluster.simulator!.stopNode("sim-2");
    await eventually(
      async () => {
        const n = await node("sim-2");
        const ready = n.status.conditions.find((c) => c.type === "Ready");
        return (
          ready?.status === "Unknown" &&
          ready.reason === "NodeStatusUnknown" &&
          ready.message === "Kubelet stopped posting node status." &&
          hasTaint(n, "unreachable", "NoExecute") &&
          hasTaint(n, "unreachable", "NoSchedule")
        );
      },
      30_000,
      "sim-2 Unknown and tainted unreachable",
    );
    assert.match(await ok(["get", "node", "sim-2"]), /sim-2\s+NotReady/);

    await eventually(
      async () => {
        const ps = await pods("api");
        const replacements = ps.filter((p) => runningReady(p) && !before.includes(p.metadata.name));
        const old = ps.filter((p) => before.includes(p.metadata.name));
        return (
          replacements.length === 2 &&
          replacements.every((p) => p.spec.nodeName !== "sim-2") &&
          old.every((p) => !!p.metadata.deletionTimestamp)
        );
      },
      60_000,
      "the api pods evicted from sim-2 and replaced elsewhere",
    );
    const evicted = (await pods("api")).filter((p) => before.includes(p.metadata.name));
    for (const p of evicted) {
      const conditions = p.status.conditions ?? [];
      assert.equal(conditions.find((c) => c.type === "Ready")?.status, "False", "marked not ready");
      assert.equal(
        conditions.find((c) => c.type === "DisruptionTarget")?.reason,
        "DeletionByTaintManager",
      );
    }
    type EventView = { reason: string; message: string; involvedObject: { name: string } };
    const has = (events: EventView[], reason: string, name: string, message?: string): boolean =>
      events.some(
        (e) =>
          e.reason === reason &&
          e.involvedObject.name === name &&
          (message === undefined || e.message === message),
      );
    // Events are written in the background: wait for them.
    await eventually(
      async () => {
        const events = (await api(cluster.url, "/api/v1/namespaces/default/events")).body
          .items as EventView[];
        return (
          has(
            events,
            "RegisteredNode",
            "sim-2",
            "Node sim-2 event: Registered Node sim-2 in Controller",
          ) &&
          has(events, "NodeNotReady", "sim-2", "Node sim-2 status is now: NodeNotReady") &&
          before.every(
            (pod) =>
              has(events, "NodeNotReady", pod, "Node is not ready") &&
              has(events, "TaintManagerEviction", pod, `Marking for deletion Pod default/${pod}`),
          )
        );
      },
      20_000,
      "the node's and the pods' events",
    );

    await cluster.simulator!.startNode("sim-2");
    await eventually(
      async () => {
        const n = await node("sim-2");
        const ready = n.status.conditions.find((c) => c.type === "Ready");
        return (
          ready?.status === "True" &&
          !hasTaint(n, "unreachable", "NoExecute") &&
          !hasTaint(n, "unreachable", "NoSchedule")
        );
      },
      30_000,
      "sim-2 Ready and untainted",
    );
    await eventually(
      async () => (await pods("api")).every((p) => !before.includes(p.metadata.name)),
      30_000,
      "the evicted pods to finish once sim-2 is back",
    );
  });

  it("pod GC deletes the pods of a deleted node", async () => {
    await ok(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "stray", labels: { app: "stray" } },
        spec: { nodeName: "sim-0", containers: [{ name: "c", image: "nginx" }] },
      }),
    );
    await eventually(async () => (await pods("stray")).some(runningReady), 30_000, "stray running");
    await ok(["delete", "node", "sim-0"]);
    await eventually(async () => (await pods("stray")).length === 0, 30_000, "stray collected");
    await eventually(
      async () =>
        (
          (await api(cluster.url, "/api/v1/namespaces/default/events")).body.items as {
            reason: string;
            message: string;
          }[]
        ).some(
          (e) =>
            e.reason === "RemovingNode" &&
            e.message === "Node sim-0 event: Removing Node sim-0 from Controller",
        ),
      20_000,
      "the RemovingNode event",
    );
  });

  it("pod GC keeps only the threshold of finished pods, deleting the oldest", async () => {
    for (let i = 0; i < 4; i++) {
      await ok(
        ["apply", "-f", "-"],
        JSON.stringify({
          apiVersion: "v1",
          kind: "Pod",
          metadata: {
            name: `done-${i}`,
            labels: { app: "done" },
            annotations: { "kates.dev/simulate-exit-after": "100ms" },
          },
          spec: {
            nodeName: "sim-1",
            restartPolicy: "Never",
            containers: [{ name: "c", image: "busybox" }],
          },
        }),
      );
    }
    await eventually(
      async () => {
        const names = (await pods("done")).map((p) => p.metadata.name).sort();
        return names.join(",") === "done-2,done-3";
      },
      30_000,
      "the two newest finished pods to remain",
    );
    for (const p of await pods("done")) assert.equal(p.status.phase, "Succeeded");
  });
});

describe("node lifecycle when every node goes silent", () => {
  let cluster: TestCluster;
  const node = async (name: string) =>
    (await api(cluster.url, `/api/v1/nodes/${name}`)).body as {
      spec: { taints?: { key: string; effect: string }[] };
      status: { conditions: { type: string; status: string }[] };
    };
  const state = async (name: string): Promise<string> => {
    const n = await node(name);
    const ready = n.status.conditions.find((c) => c.type === "Ready")?.status ?? "?";
    const taints = (n.spec.taints ?? [])
      .filter((t) => t.key === "node.kubernetes.io/unreachable")
      .map((t) => t.effect)
      .sort();
    return `${ready} ${taints.join(",")}`;
  };
  const names = ["sim-0", "sim-1", "sim-2"];

  before(async () => {
    cluster = await startCluster({
      controllers: ["nodelifecycle"],
      simulatedNodes: 3,
      controllerFactories: {
        nodelifecycle: nodeLifecycleControllerFactory({
          nodeMonitorGracePeriodMs: 2_000,
          nodeMonitorPeriodMs: 300,
          evictionLimiterQPS: 100,
        }),
      },
    });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 20_000, "controller leader");
  });
  after(() => cluster.close());

  it("holds back NoExecute taints while the whole zone is down, and resumes when a node returns", async () => {
    for (const name of names) cluster.simulator!.stopNode(name);
    await eventually(
      async () => {
        const states = await Promise.all(names.map(state));
        return states.every((s) => s === "Unknown NoSchedule");
      },
      30_000,
      "every node Unknown, tainted NoSchedule but not NoExecute",
    );
    // It stays so: over several monitor periods no node gets a NoExecute taint.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        await Promise.all(names.map(state)),
        names.map(() => "Unknown NoSchedule"),
      );
    }

    await cluster.simulator!.startNode("sim-0");
    await eventually(
      async () => {
        const states = await Promise.all(names.map(state));
        return (
          states[0] === "True " &&
          states[1] === "Unknown NoExecute,NoSchedule" &&
          states[2] === "Unknown NoExecute,NoSchedule"
        );
      },
      30_000,
      "sim-0 Ready and the silent nodes tainted for eviction",
    );
  });
});
