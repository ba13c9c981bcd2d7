/**
 * End-to-end: the OpenAPI documents against the real kubectl 1.33, 1.32 and 1.27 (called directly,
 * each run with a fresh cache). 1.32 and 1.33 read the v3 documents; 1.27 reads `/openapi/v2` in
 * protobuf for `explain` and for learning that the server validates fields. With the documents
 * served, `create -f` works with kubectl's default validation, which then moves to the server
 * (`fieldValidation=Strict`).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { allResources } from "../../src/api/registry.js";
import { apiVersionOf } from "../../src/api/resource.js";
import { getType } from "../../src/api/schema.js";
import { api, runKubectl, startCluster, versionedKubectl, type TestCluster } from "../harness.js";

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-VERSION
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          limits: {cpu: 100m, memory: 128Mi}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-VERSION
data:
  color: blue
`;

let cluster: TestCluster;
before(async () => {
  cluster = await startCluster();
});
after(async () => cluster.close());

for (const minor of [33, 32, 27]) {
  describe(`kubectl 1.${minor} with the OpenAPI documents`, () => {
    const binary = versionedKubectl(minor);
    const run = (args: string[], input?: string) =>
      runKubectl(
        binary,
        [
          "--kubeconfig",
          cluster.kubeconfig,
          "--cache-dir",
          mkdtempSync(join(cluster.dir, "cache-")),
          ...args,
        ],
        input === undefined ? {} : { input },
      );
    const ok = async (args: string[], input?: string) => {
      const r = await run(args, input);
      assert.equal(r.code, 0, `kubectl 1.${minor} ${args.join(" ")} failed:\n${r.stderr}`);
      return r;
    };

    it("explain <kind> prints the kind's group, version, description and fields", async () => {
      const { stdout } = await ok(["explain", "deployments.apps"]);
      assert.match(stdout, /GROUP:\s+apps/);
      assert.match(stdout, /KIND:\s+Deployment/);
      assert.match(stdout, /VERSION:\s+v1/);
      assert.ok(stdout.includes(getType("io.k8s.api.apps.v1.Deployment").description));
      for (const field of ["apiVersion", "kind", "metadata", "spec", "status"]) {
        assert.match(stdout, new RegExp(`^  ${field}\\s+<`, "m"), field);
      }
    });

    it("explain follows a nested field path into lists of objects", async () => {
      const { stdout } = await ok(["explain", "deployment.spec.template.spec.containers"]);
      assert.match(stdout, /FIELD:\s+containers <\[\]Container>/);
      assert.ok(stdout.includes(getType("io.k8s.api.core.v1.Container").description));
      assert.match(stdout, /^ {2}name\s+<string> -required-/m);
      for (const field of ["image", "ports", "resources", "env", "volumeMounts"]) {
        assert.match(stdout, new RegExp(`^  ${field}\\s+<`, "m"), field);
      }
    });

    it("explain --recursive walks the whole tree of a kind", async () => {
      const { stdout } = await ok(["explain", "deployment", "--recursive"]);
      for (const nested of ["containerPort", "matchExpressions", "maxSurge", "nodeSelector"]) {
        assert.match(stdout, new RegExp(`^\\s+${nested}\\s+<`, "m"), nested);
      }
      assert.ok(stdout.split("\n").length > 500, "the recursive tree looks short");
    });

    it("explain knows every served kind", async () => {
      for (const def of allResources) {
        // A dotted name would be read as a field path, so the group goes in --api-version.
        const { stdout } = await ok(["explain", def.plural, `--api-version=${apiVersionOf(def)}`]);
        assert.match(stdout, new RegExp(`KIND:\\s+${def.kind}\\n`), def.kind);
        if (def.group) assert.match(stdout, new RegExp(`GROUP:\\s+${def.group}\\n`), def.kind);
      }
    });

    it("create -f with the default validation sends fieldValidation=Strict and creates", async () => {
      const manifest = MANIFEST.replaceAll("VERSION", String(minor));
      const r = await ok(["create", "-f", "-", "-v=6"], manifest);
      assert.match(r.stdout, new RegExp(`deployment.apps/web-${minor} created`));
      assert.match(r.stdout, new RegExp(`configmap/settings-${minor} created`));
      const posts = r.stderr.split("\n").filter((l) => /POST/.test(l));
      assert.equal(posts.length, 2, r.stderr);
      for (const line of posts) assert.match(line, /fieldValidation=Strict/);
      // 1.32 and later decide from the v3 document; 1.27 from v2, which must then be protobuf.
      assert.equal(/openapi\/v2/.test(r.stderr), minor < 32, r.stderr);
      const got = await api(
        cluster.url,
        `/apis/apps/v1/namespaces/default/deployments/web-${minor}`,
      );
      assert.equal(got.body.spec.template.spec.containers[0].image, "nginx:1.27");
    });
  });
}

describe("OpenAPI endpoints over HTTP", () => {
  it("/openapi/v3 answers the index as JSON with an ETag, and 304 to a matching If-None-Match", async () => {
    const first = await api(cluster.url, "/openapi/v3");
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-type"), "application/json");
    const etag = first.headers.get("etag")!;
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    assert.ok(
      first.body.paths["apis/apps/v1"].serverRelativeURL.startsWith(
        "/openapi/v3/apis/apps/v1?hash=",
      ),
    );
    const again = await fetch(`${cluster.url}/openapi/v3`, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
  });

  it("a group-version document at its hash is cacheable for good; a stale hash redirects", async () => {
    const index = await api(cluster.url, "/openapi/v3");
    const url: string = index.body.paths["api/v1"].serverRelativeURL;
    const doc = await fetch(cluster.url + url);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get("cache-control"), "public, immutable");
    assert.equal(doc.headers.get("etag"), `"${url.split("hash=")[1]}"`);
    const body = (await doc.json()) as any;
    assert.equal(body.openapi, "3.0.0");
    assert.ok(body.components.schemas["io.k8s.api.core.v1.Pod"]);

    const stale = await fetch(`${cluster.url}/openapi/v3/api/v1?hash=ABC`, { redirect: "manual" });
    assert.equal(stale.status, 301);
    assert.equal(stale.headers.get("location"), url);
    const unhashed = await fetch(`${cluster.url}/openapi/v3/api/v1`);
    assert.equal(unhashed.headers.get("cache-control"), null);
  });

  it("refuses unknown group-versions with 404 and protobuf-only v3 requests with 406", async () => {
    const missing = await api(cluster.url, "/openapi/v3/apis/nope/v1");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.kind, "Status");
    const proto = await api(cluster.url, "/openapi/v3/api/v1", {
      headers: { Accept: "application/com.github.proto-openapi.spec.v3@v1.0+protobuf" },
    });
    assert.equal(proto.status, 406);
    assert.equal(proto.body.reason, "NotAcceptable");
  });

  it("/openapi/v2 answers JSON by default and protobuf to clients that ask for it", async () => {
    const json = await api(cluster.url, "/openapi/v2");
    assert.equal(json.status, 200);
    assert.equal(json.headers.get("content-type"), "application/json");
    assert.equal(json.body.swagger, "2.0");
    assert.ok(json.body.definitions["io.k8s.api.apps.v1.Deployment"]);
    for (const accept of [
      "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
      "application/com.github.proto-openapi.spec.v2.v1.0+protobuf, application/json",
    ]) {
      const res = await fetch(`${cluster.url}/openapi/v2`, { headers: { Accept: accept } });
      assert.equal(res.status, 200);
      assert.equal(
        res.headers.get("content-type"),
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
      );
      assert.equal(res.headers.get("vary"), "Accept");
      assert.equal(Buffer.from(await res.arrayBuffer())[0], 0x0a); // field 1 (swagger), a string
    }
    const refused = await api(cluster.url, "/openapi/v2", { headers: { Accept: "text/html" } });
    assert.equal(refused.status, 406);
  });

  it("HEAD answers the headers of GET without a body", async () => {
    const get = await fetch(`${cluster.url}/openapi/v2`);
    const head = await fetch(`${cluster.url}/openapi/v2`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), get.headers.get("content-length"));
    assert.equal(head.headers.get("etag"), get.headers.get("etag"));
    assert.equal(await head.text(), "");
  });
});
