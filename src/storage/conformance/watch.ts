/**
 * Conformance: watch replay, live delivery, ordering, prefixes, stopping and compaction.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { WatchEvent } from "../backend.js";
import { CompactedError } from "../backend.js";
import type { BackendFactory } from "./helpers.js";
import { EventCollector, range, settle, withBackend } from "./helpers.js";

/** Registers the watch tests. */
export function registerWatchTests(factory: BackendFactory): void {
  test("watch() from an old revision replays history, then continues live, with prevKv", () =>
    withBackend(factory, async (b) => {
      await b.create("/w/a", "a1");
      await b.update("/w/a", "a2", 1);
      await b.delete("/w/a");
      await b.create("/w/b", "b1");

      const w = new EventCollector(b, "/w/", 0);
      await w.waitForCount(4);
      await b.update("/w/b", "b2", 4);
      const events = await w.waitForCount(5);

      const a1 = { key: "/w/a", value: "a1", createRevision: 1, modRevision: 1 };
      const a2 = { key: "/w/a", value: "a2", createRevision: 1, modRevision: 2 };
      const b1 = { key: "/w/b", value: "b1", createRevision: 4, modRevision: 4 };
      const expected: WatchEvent[] = [
        { type: "put", kv: a1 },
        { type: "put", kv: a2, prevKv: a1 },
        { type: "delete", kv: { ...a2, modRevision: 3 }, prevKv: a2 },
        { type: "put", kv: b1 },
        { type: "put", kv: { ...b1, value: "b2", modRevision: 5 }, prevKv: b1 },
      ];
      assert.deepEqual(events, expected);
      w.watch.stop();
    }));

  test("watch() from the current revision delivers only later changes", () =>
    withBackend(factory, async (b) => {
      await b.create("/w/old", "v");
      const w = new EventCollector(b, "/w/", await b.currentRevision());
      await settle();
      assert.deepEqual(w.events, []);
      await b.create("/w/new", "v");
      assert.deepEqual(
        (await w.waitForCount(1)).map((e) => e.kv.key),
        ["/w/new"],
      );
      w.watch.stop();
    }));

  test("watch() delivers only keys under its prefix, replayed and live", () =>
    withBackend(factory, async (b) => {
      await b.create("/w/a/1", "v");
      await b.create("/w/ab", "v");
      await b.create("/w/b/1", "v");
      const w = new EventCollector(b, "/w/a/", 0);
      await w.waitForCount(1);
      await b.create("/w/a", "v");
      await b.create("/w/a/2", "v");
      await b.create("/w/b/2", "v");
      await w.waitForCount(2);
      await settle();
      assert.deepEqual(
        w.events.map((e) => e.kv.key),
        ["/w/a/1", "/w/a/2"],
      );
      w.watch.stop();
    }));

  test("watch() started in the middle of a stream of writes sees each revision once, in order", () =>
    withBackend(factory, async (b) => {
      const first = range(1, 100).map((i) => b.create(`/s/${i}`, "v"));
      await Promise.all(first);
      const rest = range(101, 300).map((i) => b.create(`/s/${i}`, "v"));
      // Started while the second burst is queued but not yet committed.
      const w = new EventCollector(b, "/s/", 50);
      await Promise.all(rest);
      await w.waitForCount(250);
      await settle();
      assert.deepEqual(w.revisions(), range(51, 300));
      w.watch.stop();
    }));

  test("watch() replays a long history in order while live writes continue", () =>
    withBackend(factory, async (b) => {
      for (let i = 0; i < 2500; i += 500) {
        await Promise.all(range(i, i + 499).map((j) => b.create(`/long/${j}`, `v${j}`)));
      }
      const w = new EventCollector(b, "/long/", 0);
      const live = range(2500, 2599).map((j) => b.create(`/long/${j}`, `v${j}`));
      await Promise.all(live);
      await w.waitForCount(2600, 20_000);
      await settle();
      assert.deepEqual(w.revisions(), range(1, 2600));
      assert.equal(w.events[1234]?.kv.value, "v1234");
      w.watch.stop();
    }));

  test("watch() stop() ends delivery and may be called twice", () =>
    withBackend(factory, async (b) => {
      const w = new EventCollector(b, "/", 0);
      await b.create("/k/1", "v");
      await w.waitForCount(1);
      w.watch.stop();
      w.watch.stop();
      await b.create("/k/2", "v");
      await settle();
      assert.equal(w.events.length, 1);
    }));

  test("watch() stopped before its replay ran delivers nothing", () =>
    withBackend(factory, async (b) => {
      await b.create("/k/1", "v");
      const w = new EventCollector(b, "/", 0);
      w.watch.stop();
      await b.create("/k/2", "v");
      await settle();
      assert.deepEqual(w.events, []);
    }));

  test("watch() from before the compacted revision throws CompactedError; from it, it works", () =>
    withBackend(factory, async (b) => {
      for (const i of range(1, 5)) await b.create(`/c/${i}`, "v");
      await b.compact(3);
      assert.throws(
        () => b.watch("/c/", { afterRevision: 2, onEvents: () => {} }),
        (err: unknown) =>
          err instanceof CompactedError && err.compacted === 3 && err.requested === 2,
      );
      const w = new EventCollector(b, "/c/", 3);
      assert.deepEqual(
        (await w.waitForCount(2)).map((e) => e.kv.key),
        ["/c/4", "/c/5"],
      );
      w.watch.stop();
    }));

  test("a watch still replaying history that compaction drops fails with CompactedError", () =>
    withBackend(factory, async (b) => {
      for (const i of range(1, 10)) await b.create(`/c/${i}`, "v");
      const w = new EventCollector(b, "/c/", 2);
      const compaction = b.compact(8);
      assert.ok((await w.waitForError()) instanceof CompactedError);
      await compaction;
      await b.create("/c/11", "v");
      await settle();
      assert.deepEqual(w.events, []);
    }));

  test("watch() after compaction replays updates with the prevKv written before the compacted revision", () =>
    withBackend(factory, async (b) => {
      await b.create("/k/a", "a1");
      await b.create("/k/b", "b1");
      await b.update("/k/a", "a2", 1);
      await b.delete("/k/b");
      await b.compact(2);

      const w = new EventCollector(b, "/k/", 2);
      const events = await w.waitForCount(2);
      assert.deepEqual(events[0]?.prevKv, {
        key: "/k/a",
        value: "a1",
        createRevision: 1,
        modRevision: 1,
      });
      assert.deepEqual(events[1], {
        type: "delete",
        kv: { key: "/k/b", value: "b1", createRevision: 2, modRevision: 4 },
        prevKv: { key: "/k/b", value: "b1", createRevision: 2, modRevision: 2 },
      });
      w.watch.stop();
    }));

  test("a watcher whose onEvents throws is ended through onError; others go on", () =>
    withBackend(factory, async (b) => {
      let failure: Error | undefined;
      b.watch("/", {
        afterRevision: 0,
        onEvents: () => {
          throw new Error("consumer bug");
        },
        onError: (err) => (failure = err),
      });
      const healthy = new EventCollector(b, "/", 0);
      await b.create("/k/1", "v");
      await b.create("/k/2", "v");
      await healthy.waitForCount(2);
      assert.equal(failure?.message, "consumer bug");
      healthy.watch.stop();
    }));
}
