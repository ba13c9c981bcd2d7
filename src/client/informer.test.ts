import assert from "node:assert/strict";
import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from "node:net";
import { after, before, describe, it } from "node:test";
import { eventually, startCluster, type TestCluster } from "../../test/harness.js";
import type { KubeObject } from "../api/meta/types.js";
import { KubeClient } from "./client.js";
import { Informer, stripManagedFields } from "./informer.js";
import { SharedInformerFactory } from "./informer-factory.js";
import { resources } from "./resource.js";

/** A TCP proxy to the API server that a test can cut off (dropping every connection) and reconnect. */
class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;

  constructor(target: URL) {
    this.#server = createServer((client) => {
      if (this.#cut) return void client.destroy();
      const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => {
          // The other side closes too; a reset is the expected way for a cut connection to end.
        });
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  reconnect(): void {
    this.#cut = false;
  }

  close(): void {
    this.cut();
    this.#server.close();
  }
}

/** Replays handler calls into a map, as a controller's view of the world. */
function recordInto(informer: Informer, log: string[]): Map<string, string> {
  const seen = new Map<string, string>();
  const key = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;
  informer.addEventHandler({
    onAdd: (o, initial) => {
      log.push(`add ${o.metadata.name}${initial ? " initial" : ""}`);
      seen.set(key(o), JSON.stringify(o["data"] ?? {}));
    },
    onUpdate: (old, o) => {
      assert.equal(key(old), key(o));
      log.push(`update ${o.metadata.name}`);
      seen.set(key(o), JSON.stringify(o["data"] ?? {}));
    },
    onDelete: (o, unknown) => {
      log.push(`delete ${o.metadata.name}${unknown ? " unknown" : ""}`);
      seen.delete(key(o));
    },
  });
  return seen;
}

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function serverState(client: KubeClient, namespace: string): Promise<Map<string, string>> {
  const list = await client.list(resources.configMaps, { namespace });
  return new Map(
    list.items.map((o) => [`${namespace}/${o.metadata.name}`, JSON.stringify(o["data"] ?? {})]),
  );
}

