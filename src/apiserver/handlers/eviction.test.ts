import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { api, startCluster, type TestCluster } from "../../../test/harness.js";

const NS = "/api/v1/namespaces/default";
const PDBS = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";

function eviction(name: string, deleteOptions?: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "policy/v1",
    kind: "Eviction",
    metadata: { name, namespace: "default" },
    ...(deleteOptions ? { deleteOptions } : {}),
  });
}

describe("pods/eviction subresource over HTTP", () => {
  let cluster: TestCluster;
  const post = (path: string, body: string): ReturnType<typeof api> =>
    api(cluster.url, path, { method: "POST", body });

  /** A pod on node n1, Running and (unless `ready` is false) ready, with labels app=<app>. */
  async function runningPod(name: string, app: string, ready = true): Promise<void> {
    const created = await post(
      `${NS}/pods`,
      JSON.stringify({
        metadata: { name, labels: { app } },
        spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox" }] },
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pod = created.body;
    pod.status = {
      ...pod.status,
      phase: "Running",
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          lastTransitionTime: "2024-01-01T00:00:00Z",
        },
      ],
    };
    const res = await api(cluster.url, `${NS}/pods/${name}/status`, {
      method: "PUT",
      body: JSON.stringify(pod),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  /** A budget selecting app=<app> whose status allows `allowed` disruptions. */
  async function budget(name: string, app: string, allowed: number): Promise<void> {
    const created = await post(
      PDBS,
      JSON.stringify({
        metadata: { name },
        spec: { minAvailable: 1, selector: { matchLabels: { app } } },
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pdb = created.body;
    pdb.status = {
      observedGeneration: pdb.metadata.generation,
      disruptionsAllowed: allowed,
      currentHealthy: 1 + allowed,
      desiredHealthy: 1,
      expectedPods: 1 + allowed,
    };
    const res = await api(cluster.url, `${PDBS}/${name}/status`, {
      method: "PUT",
      body: JSON.stringify(pdb),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  before(async () => {
    cluster = await startCluster();
  });
  after(() => cluster.close());

  it("is listed in discovery as policy/v1 Eviction", async () => {
    const res = await api(cluster.url, "/api/v1");
    const entry = res.body.resources.find((r: { name: string }) => r.name === "pods/eviction");
    assert.deepEqual(
      { group: entry?.group, version: entry?.version, kind: entry?.kind, verbs: entry?.verbs },
      { group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
    );
  });

  it("deletes a pod no budget selects, with the eviction's DeleteOptions", async () => {
    await runningPod("free", "free");
    const res = await post(`${NS}/pods/free/eviction`, eviction("free", { gracePeriodSeconds: 0 }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, "Success");
    assert.equal((await api(cluster.url, `${NS}/pods/free`)).status, 404);
  });

  it("refuses with 429 and the DisruptionBudget cause when the budget allows none", async () => {
    await runningPod("guarded", "guarded");
    await budget("guarded", "guarded", 0);
    const res = await post(`${NS}/pods/guarded/eviction`, eviction("guarded"));
    assert.equal(res.status, 429);
    assert.equal(res.body.reason, "TooManyRequests");
    assert.equal(
      res.body.message,
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert.deepEqual(res.body.details.causes, [
      {
        type: "DisruptionBudget",
        message: "The disruption budget guarded needs 1 healthy pods and has 1 currently",
      },
    ]);
    const pod = (await api(cluster.url, `${NS}/pods/guarded`)).body;
    assert.equal(pod.metadata.deletionTimestamp, undefined);
  });

  it("spends a disruption: the budget records the pod, the pod is marked and deleted", async () => {
    await runningPod("spent", "spent");
    await budget("spent", "spent", 1);
    const res = await post(`${NS}/pods/spent/eviction`, eviction("spent"));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const pdb = (await api(cluster.url, `${PDBS}/spent`)).body;
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.ok(pdb.status.disruptedPods?.["spent"]);
    assert.equal(
      pdb.status.conditions.find((c: { type: string }) => c.type === "DisruptionAllowed")?.reason,
      "InsufficientPods",
    );
    const pod = (await api(cluster.url, `${NS}/pods/spent`)).body;
    assert.ok(pod.metadata.deletionTimestamp, "the pod is being deleted");
    const cond = pod.status.conditions.find((c: { type: string }) => c.type === "DisruptionTarget");
    assert.equal(cond?.reason, "EvictionByEvictionAPI");
    assert.equal(cond?.status, "True");
  });

  it("lets exactly one of two concurrent evictions spend the last disruption", async () => {
    await runningPod("race-a", "race");
    await runningPod("race-b", "race");
    await budget("race", "race", 1);
    const [a, b] = await Promise.all([
      post(`${NS}/pods/race-a/eviction`, eviction("race-a")),
      post(`${NS}/pods/race-b/eviction`, eviction("race-b")),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [201, 429]);
    const pdb = (await api(cluster.url, `${PDBS}/race`)).body;
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.equal(Object.keys(pdb.status.disruptedPods).length, 1);
  });

  it("answers 409 for the caller's failed precondition, spending the disruption once", async () => {
    await runningPod("pinned", "pinned");
    await budget("pinned", "pinned", 2);
    const res = await post(
      `${NS}/pods/pinned/eviction`,
      eviction("pinned", { preconditions: { uid: "not-the-uid" } }),
    );
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.match(res.body.message, /Precondition failed: UID in precondition: not-the-uid/);
    assert.equal((await api(cluster.url, `${PDBS}/pinned`)).body.status.disruptionsAllowed, 1);
    assert.equal((await api(cluster.url, `${NS}/pods/pinned`)).status, 200);
  });

  it("lets a not-ready pod of a healthy budget go without spending a disruption", async () => {
    await runningPod("sick", "sick", false);
    await budget("sick", "sick", 0);
    const res = await post(`${NS}/pods/sick/eviction`, eviction("sick"));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const pdb = (await api(cluster.url, `${PDBS}/sick`)).body;
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.equal(pdb.status.disruptedPods, undefined);
    assert.ok((await api(cluster.url, `${NS}/pods/sick`)).body.metadata.deletionTimestamp);
  });

  it("changes nothing on a dry run", async () => {
    await runningPod("dry", "dry");
    await budget("dry", "dry", 1);
    const res = await post(`${NS}/pods/dry/eviction?dryRun=All`, eviction("dry"));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await api(cluster.url, `${PDBS}/dry`)).body.status.disruptionsAllowed, 1);
    assert.equal(
      (await api(cluster.url, `${NS}/pods/dry`)).body.metadata.deletionTimestamp,
      undefined,
    );
  });

  it("answers 500 when two budgets select the pod", async () => {
    await runningPod("twice", "twice");
    await budget("twice-a", "twice", 1);
    await budget("twice-b", "twice", 1);
    const res = await post(`${NS}/pods/twice/eviction`, eviction("twice"));
    assert.equal(res.status, 500);
    assert.match(res.body.message, /more than one PodDisruptionBudget/);
  });

  it("refuses bad bodies with 400 and unknown pods with 404", async () => {
    await runningPod("named", "named");
    const mismatch = await post(`${NS}/pods/named/eviction`, eviction("other"));
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.message, "name in URL does not match name in Eviction object");
    const kind = await post(
      `${NS}/pods/named/eviction`,
      JSON.stringify({ apiVersion: "policy/v1", kind: "Binding", metadata: { name: "named" } }),
    );
    assert.equal(kind.status, 400);
    const missing = await post(`${NS}/pods/ghost/eviction`, eviction("ghost"));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.reason, "NotFound");
  });

  it("serves the official client's createNamespacedPodEviction, refusals as ApiException 429", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await runningPod("official", "official");
    await budget("official", "official", 0);
    await assert.rejects(
      core.createNamespacedPodEviction({
        name: "official",
        namespace: "default",
        body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "official" } },
      }),
      (err: unknown) => err instanceof k8s.ApiException && err.code === 429,
    );
    await runningPod("official-2", "official-2");
    await core.createNamespacedPodEviction({
      name: "official-2",
      namespace: "default",
      body: { metadata: { name: "official-2" }, deleteOptions: { gracePeriodSeconds: 0 } },
    });
    assert.equal((await api(cluster.url, `${NS}/pods/official-2`)).status, 404);
  });
});
