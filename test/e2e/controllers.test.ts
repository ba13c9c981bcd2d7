/**
 * End to end: the controller manager beside an in-process API server, driven with the real kubectl —
 * namespace deletion, default service accounts, and the deletion propagation policies.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

describe("controller manager (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    cluster = await startCluster({ controllers: true });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 10_000, "leadership");
  });
  after(async () => {
    await cluster.close();
  });

  it("holds the kube-system/kates-controller-manager lease", async () => {
    const lease = await api(
      cluster.url,
      "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kates-controller-manager",
    );
    assert.equal(lease.status, 200);
    assert.ok(lease.body.spec.holderIdentity);
  });

  it("gives every namespace a default service account, and recreates it when deleted", async () => {
    await ok(["create", "namespace", "team"]);
    await eventually(
      async () => (await cluster.kubectl(["get", "sa", "default", "-n", "team"])).code === 0,
      10_000,
      "default service account in team",
    );
    const first = JSON.parse(await ok(["get", "sa", "default", "-n", "team", "-o", "json"]));
    await ok(["delete", "sa", "default", "-n", "team"]);
    await eventually(
      async () => {
        const r = await cluster.kubectl(["get", "sa", "default", "-n", "team", "-o", "json"]);
        return r.code === 0 && JSON.parse(r.stdout).metadata.uid !== first.metadata.uid;
      },
      10_000,
      "recreated default service account",
    );
  });

  it("kubectl delete namespace removes its content, then the namespace", async () => {
    await ok(["create", "namespace", "doomed"]);
    await ok(["create", "deployment", "web", "--image=nginx", "-n", "doomed"]);
    await ok(["create", "configmap", "a", "--from-literal=k=v", "-n", "doomed"]);
    await ok(["create", "configmap", "b", "--from-literal=k=v", "-n", "doomed"]);
    for (const name of ["p1", "p2"]) {
      await ok(["run", name, "--image=nginx", "-n", "doomed"]);
    }
    const r = await cluster.kubectl(["delete", "namespace", "doomed", "--timeout=60s"], {
      timeoutMs: 70_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /namespace "doomed" deleted/);
    const gone = await cluster.kubectl(["get", "namespace", "doomed"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
    for (const path of [
      "/api/v1/namespaces/doomed/configmaps",
      "/api/v1/namespaces/doomed/pods",
      "/apis/apps/v1/namespaces/doomed/deployments",
    ]) {
      const list = await api(cluster.url, path);
      assert.equal(list.body.items.length, 0, path);
    }
  });

  it("PUT of the finalize subresource changes spec.finalizers only", async () => {
    await ok(["create", "namespace", "fin"]);
    const ns = (await api(cluster.url, "/api/v1/namespaces/fin")).body;
    const put = await api(cluster.url, "/api/v1/namespaces/fin/finalize", {
      method: "PUT",
      body: JSON.stringify({
        ...ns,
        metadata: { ...ns.metadata, labels: { changed: "yes" } },
        spec: { finalizers: ["kubernetes", "example.com/x"] },
      }),
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.spec.finalizers, ["kubernetes", "example.com/x"]);
    assert.equal(put.body.metadata.labels.changed, undefined);
    const bad = await api(cluster.url, "/api/v1/namespaces/fin/finalize", {
      method: "PUT",
      body: JSON.stringify({ ...put.body, spec: { finalizers: ["Not A Name"] } }),
    });
    assert.equal(bad.status, 422);
    const stale = await api(cluster.url, "/api/v1/namespaces/fin/finalize", {
      method: "PUT",
      body: JSON.stringify({ ...ns, spec: { finalizers: [] } }),
    });
    assert.equal(stale.status, 409);
    const patch = await api(cluster.url, "/api/v1/namespaces/fin/finalize", {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: "{}",
    });
    assert.equal(patch.status, 405);
  });

  it("a namespace whose content has finalizers stays Terminating with upstream's conditions", async () => {
    await ok(["create", "namespace", "held"]);
    await ok(
      ["create", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kept", namespace: "held", finalizers: ["example.com/keep"] },
      }),
    );
    await ok(["delete", "namespace", "held", "--wait=false"]);
    await eventually(
      async () => {
        const ns = await api(cluster.url, "/api/v1/namespaces/held");
        const c = (ns.body.status?.conditions ?? []).find(
          (x: any) => x.type === "NamespaceFinalizersRemaining",
        );
        return c?.status === "True";
      },
      10_000,
      "NamespaceFinalizersRemaining",
    );
    const ns = (await api(cluster.url, "/api/v1/namespaces/held")).body;
    assert.equal(ns.status.phase, "Terminating");
    const byType = Object.fromEntries(ns.status.conditions.map((c: any) => [c.type, c]));
    assert.equal(
      byType.NamespaceContentRemaining.message,
      "Some resources are remaining: configmaps. has 1 resource instances",
    );
    assert.equal(byType.NamespaceContentRemaining.reason, "SomeResourcesRemain");
    assert.equal(
      byType.NamespaceFinalizersRemaining.message,
      "Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances",
    );
    assert.equal(byType.NamespaceDeletionDiscoveryFailure.status, "False");
    assert.deepEqual(ns.spec.finalizers, ["kubernetes"]);

    await ok([
      "patch",
      "configmap",
      "kept",
      "-n",
      "held",
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
    await eventually(
      async () => (await api(cluster.url, "/api/v1/namespaces/held")).status === 404,
      15_000,
      "namespace held to go",
    );
  });
});
