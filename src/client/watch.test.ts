import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startCluster, type TestCluster } from "../../test/harness.js";
import type { KubeObject } from "../api/meta/types.js";
import { ApiError, isGone } from "./api-error.js";
import { KubeClient } from "./client.js";
import { resources } from "./resource.js";
import { LineSplitter, parseEvent, type WatchEvent, type WatchStream } from "./watch.js";

describe("LineSplitter", () => {
  const cases: { name: string; pieces: string[]; lines: string[]; rest?: string }[] = [
    { name: "whole lines", pieces: ["a\nb\n"], lines: ["a", "b"] },
    { name: "a line split across pieces", pieces: ['{"ty', 'pe":1}\n'], lines: ['{"type":1}'] },
    { name: "a newline alone in a piece", pieces: ["abc", "\n", "d"], lines: ["abc"], rest: "d" },
    { name: "blank lines skipped", pieces: ["\n\na\n\n"], lines: ["a"] },
    { name: "multi-byte text kept whole", pieces: ["é", "ü\n"], lines: ["éü"] },
    { name: "many pieces of one line", pieces: ["x", "y", "z", "\nw\n"], lines: ["xyz", "w"] },
  ];
  for (const c of cases) {
    it(`push() yields complete lines: ${c.name}`, () => {
      const splitter = new LineSplitter();
      const lines = c.pieces.flatMap((p) => splitter.push(p));
      assert.deepEqual(lines, c.lines);
      assert.equal(splitter.end(), c.rest);
    });
  }
});

describe("parseEvent", () => {
  it("accepts the five event types and refuses others", () => {
    for (const type of ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]) {
      assert.equal(parseEvent(JSON.stringify({ type, object: { metadata: {} } })).type, type);
    }
    assert.throws(() => parseEvent('{"type":"NOPE","object":{}}'), /unknown type/);
    assert.throws(() => parseEvent('{"type":"ADDED"}'), /no object/);
    assert.throws(() => parseEvent("{not json"), /Cannot parse watch event/);
  });
});

async function next<T>(it: AsyncIterator<T>): Promise<T> {
  const r = await it.next();
  assert.ok(!r.done, "the watch ended early");
  return r.value;
}

describe("watch() against an in-process API server", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  const ns = "default";

  before(async () => {
    cluster = await startCluster({ watchCacheWindow: 4 });
    client = new KubeClient(cluster.url, { fieldManager: "watch-test" });
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it("yields ADDED, MODIFIED and DELETED after the resourceVersion it starts from", async () => {
    const list = await client.list(resources.configMaps, { namespace: ns });
    const stream = client.watch(resources.configMaps, {
      namespace: ns,
      resourceVersion: list.metadata.resourceVersion!,
    });
    const events = stream[Symbol.asyncIterator]();
    const pending = next(events);
    const created = await client.create(resources.configMaps, {
      metadata: { name: "w", namespace: ns },
    });
    const added = await pending;
    assert.equal(added.type, "ADDED");
    assert.equal(added.object.metadata.name, "w");

    await client.update(resources.configMaps, { ...created, data: { x: "1" } });
    const modified = await next(events);
    assert.equal(modified.type, "MODIFIED");
    assert.deepEqual(modified.object["data"], { x: "1" });

    await client.delete(resources.configMaps, "w", { namespace: ns });
    const deleted = await next(events);
    assert.equal(deleted.type, "DELETED");

    stream.stop();
    assert.deepEqual(await events.next(), { done: true, value: undefined });
  });

  it("starts with the current objects as ADDED when no resourceVersion is given", async () => {
    await client.create(resources.configMaps, { metadata: { name: "current", namespace: ns } });
    const stream = client.watch(resources.configMaps, {
      namespace: ns,
      fieldSelector: "metadata.name=current",
    });
    const events = stream[Symbol.asyncIterator]();
    const first = await next(events);
    assert.equal(first.type, "ADDED");
    assert.equal(first.object.metadata.name, "current");
    stream.stop();
  });

  it("delivers an in-stream ERROR with a 410 Status when the resourceVersion is too old", async () => {
    const first = await client.create<KubeObject>(resources.configMaps, {
      metadata: { name: "old", namespace: ns },
    });
    let obj = first;
    for (let i = 0; i < 8; i++) {
      obj = await client.update(resources.configMaps, { ...obj, data: { i: String(i) } });
    }
    const stream = client.watch(resources.configMaps, {
      namespace: ns,
      resourceVersion: first.metadata.resourceVersion!,
    });
    const events: WatchEvent[] = [];
    for await (const e of stream) events.push(e);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event?.type, "ERROR");
    if (event?.type === "ERROR") {
      assert.equal(event.object.code, 410);
      assert.equal(event.object.reason, "Expired");
    }
  });

  it("throws the server's Status when the watch request itself is refused", async () => {
    const stream = client.watch(resources.configMaps, { namespace: ns, labelSelector: "a in (" });
    const err = await (async () => {
      for await (const _ of stream) assert.fail("no event expected");
    })().catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 400);
    assert.ok(!isGone(err));
  });

  it("ends without error when aborted through its signal, even while waiting", async () => {
    const list = await client.list(resources.configMaps, { namespace: ns });
    const controller = new AbortController();
    const stream: WatchStream = client.watch(resources.configMaps, {
      namespace: "nothing-here",
      resourceVersion: list.metadata.resourceVersion!,
      signal: controller.signal,
    });
    const events = stream[Symbol.asyncIterator]();
    const pending = events.next();
    setTimeout(() => controller.abort(), 20);
    assert.deepEqual(await pending, { done: true, value: undefined });
  });

  it("ends normally when the server's timeoutSeconds passes", async () => {
    const list = await client.list(resources.configMaps, { namespace: ns });
    const started = Date.now();
    const stream = client.watch(resources.configMaps, {
      namespace: "quiet",
      resourceVersion: list.metadata.resourceVersion!,
      timeoutSeconds: 1,
    });
    for await (const _ of stream) assert.fail("no event expected");
    assert.ok(Date.now() - started >= 900);
  });
});
