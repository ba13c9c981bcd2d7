/**
 * End-to-end: kubectl apply (client-side and server-side), edit, patch, diff, server dry runs, strict
 * validation and the generators, with kubectl's default validation on, for kubectl 1.33, 1.32 and 1.27.
 * The expected live objects follow Kubernetes' documented patch semantics, case by case.
 */
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startCluster, versionedKubectl, type TestCluster } from "../harness.js";

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}

interface DeploymentJson {
  metadata: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager: string; operation: string }[];
  };
  spec: {
    replicas: number;
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: Container[] };
    };
  };
}

function container(d: DeploymentJson, name: string): Container {
  const found = d.spec.template.spec.containers.find((c) => c.name === name);
  assert.ok(found, `no container ${name}`);
  return found;
}

function deployment(opts: {
  image: string;
  env: [string, string][];
  labels: Record<string, string>;
  replicas?: number;
  extra?: string;
}): string {
  const labels = Object.entries(opts.labels)
    .map(([k, v]) => `    ${k}: ${v}`)
    .join("\n");
  const env = opts.env.map(([n, v]) => `        - name: ${n}\n          value: "${v}"`).join("\n");
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
${labels}
spec:
${opts.replicas === undefined ? "" : `  replicas: ${opts.replicas}\n`}${opts.extra ?? ""}  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${opts.image}
        env:
${env}
`;
}

const V1 = deployment({
  image: "nginx:1.26",
  env: [
    ["A", "1"],
    ["B", "2"],
  ],
  labels: { app: "web", tier: "front" },
});
const V2 = deployment({ image: "nginx:1.27", env: [["C", "3"]], labels: { app: "web" } });

function configMap(data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n${lines.join("\n")}\n`;
}

