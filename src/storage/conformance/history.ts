/**
 * Conformance: compaction, closing, and (for stores that persist) reopening.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend } from "../backend.js";
import { BackendClosedError, CompactedError, FutureRevisionError } from "../backend.js";
import type { BackendFactory } from "./helpers.js";
import { EventCollector, range, settle, withBackend } from "./helpers.js";
import { writeHistory } from "./reads.js";

/** Registers the compaction, close and reopen tests. */
export function registerHistoryTests(factory: BackendFactory): void {
  test("compact() keeps current values and the state at the compacted revision, and drops older ones", () =>
    withBackend(factory, async (b) => {
      const snapshots = await writeHistory(b);
      const current = await b.list("/h/");
      await b.compact(6);

      assert.equal(b.compactedRevision(), 6);
      assert.deepEqual(await b.list("/h/"), current);
      assert.deepEqual((await b.list("/h/", { revision: 6 })).items, snapshots.get(6));
      assert.deepEqual((await b.list("/h/", { revision: 8 })).items, snapshots.get(8));
      await assert.rejects(
        b.list("/h/", { revision: 5 }),
        (err: unknown) =>
          err instanceof CompactedError && err.requested === 5 && err.compacted === 6,
      );
      assert.equal((await b.get("/h/a"))?.value, "a2");
      assert.equal(await b.count("/h/"), 3);
    }));

  test("compact() at or below the compacted revision does nothing; past the current one it throws", () =>
    withBackend(factory, async (b) => {
      for (const i of range(1, 4)) await b.create(`/k/${i}`, "v");
      await b.compact(3);
      await b.compact(2);
      await b.compact(3);
      assert.equal(b.compactedRevision(), 3);
      await assert.rejects(b.compact(5), FutureRevisionError);
      assert.equal(b.compactedRevision(), 3);
    }));

  test("compact() up to a deletion keeps the key deleted and the revision counter where it was", () =>
    withBackend(factory, async (b) => {
      await b.create("/k/a", "v");
      await b.create("/k/b", "v");
      await b.delete("/k/b");
      await b.compact(3);
      assert.equal(await b.get("/k/b"), undefined);
      assert.deepEqual(
        (await b.list("/k/")).items.map((kv) => kv.key),
        ["/k/a"],
      );
      assert.equal(await b.currentRevision(), 3);
      assert.equal((await b.create("/k/c", "v")).revision, 4);
    }));

  test("compact() across many revisions keeps every current value", () =>
    withBackend(factory, async (b) => {
      await Promise.all(range(0, 99).map((i) => b.create(`/m/${i}`, "v0")));
      for (let round = 1; round <= 30; round++) {
        await Promise.all(
          range(0, 99).map((i) => b.update(`/m/${i}`, `v${round}`, (round - 1) * 100 + i + 1)),
        );
      }
      const before = await b.list("/m/");
      await b.compact(await b.currentRevision());
      assert.deepEqual(await b.list("/m/"), before);
      assert.equal(before.items.length, 100);
      assert.ok(before.items.every((kv) => kv.value === "v30"));
    }));

  test("close() commits writes issued before it, then ends watches and refuses every call", () =>
    withBackend(factory, async (b) => {
      const w = new EventCollector(b, "/", 0);
      const pending = b.create("/k", "v");
      await b.close();
      assert.deepEqual(await pending, { revision: 1 });
      assert.ok((await w.waitForError()) instanceof BackendClosedError);

      const calls: [string, () => Promise<unknown>][] = [
        ["get", () => b.get("/k")],
        ["list", () => b.list("/")],
        ["count", () => b.count("/")],
        ["create", () => b.create("/x", "v")],
        ["update", () => b.update("/k", "v", 1)],
        ["delete", () => b.delete("/k")],
        ["currentRevision", () => b.currentRevision()],
        ["compact", () => b.compact(1)],
      ];
      for (const [name, call] of calls) await assert.rejects(call(), BackendClosedError, name);
      assert.throws(
        () => b.watch("/", { afterRevision: 0, onEvents: () => {} }),
        BackendClosedError,
      );
      assert.throws(() => b.compactedRevision(), BackendClosedError);
      await b.close();
    }));

  if (!factory.reopen) return;
  const reopen = factory.reopen;

  test("reopen keeps every value and history, and continues the revisions", () =>
    withBackend(factory, async (first, swap) => {
      const snapshots = await writeHistory(first);
      const b: Backend = await reopen(first);
      swap(b);

      assert.equal(await b.currentRevision(), 9);
      for (const [revision, expected] of snapshots) {
        assert.deepEqual((await b.list("/h/", { revision })).items, expected);
      }
      assert.deepEqual((await b.create("/h/e", "e1")).revision, 10);
      const w = new EventCollector(b, "/h/", 8);
      assert.deepEqual(
        (await w.waitForCount(2)).map((e) => [e.type, e.kv.key]),
        [
          ["put", "/h/b"],
          ["put", "/h/e"],
        ],
      );
      w.watch.stop();
    }));

  test("reopen keeps the compacted revision and never hands out a revision again", () =>
    withBackend(factory, async (first, swap) => {
      await first.create("/k/a", "v");
      await first.create("/k/b", "v");
      await first.delete("/k/b");
      await first.delete("/k/a");
      await first.compact(4);
      const b: Backend = await reopen(first);
      swap(b);

      assert.equal(await b.currentRevision(), 4);
      assert.equal(b.compactedRevision(), 4);
      await assert.rejects(b.list("/", { revision: 3 }), CompactedError);
      assert.throws(() => b.watch("/", { afterRevision: 3, onEvents: () => {} }), CompactedError);
      assert.deepEqual((await b.list("/")).items, []);
      assert.equal((await b.create("/k/a", "again")).revision, 5);
      await settle();
    }));
}
