/**
 * Conformance: create, get, update, delete, and how revisions are handed out.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  InvalidKeyError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
} from "../backend.js";
import type { BackendFactory } from "./helpers.js";
import { range, rejection, withBackend } from "./helpers.js";

/** Registers the write tests. */
export function registerWriteTests(factory: BackendFactory): void {
  test("create() stores a new key at the next revision and get() returns it", () =>
    withBackend(factory, async (b) => {
      assert.equal(await b.currentRevision(), 0);
      assert.deepEqual(await b.create("/k/a", "one"), { revision: 1 });
      assert.deepEqual(await b.get("/k/a"), {
        key: "/k/a",
        value: "one",
        createRevision: 1,
        modRevision: 1,
      });
      assert.equal(await b.currentRevision(), 1);
      assert.equal(await b.get("/k/missing"), undefined);
    }));

  test("create() of an existing key throws KeyExistsError with the current value and uses no revision", () =>
    withBackend(factory, async (b) => {
      await b.create("/k/a", "one");
      const err = await rejection(b.create("/k/a", "two"));
      assert.ok(err instanceof KeyExistsError);
      assert.equal(err.key, "/k/a");
      assert.equal(err.current?.value, "one");
      assert.equal((await b.get("/k/a"))?.value, "one");
      assert.equal(await b.currentRevision(), 1);
    }));

  test("update() with the current revision replaces the value and keeps createRevision", () =>
    withBackend(factory, async (b) => {
      await b.create("/k/a", "one");
      await b.create("/k/b", "other");
      assert.deepEqual(await b.update("/k/a", "two", 1), { revision: 3 });
      assert.deepEqual(await b.get("/k/a"), {
        key: "/k/a",
        value: "two",
        createRevision: 1,
        modRevision: 3,
      });
    }));

  const refusals = [
    {
      name: "update() of a missing key",
      op: "update",
      key: "/k/none",
      expected: 1,
      error: KeyNotFoundError,
    },
    {
      name: "update() at a stale revision",
      op: "update",
      key: "/k/a",
      expected: 1,
      error: RevisionMismatchError,
    },
    {
      name: "delete() of a missing key",
      op: "delete",
      key: "/k/none",
      expected: undefined,
      error: KeyNotFoundError,
    },
    {
      name: "delete() at a stale revision",
      op: "delete",
      key: "/k/a",
      expected: 1,
      error: RevisionMismatchError,
    },
  ] as const;
  for (const c of refusals) {
    test(`${c.name} throws ${c.error.name} and changes nothing`, () =>
      withBackend(factory, async (b) => {
        await b.create("/k/a", "one");
        await b.update("/k/a", "two", 1);
        const before = await b.get("/k/a");

        const write =
          c.op === "update" ? b.update(c.key, "new", c.expected) : b.delete(c.key, c.expected);
        const err = await rejection(write);

        assert.ok(err instanceof c.error, `got ${String(err)}`);
        if (err instanceof RevisionMismatchError) {
          assert.equal(err.expected, 1);
          assert.deepEqual(err.current, before);
        }
        assert.deepEqual(await b.get("/k/a"), before);
        assert.equal(await b.currentRevision(), 2);
      }));
  }

  test("delete() returns the deleted value, and a later create() starts a new createRevision", () =>
    withBackend(factory, async (b) => {
      await b.create("/k/a", "one");
      const deleted = await b.delete("/k/a");
      assert.deepEqual(deleted, {
        revision: 2,
        prev: { key: "/k/a", value: "one", createRevision: 1, modRevision: 1 },
      });
      assert.equal(await b.get("/k/a"), undefined);

      await b.create("/k/a", "again");
      assert.deepEqual(await b.get("/k/a"), {
        key: "/k/a",
        value: "again",
        createRevision: 3,
        modRevision: 3,
      });
      assert.equal((await b.delete("/k/a", 3)).revision, 4);
    }));

  test("revisions are global and strictly increasing across keys and kinds of write", () =>
    withBackend(factory, async (b) => {
      const seen: number[] = [];
      seen.push((await b.create("/x/1", "a")).revision);
      seen.push((await b.create("/y/1", "b")).revision);
      seen.push((await b.update("/x/1", "c", 1)).revision);
      await assert.rejects(b.create("/y/1", "dup"), KeyExistsError);
      seen.push((await b.delete("/y/1")).revision);
      seen.push((await b.create("/z", "d")).revision);
      assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    }));

  test("writes issued in one tick get distinct revisions in call order", () =>
    withBackend(factory, async (b) => {
      const results = await Promise.all(range(0, 49).map((i) => b.create(`/t/${i}`, `v${i}`)));
      assert.deepEqual(
        results.map((r) => r.revision),
        range(1, 50),
      );
      for (const i of [0, 17, 49]) assert.equal((await b.get(`/t/${i}`))?.modRevision, i + 1);
    }));

  test("compare-and-swap updates of one key in one tick: the first wins, the rest see its value", () =>
    withBackend(factory, async (b) => {
      await b.create("/cas", "v0");
      const outcomes = await Promise.allSettled(
        range(1, 8).map((i) => b.update("/cas", `v${i}`, 1)),
      );

      assert.equal(outcomes[0]?.status, "fulfilled");
      for (const o of outcomes.slice(1)) {
        assert.equal(o.status, "rejected");
        const err = (o as PromiseRejectedResult).reason as unknown;
        assert.ok(err instanceof RevisionMismatchError);
        assert.deepEqual(err.current, {
          key: "/cas",
          value: "v1",
          createRevision: 1,
          modRevision: 2,
        });
      }
      assert.equal(await b.currentRevision(), 2);
    }));

  test("create, delete and create of one key in one tick apply in order", () =>
    withBackend(factory, async (b) => {
      const [c1, d, c2, dup] = await Promise.allSettled([
        b.create("/k", "first"),
        b.delete("/k"),
        b.create("/k", "second"),
        b.create("/k", "third"),
      ]);
      assert.deepEqual(c1, { status: "fulfilled", value: { revision: 1 } });
      assert.equal(d?.status === "fulfilled" && d.value.prev.value, "first");
      assert.deepEqual(c2, { status: "fulfilled", value: { revision: 3 } });
      assert.ok(dup?.status === "rejected" && dup.reason instanceof KeyExistsError);
      assert.deepEqual(await b.get("/k"), {
        key: "/k",
        value: "second",
        createRevision: 3,
        modRevision: 3,
      });
    }));

  const badKeys = [
    { name: "an empty key", key: "" },
    { name: "a key with NUL", key: "/a\0b" },
    { name: "a key with a lone surrogate", key: "/a\ud800" },
    { name: "a key with U+10FFFF", key: "/a\u{10FFFF}" },
  ];
  for (const c of badKeys) {
    test(`create() refuses ${c.name} with InvalidKeyError`, () =>
      withBackend(factory, async (b) => {
        await assert.rejects(b.create(c.key, "v"), InvalidKeyError);
        await assert.rejects(b.get(c.key), InvalidKeyError);
        assert.equal(await b.currentRevision(), 0);
      }));
  }

  test("create() and update() refuse a value with a lone surrogate, and keep well-formed Unicode intact", () =>
    withBackend(factory, async (b) => {
      await assert.rejects(b.create("/k", "bad\udc00"), InvalidKeyError);
      const value = JSON.stringify({ text: "é 😀 \u{10FFFF} \0 \n" });
      await b.create("/k", value);
      await assert.rejects(b.update("/k", "\ud800", 1), InvalidKeyError);
      assert.equal((await b.get("/k"))?.value, value);
    }));
}
