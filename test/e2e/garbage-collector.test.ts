/**
 * End to end: the garbage collector beside an in-process API server, driven with the real kubectl —
 * the three propagation policies on a ReplicaSet whose pods reference it, a Deployment → ReplicaSet →
 * Pod chain, and objects whose owners never existed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

const NS = "gc";

describe("garbage collector (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const create = async (obj: object): Promise<any> =>
    JSON.parse(await ok(["create", "-f", "-", "-o", "json"], JSON.stringify(obj)));
  const ownerRef = (owner: any, block = true) => ({
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    ...(block ? { blockOwnerDeletion: true } : {}),
  });
  const replicaSet = (name: string, owners: object[] = []) =>
    create({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: NS, ...(owners.length ? { ownerReferences: owners } : {}) },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "c", image: "nginx" }] },
        },
      },
    });
  const pod = (name: string, owners: object[]) =>
    create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: NS, ownerReferences: owners },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
  const status = async (path: string) => (await api(cluster.url, path)).status;
  const podPath = (name: string) => `/api/v1/namespaces/${NS}/pods/${name}`;

  before(async () => {
    cluster = await startCluster({ controllers: ["garbagecollector"] });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 10_000, "leadership");
    await ok(["create", "namespace", NS]);
  });
  after(async () => {
    await cluster.close();
  });

  it("--cascade=background deletes the owner at once, then its pods", async () => {
    const rs = await replicaSet("bg");
    await pod("bg-1", [ownerRef(rs)]);
    await pod("bg-2", [ownerRef(rs)]);
    await ok(["delete", "rs", "bg", "-n", NS, "--cascade=background"]);
    assert.equal(await status(`/apis/apps/v1/namespaces/${NS}/replicasets/bg`), 404);
    await eventually(
      async () =>
        (await status(podPath("bg-1"))) === 404 && (await status(podPath("bg-2"))) === 404,
      15_000,
      "pods of bg to be collected",
    );
  });

  it("--cascade=foreground deletes the pods before the owner", async () => {
    const rs = await replicaSet("fg");
    await pod("fg-1", [ownerRef(rs)]);
    await pod("fg-2", [ownerRef(rs, false)]);
    const watch = startWatch(cluster.url, `/apis/apps/v1/namespaces/${NS}/replicasets`);
    try {
      await ok(["delete", "rs", "fg", "-n", NS, "--cascade=foreground", "--timeout=30s"]);
      // kubectl waited for the owner to go; its blocking pod was gone before that.
      assert.equal(await status(podPath("fg-1")), 404);
      await eventually(async () => (await status(podPath("fg-2"))) === 404, 15_000, "fg-2");
      const events = await watch.events((evs) =>
        evs.some((e) => e.type === "DELETED" && e.object.metadata.name === "fg"),
      );
      const marked = events.find(
        (e) => e.object.metadata.name === "fg" && e.object.metadata.deletionTimestamp,
      );
      assert.deepEqual(marked?.object.metadata.finalizers, ["foregroundDeletion"]);
    } finally {
      watch.stop();
    }
  });

  it("--cascade=orphan keeps the pods and removes their reference to the owner", async () => {
    const rs = await replicaSet("or");
    const other = { apiVersion: "v1", kind: "ConfigMap", name: "keeper", uid: "" };
    const cm = await create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keeper", namespace: NS },
    });
    other.uid = cm.metadata.uid;
    await pod("or-1", [ownerRef(rs)]);
    await pod("or-2", [ownerRef(rs), other]);
    await ok(["delete", "rs", "or", "-n", NS, "--cascade=orphan", "--timeout=30s"]);
    assert.equal(await status(`/apis/apps/v1/namespaces/${NS}/replicasets/or`), 404);
    const p1 = (await api(cluster.url, podPath("or-1"))).body;
    assert.equal(p1.metadata.ownerReferences, undefined);
    const p2 = (await api(cluster.url, podPath("or-2"))).body;
    assert.deepEqual(p2.metadata.ownerReferences, [other]);
  });

  it("deleting a Deployment in the background collects its ReplicaSet and the pods", async () => {
    const deploy = await create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "chain", namespace: NS },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "chain" } },
        template: {
          metadata: { labels: { app: "chain" } },
          spec: { containers: [{ name: "c", image: "nginx" }] },
        },
      },
    });
    const rs = await replicaSet("chain-rs", [ownerRef(deploy)]);
    await pod("chain-1", [ownerRef(rs)]);
    await pod("chain-2", [ownerRef(rs)]);
    await ok(["delete", "deploy", "chain", "-n", NS]);
    await eventually(
      async () =>
        (await status(`/apis/apps/v1/namespaces/${NS}/replicasets/chain-rs`)) === 404 &&
        (await status(podPath("chain-1"))) === 404 &&
        (await status(podPath("chain-2"))) === 404,
      15_000,
      "the chain to be collected",
    );
  });

  it("collects an object whose owner never existed, and strips a dangling reference", async () => {
    const ghost = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: "ghost",
      uid: "00000000-0000-0000-0000-000000000001",
    };
    await create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "orphaned", namespace: NS, ownerReferences: [ghost] },
    });
    const live = await create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "live-owner", namespace: NS },
    });
    const liveRef = {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "live-owner",
      uid: live.metadata.uid,
    };
    await create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "half", namespace: NS, ownerReferences: [ghost, liveRef] },
    });
    await eventually(
      async () => (await status(`/api/v1/namespaces/${NS}/configmaps/orphaned`)) === 404,
      15_000,
      "orphaned to be collected",
    );
    await eventually(
      async () => {
        const half = (await api(cluster.url, `/api/v1/namespaces/${NS}/configmaps/half`)).body;
        return JSON.stringify(half.metadata?.ownerReferences) === JSON.stringify([liveRef]);
      },
      15_000,
      "half to lose its dangling reference",
    );
  });
});

/** A watch over fetch, collecting its events until stopped. */
function startWatch(url: string, path: string) {
  const abort = new AbortController();
  const seen: { type: string; object: any }[] = [];
  const done = (async () => {
    try {
      const res = await fetch(`${url}${path}?watch=true`, { signal: abort.signal });
      const decoder = new TextDecoder();
      let buf = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) seen.push(JSON.parse(line));
        }
      }
    } catch {
      // Aborted.
    }
  })();
  return {
    async events(until: (evs: typeof seen) => boolean): Promise<typeof seen> {
      await eventually(() => until(seen), 10_000, `watch events on ${path}`);
      return seen;
    },
    stop(): void {
      abort.abort();
      void done;
    },
  };
}