for (const minor of [33, 32, 27]) {
  describe(`kubectl 1.${minor}: apply, patch, edit and the generators`, () => {
    let cluster: TestCluster;
    const binary = versionedKubectl(minor);
    const k = (args: string[], input?: string, env?: Record<string, string>) =>
      cluster.kubectl(args, {
        binary,
        ...(input === undefined ? {} : { input }),
        ...(env ? { env } : {}),
      });
    const ok = async (args: string[], input?: string, env?: Record<string, string>) => {
      const r = await k(args, input, env);
      assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stderr}`);
      return r.stdout;
    };
    const getJson = async <T>(what: string): Promise<T> =>
      JSON.parse(await ok(["get", what, "-o", "json", "--show-managed-fields"])) as T;

    before(async () => {
      cluster = await startCluster();
    });
    after(async () => cluster.close());

    it("apply creates, leaves unchanged, then updates while keeping what others set", async () => {
      assert.equal((await ok(["apply", "-f", "-"], V1)).trim(), "deployment.apps/web created");
      assert.equal((await ok(["apply", "-f", "-"], V1)).trim(), "deployment.apps/web unchanged");
      await ok(["scale", "deployment/web", "--replicas=5"]);
      await ok([
        "patch",
        "deployment/web",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}',
      ]);
      assert.equal((await ok(["apply", "-f", "-"], V2)).trim(), "deployment.apps/web configured");

      const live = await getJson<DeploymentJson>("deployment/web");
      // The manifest never set replicas, so `kubectl scale`'s value stays.
      assert.equal(live.spec.replicas, 5);
      // The label the manifest dropped is removed; the one it keeps stays.
      assert.deepEqual(live.metadata.labels, { app: "web" });
      // The sidecar added by `kubectl patch` was never in the applied configuration, so it stays.
      // A strategic merge patch puts an element the live list lacks before the live ones, and
      // apply's $setElementOrder names only nginx, so the sidecar stays first (as upstream).
      assert.deepEqual(
        live.spec.template.spec.containers.map((c) => c.name),
        ["sidecar", "nginx"],
      );
      assert.equal(container(live, "nginx").image, "nginx:1.27");
      // The env list is replaced: A and B were applied before and are gone, C is new.
      assert.deepEqual(container(live, "nginx").env, [{ name: "C", value: "3" }]);
      assert.equal(container(live, "sidecar").image, "busybox");
      const applied =
        live.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
      assert.ok(
        applied?.includes('"nginx:1.27"'),
        "last-applied-configuration is the new manifest",
      );
      assert.ok(
        live.metadata.managedFields?.some((m) => m.manager === "kubectl-client-side-apply"),
        "managedFields record the client-side apply",
      );
    });

    it("apply --prune deletes the labelled objects a manifest no longer holds", async () => {
      const cm = (name: string) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {set: p}\ndata: {k: v}\n`;
      await ok(["apply", "--prune", "-l", "set=p", "-f", "-"], `${cm("p1")}---\n${cm("p2")}`);
      const out = await ok(["apply", "--prune", "-l", "set=p", "-f", "-"], cm("p1"));
      assert.match(out, /configmap\/p1 unchanged/);
      assert.match(out, /configmap\/p2 pruned/);
      const left = await ok(["get", "configmaps", "-l", "set=p", "-o", "name"]);
      assert.equal(left.trim(), "configmap/p1");
    });

    it("apply --dry-run=server and diff show a change without making it", async () => {
      const V3 = V2.replace("nginx:1.27", "nginx:1.28");
      const dry = await ok(["apply", "--dry-run=server", "-f", "-"], V3);
      assert.equal(dry.trim(), "deployment.apps/web configured (server dry run)");
      const diff = await k(["diff", "-f", "-"], V3);
      assert.equal(diff.code, 1, `diff should report a difference:\n${diff.stderr}`);
      assert.match(diff.stdout, /-\s+image: nginx:1\.27\n\+\s+image: nginx:1\.28/);
      const same = await k(["diff", "-f", "-"], V2);
      assert.equal(same.code, 0, `diff of the live state should be empty:\n${same.stdout}`);
      const live = await getJson<DeploymentJson>("deployment/web");
      assert.equal(container(live, "nginx").image, "nginx:1.27");
    });

    it("strict validation refuses a misspelt field", async () => {
      const bad = V2.replace("  selector:", "  replicaz: 2\n  selector:");
      const r = await k(["apply", "-f", "-"], bad);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unknown field "spec\.replicaz"/);
    });

    it("edit runs $EDITOR and patches what changed", async () => {
      const editor = join(cluster.dir, "editor.sh");
      writeFileSync(editor, '#!/bin/sh\nsed -i "s/image: nginx:1.27/image: nginx:1.29/" "$1"\n');
      chmodSync(editor, 0o755);
      const out = await ok(["edit", "deployment/web"], undefined, { EDITOR: editor });
      assert.equal(out.trim(), "deployment.apps/web edited");
      const live = await getJson<DeploymentJson>("deployment/web");
      assert.equal(container(live, "nginx").image, "nginx:1.29");
    });

    it("patch applies strategic, merge and JSON patches, and a failing test changes nothing", async () => {
      await ok([
        "patch",
        "deployment/web",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}',
      ]);
      await ok([
        "patch",
        "deployment/web",
        "--type=merge",
        "-p",
        '{"metadata":{"annotations":{"note":"x"}}}',
      ]);
      const failed = await k([
        "patch",
        "deployment/web",
        "--type=json",
        "-p",
        '[{"op":"test","path":"/spec/replicas","value":99},{"op":"replace","path":"/spec/replicas","value":1}]',
      ]);
      assert.notEqual(failed.code, 0, "a JSON patch whose test fails must fail");
      let live = await getJson<DeploymentJson>("deployment/web");
      assert.deepEqual(
        live.spec.template.spec.containers.map((c) => c.name),
        ["nginx"],
      );
      assert.equal(live.metadata.annotations?.["note"], "x");
      assert.equal(live.spec.replicas, 5);
      await ok([
        "patch",
        "deployment/web",
        "--type=json",
        "-p",
        '[{"op":"test","path":"/spec/replicas","value":5},{"op":"replace","path":"/spec/replicas","value":1}]',
      ]);
      live = await getJson<DeploymentJson>("deployment/web");
      assert.equal(live.spec.replicas, 1);
    });

    it("apply --server-side tracks managers, conflicts, forces and removes dropped fields", async () => {
      const applied = await ok(["apply", "--server-side", "-f", "-"], configMap({ a: "1" }));
      assert.equal(applied.trim(), "configmap/ssa serverside-applied");
      await ok(
        ["apply", "--server-side", "--field-manager=other", "-f", "-"],
        configMap({ b: "2" }),
      );
      const conflict = await k(
        ["apply", "--server-side", "--field-manager=other", "-f", "-"],
        configMap({ a: "9", b: "2" }),
      );
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict with "kubectl"/);
      assert.match(conflict.stderr, /\.data\.a/);
      await ok(
        ["apply", "--server-side", "--force-conflicts", "--field-manager=other", "-f", "-"],
        configMap({ a: "9", b: "2" }),
      );
      // kubectl gave up `a` to the forced apply; dropping it from its own configuration leaves it.
      await ok(["apply", "--server-side", "-f", "-"], configMap({ c: "3" }));
      let cm = await getJson<{ data: Record<string, string> }>("configmap/ssa");
      assert.deepEqual(cm.data, { a: "9", b: "2", c: "3" });
      // Now `other` drops `a`, which no one else owns: it goes.
      await ok(
        ["apply", "--server-side", "--field-manager=other", "-f", "-"],
        configMap({ b: "2" }),
      );
      cm = await getJson<{ data: Record<string, string> }>("configmap/ssa");
      assert.deepEqual(cm.data, { b: "2", c: "3" });
    });

    it("apply --server-side conflicts with kubectl scale until forced", async () => {
      const manifest = V2.replace("name: web", "name: api").replace(
        "spec:\n",
        "spec:\n  replicas: 2\n",
      );
      await ok(["apply", "--server-side", "-f", "-"], manifest);
      await ok(["scale", "deployment/api", "--replicas=4"]);
      const conflict = await k(["apply", "--server-side", "-f", "-"], manifest);
      assert.notEqual(conflict.code, 0);
      // kubectl scale names no field manager, so the server takes it from the User-Agent (the
      // binary's name), and the field came through the scale subresource.
      assert.match(conflict.stderr, /conflict with "kubectl[^"]*" with subresource "scale"/);
      assert.match(conflict.stderr, /\.spec\.replicas/);
      await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], manifest);
      const live = await getJson<DeploymentJson>("deployment/api");
      assert.equal(live.spec.replicas, 2);
    });

    it("the generators, run, expose, set and rollout restart create and change objects", async () => {
      await ok(["create", "deployment", "d1", "--image=nginx", "--replicas=0"]);
      await ok(["create", "job", "j1", "--image=busybox", "--", "echo", "hi"]);
      await ok(["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *"]);
      await ok(["create", "configmap", "c1", "--from-literal=k=v"]);
      await ok(["create", "secret", "generic", "s1", "--from-literal=p=q"]);
      await ok(["create", "namespace", "n1"]);
      await ok(["create", "service", "clusterip", "svc1", "--tcp=80:8080"]);
      await ok(["create", "serviceaccount", "sa1"]);
      await ok(["run", "pod1", "--image=nginx", "--port=80", "--labels=app=n1"]);
      await ok(["expose", "deployment", "d1", "--port=80", "--target-port=8080"]);
      await ok(["set", "image", "deployment/d1", "nginx=nginx:1.27"]);
      await ok(["set", "env", "deployment/d1", "FOO=bar"]);
      await ok(["rollout", "restart", "deployment/d1"]);

      const d1 = await getJson<DeploymentJson>("deployment/d1");
      assert.equal(d1.spec.replicas, 0, "replicas 0 survives (a pointer field in protobuf)");
      const c = d1.spec.template.spec.containers[0]!;
      assert.equal(c.image, "nginx:1.27");
      assert.deepEqual(c.env, [{ name: "FOO", value: "bar" }]);
      assert.ok(d1.spec.template.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"]);

      const secret = await getJson<{ data: Record<string, string> }>("secret/s1");
      assert.equal(Buffer.from(secret.data["p"]!, "base64").toString(), "q");
      const svc = await getJson<{ spec: { ports: { port: number; targetPort: number }[] } }>(
        "service/svc1",
      );
      assert.deepEqual(
        svc.spec.ports.map((p) => [p.port, p.targetPort]),
        [[80, 8080]],
      );
      const exposed = await getJson<{ spec: { selector: Record<string, string> } }>("service/d1");
      assert.deepEqual(exposed.spec.selector, { app: "d1" });
      const cj = await getJson<{ spec: { schedule: string } }>("cronjob/cj1");
      assert.equal(cj.spec.schedule, "*/5 * * * *");
      assert.equal(
        (await getJson<{ data: Record<string, string> }>("configmap/c1")).data["k"],
        "v",
      );
      await ok(["get", "namespace/n1", "serviceaccount/sa1", "job/j1", "pod/pod1"]);
    });

    it("auth can-i answers from the authorizer", async () => {
      assert.equal((await ok(["auth", "can-i", "create", "pods"])).trim(), "yes");
      assert.match(await ok(["auth", "can-i", "--list"]), /\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
    });
  });
}
