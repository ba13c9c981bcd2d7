/**
 * End-to-end: the official JavaScript client (@kubernetes/client-node) against a Kates API server: typed
 * calls, an informer (list + watch), optimistic concurrency and paging.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { eventually, startCluster, type TestCluster } from "../harness.js";

describe("@kubernetes/client-node against kates server", () => {
  let cluster: TestCluster;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let kc: k8s.KubeConfig;

  before(async () => {
    cluster = await startCluster({ storage: "sqlite" });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => cluster.close());

  it("lists the initial namespaces", async () => {
    const list = await core.listNamespace();
    const names = list.items.map((ns) => ns.metadata?.name).sort();
    assert.deepEqual(names, ["default", "kube-node-lease", "kube-public", "kube-system"]);
    assert.ok(Number(list.metadata?.resourceVersion) > 0);
  });

  it("creates objects and reads them back with server-set fields", async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "app-config", labels: { app: "demo" } }, data: { mode: "fast" } },
    });
    assert.ok(created.metadata?.uid);
    assert.ok(created.metadata?.creationTimestamp);
    const read = await core.readNamespacedConfigMap({ name: "app-config", namespace: "default" });
    assert.equal(read.data?.["mode"], "fast");
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

    const deployment = await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "demo" },
        spec: {
          selector: { matchLabels: { app: "demo" } },
          template: {
            metadata: { labels: { app: "demo" } },
            spec: { containers: [{ name: "c", image: "busybox" }] },
          },
        },
      },
    });
    assert.equal(deployment.spec?.replicas, 1);
    assert.equal(deployment.spec?.template.spec?.containers[0]?.imagePullPolicy, "Always");
  });

  it("replace with a stale resourceVersion is a 409 Conflict", async () => {
    const current = await core.readNamespacedConfigMap({
      name: "app-config",
      namespace: "default",
    });
    const first = { ...current, data: { mode: "slow" } };
    await core.replaceNamespacedConfigMap({
      name: "app-config",
      namespace: "default",
      body: first,
    });
    await assert.rejects(
      core.replaceNamespacedConfigMap({
        name: "app-config",
        namespace: "default",
        body: { ...current, data: { mode: "x" } },
      }),
      (err: any) => {
        assert.equal(err.code, 409);
        assert.match(String(err.body), /Conflict/);
        return true;
      },
    );
  });

  it("pages through a list with limit and continue", async () => {
    for (let i = 0; i < 12; i++) {
      await core.createNamespacedConfigMap({
        namespace: "default",
        body: {
          metadata: { name: `page-${String(i).padStart(2, "0")}`, labels: { paged: "yes" } },
        },
      });
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let revision: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: "default",
        labelSelector: "paged=yes",
        limit: 5,
        ...(token ? { _continue: token } : {}),
      });
      pages++;
      revision ??= page.metadata?.resourceVersion;
      assert.equal(
        page.metadata?.resourceVersion,
        revision,
        "every page is served at the first page's revision",
      );
      seen.push(...page.items.map((cm) => cm.metadata!.name!));
      token = page.metadata?._continue;
      if (pages === 1) {
        // A write between pages must not show up in later pages.
        await core.createNamespacedConfigMap({
          namespace: "default",
          body: { metadata: { name: "page-99", labels: { paged: "yes" } } },
        });
      }
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, "0")}`),
    );
  });

  it("an informer sees adds, updates and deletes through list and watch", async () => {
    const informer = k8s.makeInformer(
      kc,
      "/api/v1/namespaces/default/configmaps",
      () => core.listNamespacedConfigMap({ namespace: "default", labelSelector: "watched=yes" }),
      "watched=yes",
    );
    const events: string[] = [];
    informer.on("add", (cm) => events.push(`add ${cm.metadata?.name}`));
    informer.on("update", (cm) => events.push(`update ${cm.metadata?.name} ${cm.data?.["v"]}`));
    informer.on("delete", (cm) => events.push(`delete ${cm.metadata?.name}`));
    await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "before", labels: { watched: "yes" } } },
    });
    await informer.start();
    try {
      await eventually(() => events.includes("add before"), 10_000, "the listed object");
      await core.createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: "during", labels: { watched: "yes" } }, data: { v: "1" } },
      });
      await eventually(() => events.includes("add during"), 10_000, "the watched add");
      await core.patchNamespacedConfigMap(
        { name: "during", namespace: "default", body: { data: { v: "2" } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
      await eventually(() => events.includes("update during 2"), 10_000, "the watched update");
      await core.deleteNamespacedConfigMap({ name: "during", namespace: "default" });
      await eventually(() => events.includes("delete during"), 10_000, "the watched delete");
      assert.equal(informer.list("default").length, 1);
    } finally {
      await informer.stop();
    }
  });
});