describe("Informer against an in-process API server", () => {
  let cluster: TestCluster;
  let writer: KubeClient;

  before(async () => {
    cluster = await startCluster({ watchCacheWindow: 4 });
    writer = new KubeClient(cluster.url, { fieldManager: "informer-test" });
  });
  after(async () => {
    writer.close();
    await cluster.close();
  });

  it("lists in pages, syncs, then tells handlers every change and keeps the lister right", async () => {
    const ns = "inf-sync";
    await writer.create(resources.namespaces, { metadata: { name: ns } });
    for (const name of ["a", "b", "c"]) {
      await writer.create(resources.configMaps, {
        metadata: { name, namespace: ns },
        data: { v: "0" },
      });
    }
    const client = new KubeClient(cluster.url);
    const informer = new Informer(client, resources.configMaps, { namespace: ns, pageSize: 2 });
    const log: string[] = [];
    const seen = recordInto(informer, log);
    informer.start();
    try {
      assert.equal(await informer.waitForSync(), true);
      assert.ok(informer.hasSynced());
      assert.deepEqual(log.sort(), ["add a initial", "add b initial", "add c initial"]);
      assert.equal(informer.lister.get(ns, "a")?.kind, "ConfigMap");

      log.length = 0;
      const b = await writer.get(resources.configMaps, "b", { namespace: ns });
      await writer.update(resources.configMaps, { ...b, data: { v: "1" } });
      await writer.delete(resources.configMaps, "c", { namespace: ns });
      await writer.create(resources.configMaps, { metadata: { name: "d", namespace: ns } });
      await until("the three changes", () => log.length === 3);
      assert.deepEqual(log, ["update b", "delete c", "add d"]);
      assert.deepEqual(seen, await serverState(writer, ns));
      assert.deepEqual(
        informer.lister
          .list(ns)
          .map((o) => o.metadata.name)
          .sort(),
        ["a", "b", "d"],
      );
      assert.equal(informer.listCount, 1);
    } finally {
      await informer.stop();
      client.close();
    }
  });

  it("re-lists after the watch is cut past the server's window (410) and reconciles the cache", async () => {
    const ns = "inf-relist";
    await writer.create(resources.namespaces, { metadata: { name: ns } });
    for (const name of ["keep", "change", "remove"]) {
      await writer.create(resources.configMaps, {
        metadata: { name, namespace: ns },
        data: { v: "0" },
      });
    }
    const proxy = new CuttableProxy(new URL(cluster.url));
    const client = new KubeClient(await proxy.listen());
    const errors: unknown[] = [];
    const informer = new Informer(client, resources.configMaps, {
      namespace: ns,
      backoff: { initialMs: 10, maxMs: 40 },
      onError: (err) => errors.push(err),
    });
    const log: string[] = [];
    const seen = recordInto(informer, log);
    informer.start();
    try {
      await informer.waitForSync();
      log.length = 0;

      proxy.cut();
      const change = await writer.get(resources.configMaps, "change", { namespace: ns });
      await writer.update(resources.configMaps, { ...change, data: { v: "1" } });
      await writer.delete(resources.configMaps, "remove", { namespace: ns });
      await writer.create(resources.configMaps, { metadata: { name: "new", namespace: ns } });
      // Enough further writes that the revision the informer stopped at leaves the watch cache window.
      for (let i = 0; i < 8; i++) {
        await writer.create(resources.configMaps, {
          metadata: { name: `other-${i}`, namespace: "default" },
        });
      }
      await until("a failed watch", () => errors.length > 0);
      proxy.reconnect();

      await until("the re-list", () => informer.listCount === 2);
      assert.deepEqual(log.sort(), ["add new", "delete remove unknown", "update change"]);
      assert.deepEqual(seen, await serverState(writer, ns));
      assert.deepEqual(
        informer.lister
          .list(ns)
          .map((o) => o.metadata.name)
          .sort(),
        ["change", "keep", "new"],
      );

      // The watch after the re-list goes on delivering changes.
      log.length = 0;
      await writer.delete(resources.configMaps, "keep", { namespace: ns });
      await until("the delete", () => log.length === 1);
      assert.deepEqual(log, ["delete keep"]);
    } finally {
      await informer.stop();
      client.close();
      proxy.close();
    }
  });

  it("a handler added after sync is told of every cached object first", async () => {
    const ns = "inf-late";
    await writer.create(resources.namespaces, { metadata: { name: ns } });
    await writer.create(resources.configMaps, { metadata: { name: "x", namespace: ns } });
    const client = new KubeClient(cluster.url);
    const informer = new Informer(client, resources.configMaps, { namespace: ns });
    informer.start();
    try {
      await informer.waitForSync();
      const log: string[] = [];
      recordInto(informer, log);
      assert.deepEqual(log, ["add x initial"]);
    } finally {
      await informer.stop();
      client.close();
    }
  });

  it("a transform changes listed and watched objects before they are cached", async () => {
    const ns = "inf-transform";
    await writer.create(resources.namespaces, { metadata: { name: ns } });
    await writer.create(resources.configMaps, {
      metadata: { name: "listed", namespace: ns },
      data: { k: "v" },
    });
    const client = new KubeClient(cluster.url);
    const informer = new Informer(client, resources.configMaps, {
      namespace: ns,
      transform: stripManagedFields,
    });
    const seen: KubeObject[] = [];
    informer.addEventHandler({ onAdd: (obj) => seen.push(obj) });
    informer.start();
    try {
      await informer.waitForSync();
      await writer.create(resources.configMaps, {
        metadata: { name: "watched", namespace: ns },
        data: { k: "v" },
      });
      await eventually(
        async () => informer.lister.get(ns, "watched") !== undefined,
        5000,
        "watched",
      );
      const stored = await writer.get<KubeObject>(resources.configMaps, "watched", {
        namespace: ns,
      });
      assert.ok(stored.metadata.managedFields?.length, "the server records managedFields");
      assert.deepEqual(
        seen.map((o) => [o.metadata.name, o.metadata.managedFields]),
        [
          ["listed", undefined],
          ["watched", undefined],
        ],
      );
      assert.equal(informer.lister.get(ns, "listed")?.metadata.managedFields, undefined);
    } finally {
      await informer.stop();
      client.close();
    }
  });

  it("a handler that throws is reported and does not stop other handlers", async () => {
    const ns = "inf-throw";
    await writer.create(resources.namespaces, { metadata: { name: ns } });
    const client = new KubeClient(cluster.url);
    const errors: unknown[] = [];
    const informer = new Informer(client, resources.configMaps, {
      namespace: ns,
      onError: (e) => errors.push(e),
    });
    const names: string[] = [];
    informer.addEventHandler({
      onAdd: () => {
        throw new Error("boom");
      },
    });
    informer.addEventHandler({ onAdd: (o) => names.push(o.metadata.name!) });
    informer.start();
    try {
      await informer.waitForSync();
      await writer.create(resources.configMaps, { metadata: { name: "y", namespace: ns } });
      await until("the add", () => names.length === 1);
      assert.match(String(errors[0]), /boom/);
    } finally {
      await informer.stop();
      client.close();
    }
  });

  it("waitForSync() resolves false when the informer stops before syncing", async () => {
    const client = new KubeClient("http://127.0.0.1:1");
    const informer = new Informer(client, resources.configMaps, { backoff: { initialMs: 10 } });
    informer.start();
    const waiting = informer.waitForSync();
    await informer.stop();
    assert.equal(await waiting, false);
    client.close();
  });
});

describe("SharedInformerFactory", () => {
  it("hands out one informer per resource and scope", () => {
    const client = new KubeClient("http://127.0.0.1:1");
    const factory = new SharedInformerFactory(client);
    const pods = factory.informerFor(resources.pods);
    assert.equal(factory.informerFor(resources.pods), pods);
    assert.notEqual(factory.informerFor(resources.pods, { namespace: "a" }), pods);
    assert.notEqual(factory.informerFor(resources.nodes), pods);
    client.close();
  });

  it("starts, syncs and stops every informer it made", async () => {
    const cluster = await startCluster();
    const client = new KubeClient(cluster.url);
    const factory = new SharedInformerFactory(client);
    try {
      const namespaces = factory.informerFor(resources.namespaces);
      const services = factory.informerFor(resources.services);
      factory.start();
      assert.equal(await factory.waitForSync(), true);
      assert.ok(namespaces.lister.get("", "default"));
      assert.ok(services.hasSynced());
    } finally {
      await factory.stop();
      client.close();
      await cluster.close();
    }
  });
});
