import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { api, startCluster, type TestCluster } from "../../../test/harness.js";

const PODS = "/api/v1/namespaces/default/pods";

function pod(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "c", image: "busybox" }], ...extra },
  });
}

function binding(name: string, target: Record<string, unknown>, meta = {}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Binding",
    metadata: { name, ...meta },
    target,
  });
}

describe("pods/binding subresource over HTTP", () => {
  let cluster: TestCluster;
  const post = (path: string, body: string): ReturnType<typeof api> =>
    api(cluster.url, path, { method: "POST", body });

  before(async () => {
    cluster = await startCluster();
    for (const name of ["a", "b", "c", "d", "e"]) {
      assert.equal((await post(PODS, pod(name))).status, 201);
    }
    assert.equal(
      (await post(PODS, pod("gated", { schedulingGates: [{ name: "g" }] }))).status,
      201,
    );
  });
  after(() => cluster.close());

  it("binds a pod: spec.nodeName, PodScheduled=True, annotations copied, 201 Success", async () => {
    const before = (await api(cluster.url, `${PODS}/a`)).body;
    const res = await post(
      `${PODS}/a/binding`,
      binding("a", { kind: "Node", name: "n1" }, { annotations: { "x/y": "z" } }),
    );
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      code: 201,
    });
    const got = (await api(cluster.url, `${PODS}/a`)).body;
    assert.equal(got.spec.nodeName, "n1");
    assert.equal(got.metadata.annotations["x/y"], "z");
    assert.equal(got.metadata.generation, before.metadata.generation);
    const cond = got.status.conditions.find((c: { type: string }) => c.type === "PodScheduled");
    assert.equal(cond.status, "True");
    assert.match(cond.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(cond.reason, undefined);
  });

  it("refuses a second binding with 409 naming the node", async () => {
    const res = await post(`${PODS}/a/binding`, binding("a", { name: "n2" }));
    assert.equal(res.status, 409);
    assert.equal(res.body.reason, "Conflict");
    assert.equal(
      res.body.message,
      'Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "n1"',
    );
  });

  it("answers 404 for a missing pod", async () => {
    const res = await post(`${PODS}/nope/binding`, binding("nope", { name: "n1" }));
    assert.equal(res.status, 404);
    assert.equal(res.body.message, 'pods "nope" not found');
  });

  it("changes nothing on a dry run", async () => {
    const res = await post(`${PODS}/b/binding?dryRun=All`, binding("b", { name: "n1" }));
    assert.equal(res.status, 201);
    assert.equal((await api(cluster.url, `${PODS}/b`)).body.spec.nodeName, undefined);
  });

  it("refuses bad bindings with clear errors", async () => {
    const cases: [string, string, number, RegExp][] = [
      ["c", binding("other", { name: "n1" }), 400, /name in URL does not match/],
      ["c", binding("c", { kind: "Pod", name: "n1" }), 422, /target.kind: Unsupported value/],
      ["c", binding("c", { kind: "Node" }), 422, /target.name: Required value/],
      ["c", binding("c", { name: 5 }), 400, /target.name must be a string/],
      ["c", JSON.stringify({ kind: "Pod", metadata: { name: "c" } }), 400, /expected kind/],
      ["c", binding("c", { name: "n1" }, { uid: "wrong" }), 409, /UID in precondition: wrong/],
      ["gated", binding("gated", { name: "n1" }), 409, /non-empty .spec.schedulingGates/],
    ];
    for (const [name, body, code, message] of cases) {
      const res = await post(`${PODS}/${name}/binding`, body);
      assert.equal(res.status, code, body);
      assert.match(res.body.message, message);
    }
    assert.equal((await api(cluster.url, `${PODS}/c`)).body.spec.nodeName, undefined);
  });

  it("honours the pod's uid and resourceVersion as preconditions", async () => {
    const d = (await api(cluster.url, `${PODS}/d`)).body;
    const meta = { uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion };
    assert.equal((await post(`${PODS}/d/binding`, binding("d", { name: "n3" }, meta))).status, 201);
    const e = (await api(cluster.url, `${PODS}/e`)).body;
    const stale = { resourceVersion: String(Number(e.metadata.resourceVersion) - 1) };
    const res = await post(`${PODS}/e/binding`, binding("e", { name: "n3" }, stale));
    assert.equal(res.status, 409);
    assert.match(res.body.message, /ResourceVersion in precondition/);
  });

  it("allows only POST", async () => {
    const res = await api(cluster.url, `${PODS}/c/binding`);
    assert.equal(res.status, 405);
  });

  it("is listed in discovery as pods/binding with verb create", async () => {
    const res = await api(cluster.url, "/api/v1");
    const entry = res.body.resources.find((r: { name: string }) => r.name === "pods/binding");
    assert.deepEqual(entry, {
      name: "pods/binding",
      singularName: "",
      namespaced: true,
      kind: "Binding",
      verbs: ["create"],
    });
    const names = res.body.resources.map((r: { name: string }) => r.name);
    assert.ok(names.indexOf("pods/binding") < names.indexOf("pods/status"));
  });
});
