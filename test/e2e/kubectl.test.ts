/**
 * End-to-end: the real kubectl (the dispatcher on the PATH, which runs kubectl 1.33 for this server, and
 * kubectl 1.27 called directly) against a Kates API server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  api,
  eventually,
  startCluster,
  startKubectl,
  versionedKubectl,
  type TestCluster,
} from "../harness.js";

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {app: web}
data:
  color: blue
---
apiVersion: v1
kind: Pod
metadata:
  name: box
  namespace: shop
  labels: {app: tool}
spec:
  containers:
  - name: box
    image: busybox
    command: ["sleep", "3600"]
`;

for (const variant of [
  { name: "kubectl (dispatcher, 1.33)", binary: "kubectl" },
  { name: "kubectl 1.27", binary: versionedKubectl(27) },
]) {
  describe(`${variant.name} against kates server`, () => {
    let cluster: TestCluster;
    const k = (args: string[], input?: string) =>
      cluster.kubectl(
        args,
        input === undefined ? { binary: variant.binary } : { binary: variant.binary, input },
      );
    const ok = async (args: string[], input?: string) => {
      const r = await k(args, input);
      assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stderr}`);
      return r.stdout;
    };

    before(async () => {
      cluster = await startCluster({ storage: "sqlite" });
    });
    after(async () => cluster.close());

    it("version prints the server's Kubernetes version", async () => {
      const out = await ok(["version"]);
      // kubectl 1.27 prints the whole version.Info struct; later versions print only gitVersion.
      assert.match(out, /Server Version: (version\.Info\{.*GitVersion:")?v1\.33\.0\+kates/);
    });

    it("api-resources lists every kind with short names and namespacing", async () => {
      const out = await ok(["api-resources"]);
      for (const row of [
        /^pods\s+po\s+v1\s+true\s+Pod$/m,
        /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m,
        /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m,
        /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m,
        /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m,
        /^priorityclasses\s+pc\s+scheduling\.k8s\.io\/v1\s+false\s+PriorityClass$/m,
      ]) {
        assert.match(out, row);
      }
    });

    it("api-versions lists the groups", async () => {
      const out = (await ok(["api-versions"])).split("\n");
      for (const gv of [
        "v1",
        "apps/v1",
        "batch/v1",
        "policy/v1",
        "storage.k8s.io/v1",
        "discovery.k8s.io/v1",
      ]) {
        assert.ok(out.includes(gv), `missing ${gv}`);
      }
    });

    it("cluster-info names the control plane", async () => {
      const out = await ok(["cluster-info"]);
      assert.match(out, /control plane.* is running at/);
    });

    it("create -f creates every document of a multi-document file", async () => {
      const out = await ok(["create", "-f", "-"], MANIFEST);
      assert.match(out, /namespace\/shop created/);
      assert.match(out, /deployment\.apps\/web created/);
      assert.match(out, /service\/web created/);
      assert.match(out, /configmap\/settings created/);
      assert.match(out, /pod\/box created/);
    });

    it("create of an existing object is AlreadyExists", async () => {
      const r = await k(["create", "-f", "-"], MANIFEST);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /AlreadyExists.*namespaces "shop" already exists/);
    });

    it("get prints tables, wide tables, names, YAML, JSON and JSONPath", async () => {
      const table = await ok(["get", "deploy", "-n", "shop"]);
      assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
      assert.match(table, /^web\s+0\/2\s+0\s+0\s+\d+s$/m);
      const wide = await ok(["get", "deploy", "-n", "shop", "-o", "wide"]);
      assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
      assert.match(wide, /nginx\s+nginx:1\.27\s+app=web/);
      assert.equal(
        (await ok(["get", "cm,svc", "-n", "shop", "-o", "name"])).trim(),
        "configmap/settings\nservice/web",
      );
      const yaml = await ok(["get", "svc", "web", "-n", "shop", "-o", "yaml"]);
      assert.match(yaml, /clusterIP: 10\.\d+\.\d+\.\d+/);
      assert.match(yaml, /type: ClusterIP/);
      const json = JSON.parse(await ok(["get", "deploy", "web", "-n", "shop", "-o", "json"]));
      assert.equal(json.spec.strategy.type, "RollingUpdate");
      assert.equal(json.metadata.generation, 1);
      const path = await ok([
        "get",
        "pod",
        "box",
        "-n",
        "shop",
        "-o",
        "jsonpath={.spec.containers[0].image}",
      ]);
      assert.equal(path, "busybox");
      const pods = await ok(["get", "pods", "-n", "shop"]);
      assert.match(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      assert.match(pods, /^box\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    });

    it("get -A, -l, --field-selector and --show-labels select and show what they should", async () => {
      const all = await ok(["get", "namespaces"]);
      for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", "shop"]) {
        assert.match(all, new RegExp(`^${ns}\\s+Active`, "m"));
      }
      const everywhere = await ok(["get", "svc", "-A"]);
      assert.match(
        everywhere,
        /^default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/m,
      );
      assert.match(everywhere, /^shop\s+web\s+ClusterIP/m);
      const labelled = await ok([
        "get",
        "cm,pods",
        "-n",
        "shop",
        "-l",
        "app in (web, tool)",
        "-o",
        "name",
      ]);
      assert.deepEqual(labelled.trim().split("\n").sort(), ["configmap/settings", "pod/box"]);
      const none = await ok(["get", "pods", "-n", "shop", "-l", "app!=tool", "-o", "name"]);
      assert.equal(none.trim(), "");
      const byField = await ok([
        "get",
        "pods",
        "-A",
        "--field-selector",
        "status.phase=Pending,metadata.namespace=shop",
        "-o",
        "name",
      ]);
      assert.equal(byField.trim(), "pod/box");
      const shown = await ok(["get", "cm", "settings", "-n", "shop", "--show-labels"]);
      assert.match(shown, /LABELS/);
      assert.match(shown, /app=web/);
      const bad = await k(["get", "pods", "--field-selector", "spec.bogus=1"]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /BadRequest.*field label not supported: spec\.bogus/);
    });

    it("describe shows an object and its events", async () => {
      const out = await ok(["describe", "deploy", "web", "-n", "shop"]);
      assert.match(out, /^Name:\s+web$/m);
      assert.match(out, /^Namespace:\s+shop$/m);
      assert.match(out, /^Replicas:\s+2 desired/m);
      assert.match(out, /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
      const pod = await ok(["describe", "pod", "box", "-n", "shop"]);
      assert.match(pod, /^Status:\s+Pending$/m);
    });

    it("label, annotate and scale change the object", async () => {
      await ok(["label", "deploy", "web", "-n", "shop", "stage=prod"]);
      await ok(["annotate", "deploy", "web", "-n", "shop", "owner=team-a"]);
      await ok(["label", "deploy", "web", "-n", "shop", "tier-"]);
      await ok(["scale", "deploy", "web", "-n", "shop", "--replicas=4"]);
      const obj = JSON.parse(await ok(["get", "deploy", "web", "-n", "shop", "-o", "json"]));
      assert.deepEqual(obj.metadata.labels, { app: "web", stage: "prod" });
      assert.equal(obj.metadata.annotations.owner, "team-a");
      assert.equal(obj.spec.replicas, 4);
      // Upstream counts a Deployment's annotation changes in its generation too (they are copied to its
      // ReplicaSets): created 1, annotated 2, scaled 3. Labels do not count.
      assert.equal(obj.metadata.generation, 3);
      const taken = await k(["label", "deploy", "web", "-n", "shop", "stage=dev"]);
      assert.notEqual(taken.code, 0, "relabelling without --overwrite must fail");
      const stale = await k([
        "scale",
        "deploy",
        "web",
        "-n",
        "shop",
        "--replicas=1",
        "--resource-version=1",
      ]);
      assert.notEqual(stale.code, 0);
      // kubectl compares the version itself before it PUTs; the server's own check is tested below.
      assert.match(stale.stderr, /Expected resource version to be 1/);
    });

    it("replace with a stale object is a Conflict", async () => {
      const current = JSON.parse(await ok(["get", "cm", "settings", "-n", "shop", "-o", "json"]));
      current.data.color = "green";
      await ok(["replace", "-f", "-"], JSON.stringify(current));
      current.data.color = "red";
      const r = await k(["replace", "-f", "-"], JSON.stringify(current));
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /Conflict.*the object has been modified; please apply your changes to the latest version/,
      );
      assert.equal(
        await ok(["get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.data.color}"]),
        "green",
      );
    });

    it("invalid objects are refused with the failing fields", async () => {
      const r = await k(
        ["create", "-f", "-"],
        JSON.stringify({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "Bad_Name", namespace: "shop" },
          spec: {
            selector: { matchLabels: { a: "b" } },
            template: { metadata: { labels: { a: "c" } }, spec: { containers: [] } },
          },
        }),
      );
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Invalid/);
      assert.match(r.stderr, /metadata\.name: Invalid value: "Bad_Name"/);
      assert.match(r.stderr, /spec\.template\.spec\.containers: Required value/);
      assert.match(r.stderr, /spec\.template\.metadata\.labels: Invalid value/);
    });

    it("get --raw reaches non-resource and resource paths", async () => {
      assert.equal(await ok(["get", "--raw", "/healthz"]), "ok");
      assert.equal(await ok(["get", "--raw", "/readyz"]), "ok");
      const list = JSON.parse(await ok(["get", "--raw", "/api/v1/namespaces/shop/configmaps"]));
      assert.equal(list.kind, "ConfigMapList");
    });

    it("server dry-run validates and stores nothing", async () => {
      const dry = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "dry", namespace: "shop" },
        data: { a: "b" },
      };
      const out = await ok(
        ["create", "-f", "-", "--dry-run=server", "-o", "json"],
        JSON.stringify(dry),
      );
      assert.equal(JSON.parse(out).data.a, "b");
      const r = await k(["get", "cm", "dry", "-n", "shop"]);
      assert.match(r.stderr, /NotFound/);
    });

    it("get --chunk-size pages through a long list", async () => {
      const items = Array.from({ length: 23 }, (_, i) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: `chunk-${String(i).padStart(2, "0")}`,
          namespace: "shop",
          labels: { chunk: "yes" },
        },
      }));
      await ok(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));
      const out = await ok([
        "get",
        "cm",
        "-n",
        "shop",
        "-l",
        "chunk=yes",
        "--chunk-size=5",
        "-o",
        "name",
        "-v=6",
      ]);
      const names = out
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("configmap/"));
      assert.equal(names.length, 23);
      const plain = await k(["get", "cm", "-n", "shop", "--chunk-size=4", "-v=6"]);
      assert.equal(
        (plain.stderr.match(/continue=/g) ?? []).length >= 5,
        true,
        "expected several pages",
      );
    });

    it("get -w streams changes as they happen", async () => {
      const watch = startKubectl(cluster, [
        "get",
        "cm",
        "-n",
        "shop",
        "-w",
        "--field-selector",
        "metadata.name=watched",
      ]);
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const watched = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "watched", namespace: "shop" },
          data: { x: "1" },
        };
        await ok(["create", "-f", "-"], JSON.stringify(watched));
        await eventually(() => /watched\s+1/.test(watch.output()), 10_000, "the ADDED row");
        await ok(["label", "cm", "watched", "-n", "shop", "seen=yes"]);
        await eventually(
          () => (watch.output().match(/watched\s+1/g) ?? []).length >= 2,
          10_000,
          "the MODIFIED row",
        );
      } finally {
        await watch.stop();
      }
    });

    it("delete by label, --all, with cascade policies, and wait --for=delete", async () => {
      const out = await ok(["delete", "cm", "-n", "shop", "-l", "chunk=yes"]);
      assert.equal((out.match(/deleted/g) ?? []).length, 23);
      // No garbage collector runs here: as upstream without one, foreground and orphan deletions leave
      // the owner marked with the policy's finalizer until something removes it.
      for (const [cascade, finalizer] of [
        ["foreground", "foregroundDeletion"],
        ["orphan", "orphan"],
      ] as const) {
        await ok(["delete", "deploy", "web", "-n", "shop", `--cascade=${cascade}`, "--wait=false"]);
        const held = JSON.parse(await ok(["get", "deploy", "web", "-n", "shop", "-o", "json"]));
        assert.ok(held.metadata.deletionTimestamp, cascade);
        assert.deepEqual(held.metadata.finalizers, [finalizer]);
        await ok([
          "patch",
          "deploy",
          "web",
          "-n",
          "shop",
          "--type=merge",
          "-p",
          '{"metadata":{"finalizers":null}}',
        ]);
        await ok(["wait", "--for=delete", "deploy/web", "-n", "shop", "--timeout=5s"]);
        await ok(["create", "-f", "-"], MANIFEST.split("---")[1]!);
      }
      await ok(["delete", "deploy", "web", "-n", "shop", "--cascade=background", "--wait"]);
      assert.match((await k(["get", "deploy", "web", "-n", "shop"])).stderr, /NotFound/);
      await ok(["wait", "--for=delete", "deploy/web", "-n", "shop", "--timeout=5s"]);
      const waiter = ok(["wait", "--for=delete", "pod/box", "-n", "shop", "--timeout=20s"]);
      await new Promise((r) => setTimeout(r, 500));
      await ok(["delete", "pod", "box", "-n", "shop", "--wait=false"]);
      await waiter;
      await ok(["delete", "cm", "--all", "-n", "shop"]);
      assert.equal((await ok(["get", "cm", "-n", "shop", "-o", "name"])).trim(), "");
      const missing = await k(["delete", "svc", "nope", "-n", "shop"]);
      assert.match(missing.stderr, /NotFound.*services "nope" not found/);
    });

    it("refuses to create in a missing namespace", async () => {
      const cm = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x", namespace: "nowhere" },
      };
      const r = await k(["create", "-f", "-"], JSON.stringify(cm));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /NotFound.*namespaces "nowhere" not found/);
    });
  });
}

describe("the API server's answers to bad input", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => cluster.close());

  it("malformed JSON and YAML are 400 BadRequest and store nothing", async () => {
    const json = await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: "{not json",
    });
    assert.equal(json.status, 400);
    assert.equal(json.body.reason, "BadRequest");
    const yaml = await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: "a: [unclosed",
      headers: { "Content-Type": "application/yaml" },
    });
    assert.equal(yaml.status, 400);
    const list = await api(cluster.url, "/api/v1/namespaces/default/configmaps");
    assert.equal(list.body.items.length, 0);
  });

  it("unknown resources are 404 NotFound", async () => {
    const r = await api(cluster.url, "/api/v1/namespaces/default/widgets");
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, "Status");
    assert.equal((await api(cluster.url, "/apis/nope.example.com/v1/things")).status, 404);
  });

  it("a body namespace differing from the URL is 400", async () => {
    const r = await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x", namespace: "kube-system" },
      }),
    });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /namespace of the provided object does not match/);
  });

  it("bodies over 3 MiB are 413", async () => {
    const big = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "big" },
      data: { a: "x".repeat(3.5 * 1024 * 1024) },
    });
    const r = await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: big,
    });
    assert.equal(r.status, 413);
    assert.equal(r.body.reason, "RequestEntityTooLarge");
  });

  it("a wrong kind for the endpoint is 400", async () => {
    const r = await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }),
    });
    assert.equal(r.status, 400);
  });

  it("a scale PUT with a stale resourceVersion is 409 and a negative scale is 422", async () => {
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "scaled" },
      spec: {
        selector: { matchLabels: { app: "s" } },
        template: {
          metadata: { labels: { app: "s" } },
          spec: { containers: [{ name: "c", image: "busybox" }] },
        },
      },
    };
    assert.equal(
      (
        await api(cluster.url, "/apis/apps/v1/namespaces/default/deployments", {
          method: "POST",
          body: JSON.stringify(dep),
        })
      ).status,
      201,
    );
    const path = "/apis/apps/v1/namespaces/default/deployments/scaled/scale";
    const scale = (await api(cluster.url, path)).body;
    assert.equal(scale.kind, "Scale");
    assert.equal(scale.status.selector, "app=s");
    const stale = {
      ...scale,
      metadata: { ...scale.metadata, resourceVersion: "1" },
      spec: { replicas: 3 },
    };
    const conflict = await api(cluster.url, path, { method: "PUT", body: JSON.stringify(stale) });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, "Conflict");
    const negative = await api(cluster.url, path, {
      method: "PUT",
      body: JSON.stringify({ ...scale, spec: { replicas: -1 } }),
    });
    assert.equal(negative.status, 422);
    const fresh = await api(cluster.url, path, {
      method: "PUT",
      body: JSON.stringify({ ...scale, spec: { replicas: 3 } }),
    });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.spec.replicas, 3);
  });

  it("a watch from before the cache's window gets an in-stream 410 Expired", async () => {
    const small = await startCluster({ watchCacheWindow: 10 });
    try {
      for (let i = 0; i < 30; i++) {
        const r = await api(small.url, "/api/v1/namespaces/default/configmaps", {
          method: "POST",
          body: JSON.stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: `w${i}` },
          }),
        });
        assert.equal(r.status, 201);
      }
      const res = await fetch(
        `${small.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2`,
      );
      assert.equal(res.status, 200);
      const event = JSON.parse((await res.text()).trim());
      assert.equal(event.type, "ERROR");
      assert.equal(event.object.code, 410);
      assert.equal(event.object.reason, "Expired");
    } finally {
      await small.close();
    }
  });

  it("a continue token from before compaction is 410 Expired", async () => {
    for (let i = 0; i < 5; i++) {
      await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
        method: "POST",
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `page${i}` },
        }),
      });
    }
    const first = await api(cluster.url, "/api/v1/namespaces/default/configmaps?limit=2");
    assert.ok(first.body.metadata.continue);
    const second = await api(
      cluster.url,
      `/api/v1/namespaces/default/configmaps?limit=2&continue=${first.body.metadata.continue}`,
    );
    assert.equal(second.status, 200);
    assert.equal(second.body.items.length, 2);
    await api(cluster.url, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "later" } }),
    });
    await cluster.backend.compact(await cluster.backend.currentRevision());
    const expired = await api(
      cluster.url,
      `/api/v1/namespaces/default/configmaps?limit=2&continue=${first.body.metadata.continue}`,
    );
    assert.equal(expired.status, 410);
    assert.equal(expired.body.reason, "Expired");
  });
});
