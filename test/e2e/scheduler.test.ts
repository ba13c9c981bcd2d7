/**
 * End to end: the scheduler beside an in-process API server, driven with the real kubectl. There is
 * no node agent yet, so Nodes are created by hand with capacity and a Ready condition.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KubeClient } from "../../src/client/client.js";
import { resources } from "../../src/client/resource.js";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

function node(name: string, cpu: string, labels: Record<string, string> = {}): object {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } },
    status: {
      capacity: { cpu, memory: "8Gi", pods: "110" },
      allocatable: { cpu, memory: "8Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "ready" }],
    },
  };
}

function pod(name: string, spec: Record<string, unknown> = {}, cpu = "100m"): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      containers: [{ name: "c", image: "busybox", resources: { requests: { cpu } } }],
      ...spec,
    },
  };
}

const list = (...items: object[]): string =>
  JSON.stringify({ apiVersion: "v1", kind: "List", items });

describe("scheduler (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const nodeOf = async (name: string): Promise<string> =>
    (await api(cluster.url, `/api/v1/namespaces/default/pods/${name}`)).body.spec?.nodeName ?? "";

  before(async () => {
    cluster = await startCluster({ scheduler: true });
    await eventually(() => cluster.scheduler?.isLeader() ?? false, 10_000, "leadership");
    await ok(["create", "-f", "-"], list(node("n1", "2"), node("n2", "2")));
  });
  after(() => cluster.close());

  it("holds the kube-system/kube-scheduler lease", async () => {
    const lease = await api(
      cluster.url,
      "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler",
    );
    assert.equal(lease.status, 200);
  });

  it("binds pods to nodes; get -o wide shows the node and describe the Scheduled event", async () => {
    await ok(["create", "-f", "-"], list(pod("p1"), pod("p2"), pod("p3")));
    for (const p of ["p1", "p2", "p3"]) {
      await eventually(async () => (await nodeOf(p)) !== "", 10_000, `${p} bound`);
    }
    const wide = await ok(["get", "pods", "-o", "wide", "--no-headers"]);
    for (const p of ["p1", "p2", "p3"]) {
      assert.match(
        wide,
        new RegExp(`^${p}\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+n[12]\\s`, "m"),
      );
    }
    const got = JSON.parse(await ok(["get", "pod", "p1", "-o", "json"]));
    const cond = got.status.conditions.find((c: { type: string }) => c.type === "PodScheduled");
    assert.equal(cond.status, "True");
    await eventually(
      async () =>
        /Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/p1 to n[12]/.test(
          await ok(["describe", "pod", "p1"]),
        ),
      10_000,
      "Scheduled event",
    );
  });

  it("leaves a pod no node selects Pending with upstream's message, then binds it to a new node", async () => {
    await ok(
      ["create", "-f", "-"],
      JSON.stringify(pod("picky", { nodeSelector: { disk: "ssd" } })),
    );
    const message =
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. " +
      "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    await eventually(
      async () => (await ok(["describe", "pod", "picky"])).includes(message),
      10_000,
      "FailedScheduling event",
    );
    const described = await ok(["describe", "pod", "picky"]);
    assert.match(described, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/2 nodes/);
    assert.match(described, /Status:\s+Pending/);
    const got = JSON.parse(await ok(["get", "pod", "picky", "-o", "json"]));
    const cond = got.status.conditions.find((c: { type: string }) => c.type === "PodScheduled");
    assert.deepEqual([cond.status, cond.reason, cond.message], ["False", "Unschedulable", message]);
    assert.equal(got.spec.nodeName, undefined);

    await ok(["create", "-f", "-"], JSON.stringify(node("n3", "2", { disk: "ssd" })));
    await eventually(async () => (await nodeOf("picky")) === "n3", 10_000, "picky bound to n3");
  });

  it("leaves a pod too big for any node Pending with Insufficient cpu", async () => {
    await ok(["create", "-f", "-"], JSON.stringify(pod("huge", {}, "64")));
    await eventually(
      async () =>
        (await ok(["describe", "pod", "huge"])).includes(
          "0/3 nodes are available: 3 Insufficient cpu.",
        ),
      10_000,
      "Insufficient cpu event",
    );
    assert.equal(await nodeOf("huge"), "");
  });

  it("preempts a lower-priority pod for a higher-priority one", async () => {
    await ok(["create", "-f", "-"], list(node("small", "1", { size: "small" })));
    const onSmall = { nodeSelector: { size: "small" } };
    await ok(
      ["create", "-f", "-"],
      JSON.stringify(pod("low", { ...onSmall, priority: 0 }, "800m")),
    );
    await eventually(async () => (await nodeOf("low")) === "small", 10_000, "low bound");
    await ok(
      ["create", "-f", "-"],
      JSON.stringify(pod("high", { ...onSmall, priority: 1000 }, "800m")),
    );
    // Without a node agent the victim stays terminating, as upstream until its kubelet confirms.
    await eventually(
      async () =>
        (await api(cluster.url, "/api/v1/namespaces/default/pods/low")).body.metadata
          ?.deletionTimestamp !== undefined,
      10_000,
      "victim deleted",
    );
    await eventually(
      async () =>
        (await api(cluster.url, "/api/v1/namespaces/default/pods/high")).body.status
          ?.nominatedNodeName === "small",
      10_000,
      "nominated node",
    );
    assert.match(
      await ok(["describe", "pod", "low"]),
      /Preempted\s+\S+\s+default-scheduler\s+Preempted by pod \S+ on node small/,
    );
    await ok(["delete", "pod", "low", "--grace-period=0", "--force"]);
    await eventually(async () => (await nodeOf("high")) === "small", 15_000, "high bound");
  });
});

describe("scheduler throughput", () => {
  it("binds 1,000 pods on 100 nodes through the real API", { timeout: 120_000 }, async () => {
    const cluster = await startCluster({ scheduler: false });
    const client = new KubeClient(cluster.url);
    try {
      const creates: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) {
        creates.push(client.create(resources.nodes, node(`node-${i}`, "32") as never));
      }
      await Promise.all(creates);
      creates.length = 0;
      for (let i = 0; i < 1000; i++) {
        creates.push(
          client.create(resources.pods, pod(`bench-${i}`) as never, { namespace: "default" }),
        );
      }
      await Promise.all(creates);
      const { KubeScheduler, schedulerClient } = await import("../../src/scheduler/loop.js");
      const schedClient = schedulerClient(cluster.url);
      const scheduler = new KubeScheduler({ client: schedClient, retryPeriodMs: 200 });
      const started = performance.now();
      scheduler.start();
      await eventually(() => (scheduler.loop?.bound ?? 0) >= 1000, 100_000, "1000 pods bound");
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `# scheduler throughput: 1000 pods on 100 nodes bound in ${seconds.toFixed(2)} s ` +
          `(${(1000 / seconds).toFixed(0)} pods/s, leader election and initial list included)`,
      );
      await scheduler.stop();
      schedClient.close();
      const pods = await client.list(resources.pods, { namespace: "default" });
      assert.equal(pods.items.filter((p) => !(p as any).spec?.nodeName).length, 0);
    } finally {
      client.close();
      await cluster.close();
    }
  });
});
