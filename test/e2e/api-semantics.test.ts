/**
 * The API's write and watch semantics over HTTP, case by case: finalizers, graceful deletion, status
 * subresource, generation, generateName, dry runs, preconditions, selector transitions in watches, initial
 * events, exact-revision lists, and namespace termination.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { api, startCluster, type TestCluster } from "../harness.js";

const CM = "/api/v1/namespaces/default/configmaps";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";
const PODS = "/api/v1/namespaces/default/pods";

function deployment(name: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      },
    },
  });
}

/** Reads newline-delimited watch events until `count` arrived or the stream ends. */
async function readEvents(url: string, count: number): Promise<any[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const events: any[] = [];
  let buffered = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += Buffer.from(value).toString();
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      events.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
  }
  await reader.cancel();
  return events;
}

describe("API semantics", () => {
  let cluster: TestCluster;
  const call = (path: string, init?: RequestInit) => api(cluster.url, path, init);
  const post = (path: string, body: string) => call(path, { method: "POST", body });
  const merge = (path: string, patch: unknown) =>
    call(path, {
      method: "PATCH",
      body: JSON.stringify(patch),
      headers: { "Content-Type": "application/merge-patch+json" },
    });

  before(async () => {
    cluster = await startCluster({ storage: "sqlite" });
  });
  after(async () => cluster.close());

  it("generateName gives a unique name with the prefix", async () => {
    const body = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { generateName: "gen-" },
    });
    const a = await post(CM, body);
    const b = await post(CM, body);
    assert.equal(a.status, 201);
    assert.match(a.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.body.metadata.name, b.body.metadata.name);
  });

  it("a finalizer keeps a deleted object until it is removed, and no new one may be added", async () => {
    const body = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "held", finalizers: ["example.com/hold"] },
    });
    assert.equal((await post(CM, body)).status, 201);
    const del = await call(`${CM}/held`, { method: "DELETE" });
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp, "deletionTimestamp set");
    const still = await call(`${CM}/held`);
    assert.equal(still.status, 200);
    const added = await merge(`${CM}/held`, {
      metadata: { finalizers: ["example.com/hold", "example.com/more"] },
    });
    assert.equal(added.status, 422);
    const cleared = await merge(`${CM}/held`, { metadata: { finalizers: null } });
    assert.equal(cleared.status, 200);
    assert.equal((await call(`${CM}/held`)).status, 404);
  });

  it("delete preconditions on uid and resourceVersion are 409 when they do not hold", async () => {
    const created = await post(
      CM,
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pre" } }),
    );
    const wrongUid = await call(`${CM}/pre`, {
      method: "DELETE",
      body: JSON.stringify({ preconditions: { uid: "nope" } }),
    });
    assert.equal(wrongUid.status, 409);
    const wrongRv = await call(`${CM}/pre`, {
      method: "DELETE",
      body: JSON.stringify({ preconditions: { resourceVersion: "1" } }),
    });
    assert.equal(wrongRv.status, 409);
    const right = await call(`${CM}/pre`, {
      method: "DELETE",
      body: JSON.stringify({ preconditions: { uid: created.body.metadata.uid } }),
    });
    assert.equal(right.status, 200);
    assert.equal(right.body.status, "Success");
  });

  it("status is written only through the status subresource, and generation counts spec changes", async () => {
    const created = await post(DEPLOY, deployment("gen"));
    assert.equal(created.body.metadata.generation, 1);
    assert.equal(created.body.status, undefined);
    const main = await call(`${DEPLOY}/gen`, {
      method: "PUT",
      body: JSON.stringify({ ...created.body, status: { replicas: 9 } }),
    });
    assert.equal(main.status, 200);
    assert.equal(main.body.status, undefined, "status ignored on the main resource");
    assert.equal(main.body.metadata.generation, 1, "no spec change");
    const status = await call(`${DEPLOY}/gen/status`, {
      method: "PUT",
      body: JSON.stringify({
        ...main.body,
        spec: { ...main.body.spec, replicas: 5 },
        status: { replicas: 3, observedGeneration: 1 },
      }),
    });
    assert.equal(status.status, 200);
    assert.equal(status.body.status.replicas, 3);
    assert.equal(status.body.spec.replicas, 1, "spec ignored on the status subresource");
    const labelled = await merge(`${DEPLOY}/gen`, { metadata: { labels: { x: "y" } } });
    assert.equal(labelled.body.metadata.generation, 1, "labels are not spec");
    const scaled = await merge(`${DEPLOY}/gen`, { spec: { replicas: 2 } });
    assert.equal(scaled.body.metadata.generation, 2);
    assert.equal(scaled.body.status.replicas, 3, "status kept across a spec update");
  });

  it("the selector of a Deployment is immutable", async () => {
    const r = await merge(`${DEPLOY}/gen`, {
      spec: { selector: { matchLabels: { app: "other" } } },
    });
    assert.equal(r.status, 422);
    assert.ok(r.body.details.causes.some((c: any) => c.field === "spec.selector"));
  });

  it("an update that changes nothing writes nothing", async () => {
    const before = await call(`${DEPLOY}/gen`);
    const same = await merge(`${DEPLOY}/gen`, { metadata: { labels: { x: "y" } } });
    assert.equal(same.body.metadata.resourceVersion, before.body.metadata.resourceVersion);
  });

  it("dry runs validate and store nothing", async () => {
    const created = await call(`${CM}?dryRun=All`, {
      method: "POST",
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry" } }),
    });
    assert.equal(created.status, 201);
    assert.equal((await call(`${CM}/dry`)).status, 404);
    const invalid = await call(`${CM}?dryRun=All`, {
      method: "POST",
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad!" } }),
    });
    assert.equal(invalid.status, 422);
    const patched = await call(`${DEPLOY}/gen?dryRun=All`, {
      method: "PATCH",
      body: JSON.stringify({ spec: { replicas: 7 } }),
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    assert.equal(patched.body.spec.replicas, 7);
    assert.equal((await call(`${DEPLOY}/gen`)).body.spec.replicas, 2);
    const deleted = await call(`${DEPLOY}/gen?dryRun=All`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.equal((await call(`${DEPLOY}/gen`)).status, 200);
    assert.equal((await call(`${CM}?dryRun=Some`, { method: "POST", body: "{}" })).status, 400);
  });

  it("a pod on a node is deleted gracefully; one never scheduled goes at once", async () => {
    const pod = (name: string, nodeName?: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", image: "busybox" }] },
      });
    assert.equal((await post(PODS, pod("placed", "node-1"))).status, 201);
    assert.equal((await post(PODS, pod("floating"))).status, 201);
    const graceful = await call(`${PODS}/placed`, { method: "DELETE" });
    assert.equal(graceful.status, 200);
    assert.equal(graceful.body.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(graceful.body.metadata.deletionTimestamp);
    assert.equal((await call(`${PODS}/placed`)).status, 200, "still there during its grace period");
    const now = await call(`${PODS}/placed`, {
      method: "DELETE",
      body: JSON.stringify({ gracePeriodSeconds: 0 }),
    });
    assert.equal(now.status, 200);
    assert.equal((await call(`${PODS}/placed`)).status, 404);
    assert.equal((await call(`${PODS}/floating`, { method: "DELETE" })).status, 200);
    assert.equal((await call(`${PODS}/floating`)).status, 404);
  });

  it("a watch with a label selector reports objects entering and leaving it", async () => {
    const start = (await call(CM)).body.metadata.resourceVersion;
    const events = readEvents(
      `${cluster.url}${CM}?watch=true&labelSelector=team%3Dred&resourceVersion=${start}`,
      4,
    );
    await post(
      CM,
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "mover", labels: { team: "blue" } },
      }),
    );
    await merge(`${CM}/mover`, { metadata: { labels: { team: "red" } } });
    await merge(`${CM}/mover`, { data: { a: "1" } });
    await merge(`${CM}/mover`, { metadata: { labels: { team: "blue" } } });
    await post(
      CM,
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "red", labels: { team: "red" } },
      }),
    );
    const got = (await events).map((e) => `${e.type} ${e.object.metadata.name}`);
    assert.deepEqual(got, ["ADDED mover", "MODIFIED mover", "DELETED mover", "ADDED red"]);
  });

  it("sendInitialEvents ends the initial burst with a bookmark", async () => {
    const events = await readEvents(
      `${cluster.url}${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=team%3Dred`,
      2,
    );
    assert.equal(events[0].type, "ADDED");
    assert.equal(events[1].type, "BOOKMARK");
    assert.equal(events[1].object.metadata.annotations["k8s.io/initial-events-end"], "true");
  });

  it("resourceVersionMatch=Exact lists the state at that revision", async () => {
    const before = await call(CM);
    await post(
      CM,
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after-exact" } }),
    );
    const exact = await call(
      `${CM}?resourceVersion=${before.body.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    assert.equal(exact.status, 200);
    assert.deepEqual(
      exact.body.items.map((c: any) => c.metadata.name),
      before.body.items.map((c: any) => c.metadata.name),
    );
    assert.equal((await call(`${CM}?resourceVersionMatch=Exact`)).status, 400);
  });

  it("a deleted namespace turns Terminating and refuses new content", async () => {
    assert.equal(
      (
        await post(
          "/api/v1/namespaces",
          JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } }),
        )
      ).status,
      201,
    );
    const del = await call("/api/v1/namespaces/doomed", { method: "DELETE" });
    assert.equal(del.status, 200);
    assert.equal(del.body.status.phase, "Terminating");
    const refused = await post(
      "/api/v1/namespaces/doomed/configmaps",
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
    );
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /being terminated/);
    const system = await call("/api/v1/namespaces/kube-system", { method: "DELETE" });
    assert.equal(system.status, 403);
  });

  it("services get cluster IPs and node ports from their ranges, and keep them on replace", async () => {
    const svc = await post(
      "/api/v1/namespaces/default/services",
      JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "np" },
        spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80 }] },
      }),
    );
    assert.equal(svc.status, 201);
    assert.match(svc.body.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);
    const nodePort = svc.body.spec.ports[0].nodePort;
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    const { clusterIP: _ip, clusterIPs: _ips, ...spec } = svc.body.spec;
    const replaced = await call("/api/v1/namespaces/default/services/np", {
      method: "PUT",
      body: JSON.stringify({
        ...svc.body,
        spec: { ...spec, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] },
      }),
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body.spec.clusterIP, svc.body.spec.clusterIP);
    assert.equal(replaced.body.spec.ports[0].nodePort, nodePort);
    const taken = await post(
      "/api/v1/namespaces/default/services",
      JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "clash" },
        spec: {
          type: "NodePort",
          clusterIP: svc.body.spec.clusterIP,
          ports: [{ port: 80, nodePort }],
        },
      }),
    );
    assert.equal(taken.status, 422);
    assert.equal(taken.body.details.causes.length, 2);
  });
});
