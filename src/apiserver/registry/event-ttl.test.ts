import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { api, eventually } from "../../../test/harness.js";
import { openBackend } from "../../storage/open.js";
import { silentLogger } from "../../util/log.js";
import { ApiServer } from "../server.js";
import { CachedObject } from "./codec.js";
import { EventExpiry } from "./event-ttl.js";
import type { Store } from "./store.js";
import { ResourceCache } from "./watch-cache.js";

const TTL = 60_000;
const T0 = Date.parse("2026-01-01T00:00:00Z");
const PREFIX = "/registry/events/";

function event(name: string, revision: number, times: { created: number; last?: number }) {
  const obj = {
    kind: "Event",
    apiVersion: "v1",
    metadata: {
      name,
      namespace: "default",
      resourceVersion: String(revision),
      creationTimestamp: new Date(times.created).toISOString(),
    },
    ...(times.last ? { lastTimestamp: new Date(times.last).toISOString() } : {}),
  };
  return new CachedObject(`${PREFIX}default/${name}`, JSON.stringify(obj), revision);
}

/** A cache, a store that records deletes and applies them to the cache, and a clock. */
function setup(loaded: CachedObject[]) {
  const cache = new ResourceCache(PREFIX, 0);
  for (const e of loaded) cache.load(e);
  const deletes: string[] = [];
  let revision = 100;
  const store = {
    delete: async (
      _ns: string,
      name: string,
      options: { preconditions?: { resourceVersion?: string } },
    ) => {
      const current = cache.get(`${PREFIX}default/${name}`)!;
      assert.equal(options.preconditions?.resourceVersion, String(current.revision));
      deletes.push(name);
      cache.apply({ type: "DELETED", object: current, revision: ++revision });
      return { object: current, deleted: true };
    },
  } as unknown as Store;
  const clock = { now: T0 };
  const expiry = new EventExpiry({
    store,
    cache,
    ttlMs: TTL,
    logger: silentLogger,
    now: () => clock.now,
  });
  return { cache, deletes, clock, expiry };
}

describe("EventExpiry", () => {
  it("expires Events found at start from the newest time they carry", async () => {
    const { deletes, clock, expiry } = setup([
      event("old", 1, { created: T0 - 2 * TTL }),
      event("seen-again", 2, { created: T0 - 2 * TTL, last: T0 - TTL / 2 }),
    ]);
    assert.equal(await expiry.sweep(), 1);
    assert.deepEqual(deletes, ["old"]);
    clock.now = T0 + TTL / 2;
    assert.equal(await expiry.sweep(), 1);
    assert.deepEqual(deletes, ["old", "seen-again"]);
  });

  it("a write pushes the expiry back to a TTL after it", async () => {
    const { cache, deletes, clock, expiry } = setup([]);
    cache.apply({ type: "ADDED", object: event("e", 5, { created: T0 }), revision: 5 });
    clock.now = T0 + TTL / 2;
    cache.apply({ type: "MODIFIED", object: event("e", 6, { created: T0 }), revision: 6 });
    clock.now = T0 + TTL;
    assert.equal(await expiry.sweep(), 0, "the first write's expiry is superseded");
    clock.now = T0 + TTL / 2 + TTL;
    assert.equal(await expiry.sweep(), 1);
    assert.deepEqual(deletes, ["e"]);
  });

  it("skips Events deleted before they expire", async () => {
    const { cache, deletes, clock, expiry } = setup([]);
    const e = event("gone", 7, { created: T0 });
    cache.apply({ type: "ADDED", object: e, revision: 7 });
    cache.apply({ type: "DELETED", object: e, revision: 8 });
    clock.now = T0 + 2 * TTL;
    assert.equal(await expiry.sweep(), 0);
    assert.deepEqual(deletes, []);
  });
});

describe("kates server with a short --event-ttl", () => {
  it("deletes an Event once its TTL has passed", async () => {
    const backend = await openBackend({ type: "memory", dataDir: "" });
    const server = await ApiServer.start({
      backend,
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger,
      eventTtlMs: 1500,
    });
    try {
      const path = "/api/v1/namespaces/default/events";
      const created = await api(server.url, path, {
        method: "POST",
        body: JSON.stringify({
          metadata: { name: "short-lived" },
          involvedObject: { kind: "Pod", namespace: "default", name: "p" },
          reason: "Test",
          message: "expires soon",
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await eventually(
        async () => (await api(server.url, `${path}/short-lived`)).status === 404,
        10_000,
        "the Event expired",
      );
    } finally {
      await server.close();
      await backend.close();
    }
  });
});
