/**
 * End to end: the DaemonSet controller with the scheduler and three simulated nodes (`sim-0` …
 * `sim-2`), driven with the real kubectl. Daemon pods are pinned to their node by required node
 * affinity and bound by the scheduler; the simulated nodes run them and report them ready.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DaemonSet } from "../../src/api/apps/v1/daemon-set.js";
import { daemonSetTemplateHash } from "../../src/controllers/daemonset/revision.js";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

interface PodView {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { uid: string; kind: string; controller?: boolean }[];
  };
  spec?: {
    nodeName?: string;
    tolerations?: { key?: string; effect?: string; operator?: string }[];
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: {
          nodeSelectorTerms?: {
            matchFields?: { key: string; operator: string; values: string[] }[];
          }[];
        };
      };
    };
    containers?: { image?: string }[];
  };
  status?: { phase?: string };
}

const NS = "default";

function daemonSet(name: string, extra = ""): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${extra}      containers: [{name: c, image: "busybox:1.36"}]
`;
}

describe("DaemonSet controller (kubectl, scheduler, simulated nodes)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const pods = async (app: string): Promise<PodView[]> => {
    const r = await api(cluster.url, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`);
    return (r.body.items as PodView[]).filter((p) => !p.metadata.deletionTimestamp);
  };
  const nodesOf = async (app: string): Promise<string[]> =>
    (await pods(app)).map((p) => p.spec?.nodeName ?? "").sort();
  const runningOn = async (app: string, nodes: string[]): Promise<boolean> => {
    const all = await pods(app);
    return (
      all.length === nodes.length &&
      all.every((p) => p.status?.phase === "Running") &&
      JSON.stringify(all.map((p) => p.spec?.nodeName ?? "").sort()) === JSON.stringify(nodes)
    );
  };
  const status = async (name: string): Promise<Record<string, number>> =>
    JSON.parse(await ok(["get", "ds", name, "-o", "json"])).status ?? {};

  before(async () => {
    cluster = await startCluster({ controllers: true, scheduler: true, simulatedNodes: 3 });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 10_000, "leadership");
  });
  after(async () => {
    await cluster.close();
  });

  it("runs one pod per node, pinned by node affinity and bound by the scheduler", async () => {
    await ok(["apply", "-f", "-"], daemonSet("agent"));
    await eventually(
      () => runningOn("agent", ["sim-0", "sim-1", "sim-2"]),
      30_000,
      "an agent pod running on each node",
    );
    const ds = JSON.parse(await ok(["get", "ds", "agent", "-o", "json"]));
    for (const pod of await pods("agent")) {
      const terms =
        pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
          ?.nodeSelectorTerms;
      assert.deepEqual(terms, [
        { matchFields: [{ key: "metadata.name", operator: "In", values: [pod.spec?.nodeName] }] },
      ]);
      assert.equal(pod.metadata.labels?.["pod-template-generation"], "1");
      assert.ok(pod.metadata.labels?.["controller-revision-hash"]);
      assert.ok(
        pod.metadata.ownerReferences?.some((o) => o.controller && o.uid === ds.metadata.uid),
      );
      const keys = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
      for (const k of [
        "node.kubernetes.io/not-ready:NoExecute",
        "node.kubernetes.io/unreachable:NoExecute",
        "node.kubernetes.io/disk-pressure:NoSchedule",
        "node.kubernetes.io/memory-pressure:NoSchedule",
        "node.kubernetes.io/pid-pressure:NoSchedule",
        "node.kubernetes.io/unschedulable:NoSchedule",
      ]) {
        assert.ok(keys.includes(k), `toleration ${k} on ${pod.metadata.name}`);
      }
    }
    await eventually(
      async () => {
        const s = await status("agent");
        return (
          s["desiredNumberScheduled"] === 3 &&
          s["currentNumberScheduled"] === 3 &&
          s["numberReady"] === 3 &&
          s["numberAvailable"] === 3 &&
          s["updatedNumberScheduled"] === 3 &&
          (s["numberUnavailable"] ?? 0) === 0 &&
          s["numberMisscheduled"] === 0
        );
      },
      20_000,
      "agent status",
    );
    const revisions = await ok(["get", "controllerrevisions", "-l", "app=agent"]);
    assert.match(revisions, /agent-\w+\s+daemonset\.apps\/agent\s+1/);
    const events = await ok(["get", "events", "--field-selector=reason=SuccessfulCreate"]);
    assert.equal((events.match(/Created pod: agent-/g) ?? []).length, 3);
    const described = await ok(["describe", "ds", "agent"]);
    assert.match(described, /Desired Number of Nodes Scheduled: 3/);
    assert.match(described, /Number of Nodes Misscheduled: 0/);
    assert.match(described, /Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
    assert.match(described, /SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: agent-/);
    const table = await ok(["get", "ds", "agent"]);
    assert.match(table, /agent\s+3\s+3\s+3\s+3\s+3\s+<none>/);
  });

  it("replaces a deleted daemon pod", async () => {
    const [first] = await pods("agent");
    await ok(["delete", "pod", first!.metadata.name, "--wait=false"]);
    await eventually(
      async () => {
        const now = await pods("agent");
        return (
          now.length === 3 &&
          !now.some((p) => p.metadata.name === first!.metadata.name) &&
          (await runningOn("agent", ["sim-0", "sim-1", "sim-2"]))
        );
      },
      30_000,
      "a replacement pod",
    );
  });

  it("replaces a failed pod and reports it with a FailedDaemonPod event", async () => {
    const victim = (await pods("agent")).find((p) => p.spec?.nodeName === "sim-1")!;
    const path = `/api/v1/namespaces/${NS}/pods/${victim.metadata.name}`;
    const live = (await api(cluster.url, path)).body;
    const r = await api(cluster.url, `${path}/status`, {
      method: "PUT",
      body: JSON.stringify({ ...live, status: { ...live.status, phase: "Failed" } }),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await eventually(
      async () =>
        !(await pods("agent")).some((p) => p.metadata.name === victim.metadata.name) &&
        (await runningOn("agent", ["sim-0", "sim-1", "sim-2"])),
      30_000,
      "a replacement for the failed pod",
    );
    const events = await ok(["get", "events", "--field-selector=reason=FailedDaemonPod"]);
    assert.match(
      events,
      new RegExp(`Found failed daemon pod default/${victim.metadata.name} on node sim-1`),
    );
  });

  it("a node added gets a pod; its unbound pod goes when the node is removed", async () => {
    // A node without capacity: the scheduler cannot bind the pod, which stays pinned to it.
    await ok(["apply", "-f", "-"], "apiVersion: v1\nkind: Node\nmetadata: {name: extra}\n");
    const pinnedToExtra = async (): Promise<boolean> =>
      (await pods("agent")).some(
        (p) =>
          p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
            ?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] === "extra",
      );
    await eventually(pinnedToExtra, 20_000, "a pod for the new node");
    await eventually(
      async () => (await status("agent"))["desiredNumberScheduled"] === 4,
      20_000,
      "4 desired",
    );
    await ok(["delete", "node", "extra"]);
    await eventually(async () => !(await pinnedToExtra()), 20_000, "the unbound pod deleted");
    await eventually(
      async () => (await status("agent"))["desiredNumberScheduled"] === 3,
      20_000,
      "3 desired",
    );
  });

  it("a NoSchedule taint keeps the existing pod but keeps new DaemonSets off without a toleration", async () => {
    await ok(["taint", "nodes", "sim-1", "k=v:NoSchedule"]);
    // Once agent's status counts sim-1 as misscheduled, the controller's node cache has the taint.
    await eventually(
      async () => {
        const a = await status("agent");
        return a["desiredNumberScheduled"] === 2 && a["numberMisscheduled"] === 1;
      },
      20_000,
      "agent status with sim-1 tainted",
    );
    assert.deepEqual(await nodesOf("agent"), ["sim-0", "sim-1", "sim-2"]);
    await ok(["apply", "-f", "-"], daemonSet("plain"));
    await ok(
      ["apply", "-f", "-"],
      daemonSet(
        "tolerant",
        "      tolerations: [{key: k, operator: Equal, value: v, effect: NoSchedule}]\n",
      ),
    );
    await eventually(() => runningOn("plain", ["sim-0", "sim-2"]), 30_000, "plain skips sim-1");
    await eventually(
      () => runningOn("tolerant", ["sim-0", "sim-1", "sim-2"]),
      30_000,
      "tolerant runs on sim-1",
    );
    assert.deepEqual(await nodesOf("agent"), ["sim-0", "sim-1", "sim-2"]);
    await eventually(
      async () => {
        const s = await status("plain");
        return s["desiredNumberScheduled"] === 2 && s["numberReady"] === 2;
      },
      20_000,
      "plain status with sim-1 tainted",
    );
  });

  it("a NoExecute taint removes the pods that do not tolerate it", async () => {
    await ok(["taint", "nodes", "sim-2", "evict=now:NoExecute"]);
    await eventually(() => runningOn("agent", ["sim-0", "sim-1"]), 30_000, "agent off sim-2");
    await eventually(() => runningOn("plain", ["sim-0"]), 30_000, "plain off sim-2");
    await eventually(
      async () => (await status("agent"))["desiredNumberScheduled"] === 1,
      20_000,
      "agent desired 1",
    );
    await ok(["taint", "nodes", "sim-2", "evict-"]);
    await ok(["taint", "nodes", "sim-1", "k-"]);
    await eventually(
      () => runningOn("plain", ["sim-0", "sim-1", "sim-2"]),
      30_000,
      "plain back on every node once the taints are gone",
    );
    await ok(["delete", "ds", "plain", "tolerant"]);
  });

  it("follows the node selector as node labels change", async () => {
    await ok(["label", "nodes", "sim-0", "sim-2", "disk=ssd"]);
    await ok(["apply", "-f", "-"], daemonSet("ssd", "      nodeSelector: {disk: ssd}\n"));
    await eventually(() => runningOn("ssd", ["sim-0", "sim-2"]), 30_000, "ssd on labelled nodes");
    await ok(["label", "nodes", "sim-1", "disk=ssd"]);
    await eventually(() => runningOn("ssd", ["sim-0", "sim-1", "sim-2"]), 30_000, "ssd on sim-1");
    await ok(["label", "nodes", "sim-0", "disk-"]);
    await eventually(() => runningOn("ssd", ["sim-1", "sim-2"]), 30_000, "ssd off sim-0");
    await ok(["delete", "ds", "ssd"]);
  });

  it("rolls out a new image; rollout status, history and undo work", async () => {
    await eventually(
      () => runningOn("agent", ["sim-0", "sim-1", "sim-2"]),
      30_000,
      "agent back on every node",
    );
    await ok(["set", "image", "ds/agent", "c=busybox:1.37"]);
    let r = await cluster.kubectl(["rollout", "status", "ds/agent", "--timeout=90s"], {
      timeoutMs: 100_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /daemon set "agent" successfully rolled out/);
    const images = async (): Promise<string[]> =>
      (await pods("agent")).map((p) => p.spec?.containers?.[0]?.image ?? "");
    await eventually(
      async () =>
        (await images()).length === 3 && (await images()).every((i) => i === "busybox:1.37"),
      30_000,
      "every pod on the new image",
    );
    for (const pod of await pods("agent")) {
      assert.equal(pod.metadata.labels?.["pod-template-generation"], "2");
    }
    const history = await ok(["rollout", "history", "ds/agent"]);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    const rev1 = await ok(["rollout", "history", "ds/agent", "--revision=1"]);
    assert.match(rev1, /busybox:1\.36/);

    await ok(["rollout", "undo", "ds/agent"]);
    r = await cluster.kubectl(["rollout", "status", "ds/agent", "--timeout=90s"], {
      timeoutMs: 100_000,
    });
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      async () =>
        (await images()).length === 3 && (await images()).every((i) => i === "busybox:1.36"),
      30_000,
      "every pod back on the old image",
    );
    const history2 = await ok(["rollout", "history", "ds/agent"]);
    assert.match(history2, /^2\s/m);
    assert.match(history2, /^3\s/m);
    assert.doesNotMatch(history2, /^1\s/m);
    const s = await status("agent");
    assert.equal(s["updatedNumberScheduled"], 3);
    // The revision data is what kubectl makes of the live template, byte for byte.
    assert.match(
      await ok(["rollout", "undo", "ds/agent", "--to-revision=3"]),
      /skipped rollback \(current template already matches revision 3\)/,
    );

    const names = (await pods("agent")).map((p) => p.metadata.name).sort();
    await ok(["rollout", "restart", "ds/agent"]);
    r = await cluster.kubectl(["rollout", "status", "ds/agent", "--timeout=90s"], {
      timeoutMs: 100_000,
    });
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      async () => {
        const now = await pods("agent");
        return (
          now.length === 3 &&
          now.every((p) => !names.includes(p.metadata.name)) &&
          (await runningOn("agent", ["sim-0", "sim-1", "sim-2"]))
        );
      },
      30_000,
      "every pod replaced by the restart",
    );
    assert.match(await ok(["rollout", "history", "ds/agent"]), /^4\s/m);
  });

  it("OnDelete updates a pod only when it is deleted", async () => {
    await ok(
      ["apply", "-f", "-"],
      daemonSet("manual").replace(
        "spec:\n  selector",
        "spec:\n  updateStrategy: {type: OnDelete}\n  selector",
      ),
    );
    await eventually(() => runningOn("manual", ["sim-0", "sim-1", "sim-2"]), 30_000, "manual pods");
    await ok(["set", "image", "ds/manual", "c=busybox:1.37"]);
    await eventually(
      async () => {
        const ds = JSON.parse(await ok(["get", "ds", "manual", "-o", "json"]));
        return ds.status?.observedGeneration === ds.metadata.generation;
      },
      20_000,
      "the new generation observed",
    );
    const before = await pods("manual");
    assert.equal(before.length, 3);
    assert.ok(before.every((p) => p.spec?.containers?.[0]?.image === "busybox:1.36"));
    assert.equal((await status("manual"))["updatedNumberScheduled"], 0);
    const victim = before.find((p) => p.spec?.nodeName === "sim-0")!;
    await ok(["delete", "pod", victim.metadata.name, "--wait=false"]);
    await eventually(
      async () =>
        (await pods("manual")).some(
          (p) => p.spec?.nodeName === "sim-0" && p.spec.containers?.[0]?.image === "busybox:1.37",
        ),
      30_000,
      "the replacement on the new image",
    );
    await eventually(
      async () => (await status("manual"))["updatedNumberScheduled"] === 1,
      20_000,
      "one updated",
    );
    await ok(["delete", "ds", "manual"]);
  });

  it("a rolling update with maxSurge completes", async () => {
    await ok(
      ["apply", "-f", "-"],
      daemonSet("surge").replace(
        "spec:\n  selector",
        "spec:\n  revisionHistoryLimit: 1\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n  selector",
      ),
    );
    await eventually(() => runningOn("surge", ["sim-0", "sim-1", "sim-2"]), 30_000, "surge pods");
    await ok(["set", "image", "ds/surge", "c=busybox:1.37"]);
    const r = await cluster.kubectl(["rollout", "status", "ds/surge", "--timeout=90s"], {
      timeoutMs: 100_000,
    });
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      async () =>
        (await runningOn("surge", ["sim-0", "sim-1", "sim-2"])) &&
        (await pods("surge")).every((p) => p.spec?.containers?.[0]?.image === "busybox:1.37"),
      30_000,
      "every surge pod replaced",
    );
    await ok(["set", "image", "ds/surge", "c=busybox:1.38"]);
    const again = await cluster.kubectl(["rollout", "status", "ds/surge", "--timeout=90s"], {
      timeoutMs: 100_000,
    });
    assert.equal(again.code, 0, again.stderr);
    // revisionHistoryLimit 1: the current revision and one old one remain.
    await eventually(
      async () => {
        const r = await api(
          cluster.url,
          `/apis/apps/v1/namespaces/${NS}/controllerrevisions?labelSelector=app%3Dsurge`,
        );
        const numbers = (r.body.items as { revision: number }[]).map((c) => c.revision).sort();
        return JSON.stringify(numbers) === "[2,3]";
      },
      30_000,
      "history truncated to revisions 2 and 3",
    );
    await ok(["delete", "ds", "surge"]);
  });

  it("a hash collision bumps status.collisionCount and names the revision anew", async () => {
    const manifest = daemonSet("coll");
    const dry = await ok(["apply", "--dry-run=server", "-o", "json", "-f", "-"], manifest);
    const taken = `coll-${daemonSetTemplateHash(JSON.parse(dry) as DaemonSet)}`;
    // A revision of another template already holds the name the controller would use.
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: ${taken}, labels: {app: other}}
data: {spec: {template: {metadata: {labels: {app: other}}}}}
revision: 1
`,
    );
    await ok(["apply", "-f", "-"], manifest);
    await eventually(() => runningOn("coll", ["sim-0", "sim-1", "sim-2"]), 30_000, "coll pods");
    const ds = JSON.parse(await ok(["get", "ds", "coll", "-o", "json"]));
    assert.equal(ds.status.collisionCount, 1);
    const hash = daemonSetTemplateHash(ds as DaemonSet);
    assert.notEqual(`coll-${hash}`, taken);
    for (const pod of await pods("coll")) {
      assert.equal(pod.metadata.labels?.["controller-revision-hash"], hash);
    }
    const cr = await api(
      cluster.url,
      `/apis/apps/v1/namespaces/${NS}/controllerrevisions/coll-${hash}`,
    );
    assert.equal(cr.status, 200);
    assert.equal(cr.body.metadata.ownerReferences[0].uid, ds.metadata.uid);
    await ok(["delete", "ds", "coll"]);
  });

  it("deleting a DaemonSet in the foreground removes its pods and revisions first", async () => {
    const r = await cluster.kubectl(
      ["delete", "ds", "agent", "--cascade=foreground", "--timeout=60s"],
      {
        timeoutMs: 70_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => (await pods("agent")).length === 0, 30_000, "agent pods gone");
    await eventually(
      async () => {
        const list = await api(
          cluster.url,
          `/apis/apps/v1/namespaces/${NS}/controllerrevisions?labelSelector=app%3Dagent`,
        );
        return list.body.items.length === 0;
      },
      30_000,
      "agent revisions gone",
    );
  });
});
