import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startCluster, type TestCluster } from "../../test/harness.js";
import type { KubeObject } from "../api/meta/types.js";
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from "./api-error.js";
import { KubeClient } from "./client.js";
import { resources } from "./resource.js";

const ns = "default";

function configMap(name: string, labels: Record<string, string> = {}, data = {}): KubeObject {
  return { metadata: { name, namespace: ns, labels }, data };
}

function pod(name: string): KubeObject {
  return {
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  };
}

describe("KubeClient against an in-process API server", () => {
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startCluster();
    client = KubeClient.fromKubeconfig(cluster.kubeconfig, { fieldManager: "client-test" });
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it("create() fills in apiVersion and kind, get() reads the object back", async () => {
    const created = await client.create(
      resources.configMaps,
      configMap("a", { app: "x" }, { k: "v" }),
    );
    assert.equal(created.kind, "ConfigMap");
    assert.ok(created.metadata.resourceVersion);
    const got = await client.get(resources.configMaps, "a", { namespace: ns });
    assert.deepEqual(got["data"], { k: "v" });
    assert.equal(got.metadata.managedFields?.[0]?.manager, "client-test");
  });

  it("create() of an existing name throws AlreadyExists with the server's Status", async () => {
    await client.create(resources.configMaps, configMap("dup"));
    const err = await client
      .create(resources.configMaps, configMap("dup"))
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.ok(isAlreadyExists(err));
    assert.equal(err.code, 409);
    assert.equal(err.details?.name, "dup");
    assert.match(err.message, /already exists/);
  });

  it("get() of a missing object throws NotFound", async () => {
    const err = await client
      .get(resources.configMaps, "missing", { namespace: ns })
      .catch((e: unknown) => e);
    assert.ok(isNotFound(err));
    assert.ok(!isConflict(err));
  });

  it("list() filters by label and field selectors and pages with limit and continue", async () => {
    for (const name of ["l1", "l2", "l3"]) {
      await client.create(resources.configMaps, configMap(name, { group: "paged" }));
    }
    const byLabel = await client.list(resources.configMaps, {
      namespace: ns,
      labelSelector: "group=paged",
    });
    assert.deepEqual(
      byLabel.items.map((o) => o.metadata.name),
      ["l1", "l2", "l3"],
    );
    assert.ok(byLabel.metadata.resourceVersion);

    const byField = await client.list(resources.configMaps, {
      namespace: ns,
      fieldSelector: "metadata.name=l2",
    });
    assert.deepEqual(
      byField.items.map((o) => o.metadata.name),
      ["l2"],
    );

    const first = await client.list(resources.configMaps, {
      labelSelector: "group=paged",
      limit: 2,
    });
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    const second = await client.list(resources.configMaps, {
      labelSelector: "group=paged",
      limit: 2,
      continue: first.metadata.continue!,
    });
    assert.deepEqual(
      second.items.map((o) => o.metadata.name),
      ["l3"],
    );
    assert.equal(second.metadata.continue ?? "", "");
  });

  it("update() with a stale resourceVersion throws Conflict; with the current one it succeeds", async () => {
    const created = await client.create(resources.configMaps, configMap("u"));
    const updated = await client.update(resources.configMaps, { ...created, data: { n: "1" } });
    assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
    const err = await client
      .update(resources.configMaps, { ...created, data: { n: "2" } })
      .catch((e: unknown) => e);
    assert.ok(isConflict(err));
  });

  it("updateStatus() writes the status subresource only", async () => {
    const created = await client.create(resources.pods, pod("s"));
    const status = { ...(created["status"] as object), phase: "Running" };
    const next = {
      ...created,
      status,
      spec: { ...(created["spec"] as object), activeDeadlineSeconds: 5 },
    };
    const written = await client.updateStatus(resources.pods, next);
    assert.equal((written["status"] as { phase: string }).phase, "Running");
    assert.equal(
      (written["spec"] as { activeDeadlineSeconds?: number }).activeDeadlineSeconds,
      undefined,
    );
  });

  it("patch() speaks merge, strategic, JSON patch and server-side apply", async () => {
    await client.create(resources.configMaps, configMap("p", {}, { a: "1" }));
    const cases: {
      type: "merge" | "strategic" | "json" | "apply";
      patch: unknown;
      want: object;
    }[] = [
      { type: "merge", patch: { data: { b: "2" } }, want: { a: "1", b: "2" } },
      { type: "strategic", patch: { data: { a: null } }, want: { b: "2" } },
      {
        type: "json",
        patch: [{ op: "add", path: "/data/c", value: "3" }],
        want: { b: "2", c: "3" },
      },
      {
        type: "apply",
        patch: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "p" }, data: { d: "4" } },
        want: { b: "2", c: "3", d: "4" },
      },
    ];
    for (const c of cases) {
      const out = await client.patch(resources.configMaps, "p", c.patch, {
        namespace: ns,
        type: c.type,
      });
      assert.deepEqual(out["data"], c.want, c.type);
    }
  });

  it("patch() as apply reports a conflict with another manager unless forced", async () => {
    const other = new KubeClient(cluster.url, { fieldManager: "other" });
    try {
      await client.create(resources.configMaps, configMap("ap", {}, { owned: "mine" }));
      const body = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "ap" },
        data: { owned: "theirs" },
      };
      const err = await other
        .patch(resources.configMaps, "ap", body, { namespace: ns, type: "apply" })
        .catch((e: unknown) => e);
      assert.ok(isConflict(err));
      const forced = await other.patch(resources.configMaps, "ap", body, {
        namespace: ns,
        type: "apply",
        force: true,
      });
      assert.deepEqual(forced["data"], { owned: "theirs" });
    } finally {
      other.close();
    }
  });

  it("delete() honours preconditions and returns what the server answers", async () => {
    const created = await client.create(resources.configMaps, configMap("d"));
    const err = await client
      .delete(resources.configMaps, "d", { namespace: ns, preconditions: { uid: "not-the-uid" } })
      .catch((e: unknown) => e);
    assert.ok(isConflict(err));
    const answer = await client.delete(resources.configMaps, "d", {
      namespace: ns,
      preconditions: { uid: created.metadata.uid! },
      propagationPolicy: "Background",
    });
    assert.equal(answer.kind === "Status" || answer.kind === "ConfigMap", true);
    assert.ok(
      isNotFound(await client.get(resources.configMaps, "d", { namespace: ns }).catch((e) => e)),
    );
  });

  it("delete() with a grace period leaves a pod terminating", async () => {
    await client.create(resources.pods, {
      ...pod("g"),
      spec: { ...(pod("g")["spec"] as object), nodeName: "n1" },
    });
    const answer = await client.delete(resources.pods, "g", {
      namespace: ns,
      gracePeriodSeconds: 30,
    });
    assert.ok(answer.metadata.deletionTimestamp);
    assert.equal(answer.metadata.deletionGracePeriodSeconds, 30);
  });

  it("post() sends a body to a subresource (a service account's token)", async () => {
    await client.create(resources.serviceAccounts, { metadata: { name: "sa", namespace: ns } });
    const answer = await client.post<{ status?: { token?: string } }>(
      resources.serviceAccounts,
      "sa",
      "token",
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: ["x"] } },
      { namespace: ns },
    );
    assert.match(answer.status?.token ?? "", /^ey/);
  });

  it("refuses calls it cannot address before sending them", async () => {
    await assert.rejects(client.get(resources.pods, "x"), /namespace is required/);
    await assert.rejects(
      client.patch(resources.configMaps, "p", {}, { namespace: ns, force: true }),
      /only to server-side apply/,
    );
    const unnamed = new KubeClient(cluster.url);
    try {
      await assert.rejects(
        unnamed.patch(resources.configMaps, "p", {}, { namespace: ns, type: "apply" }),
        /no field manager/,
      );
    } finally {
      unnamed.close();
    }
  });

  it("ApiError predicates tell 410 apart from other codes", () => {
    const gone = ApiError.fromResponse(
      410,
      JSON.stringify({ kind: "Status", code: 410, reason: "Expired", message: "too old" }),
    );
    assert.ok(isGone(gone));
    assert.equal(gone.message, "too old");
    const plain = ApiError.fromResponse(404, "<html>no</html>");
    assert.ok(isNotFound(plain));
    assert.equal(plain.message, "<html>no</html>");
    assert.ok(!isGone(plain));
  });
});

describe("KubeClient connections", () => {
  it("sends many requests over at most maxSockets kept-alive connections", async () => {
    const server = createServer((req, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(
        JSON.stringify({
          metadata: { name: "n" },
          path: req.url,
          agent: req.headers["user-agent"],
        }),
      );
    });
    let connections = 0;
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new KubeClient(`http://127.0.0.1:${port}`, {
      maxSockets: 2,
      userAgent: "kates-test/1",
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => client.get(resources.namespaces, `ns-${i}`)),
      );
      assert.equal(answers[3]?.["path"], "/api/v1/namespaces/ns-3");
      assert.equal(answers[0]?.["agent"], "kates-test/1");
      await client.get(resources.namespaces, "again");
      assert.ok(connections <= 2, `${connections} connections`);
    } finally {
      client.close();
      server.close();
    }
  });

  it("turns a non-Status error body into an ApiError with the code's reason", async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 503;
      res.end("overloaded");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new KubeClient(`http://127.0.0.1:${port}`);
    try {
      const err = await client.get(resources.nodes, "n").catch((e: unknown) => e);
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 503);
      assert.equal(err.reason, "ServiceUnavailable");
      assert.equal(err.message, "overloaded");
    } finally {
      client.close();
      server.close();
    }
  });
});
