/**
 * Conformance: list (prefix, order, paging, past revisions) and count.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend, KeyValue } from "../backend.js";
import { FutureRevisionError } from "../backend.js";
import type { BackendFactory } from "./helpers.js";
import { range, withBackend } from "./helpers.js";

const keysOf = (items: KeyValue[]): string[] => items.map((kv) => kv.key);

/** Registers the list and count tests. */
export function registerReadTests(factory: BackendFactory): void {
  test("list() returns the keys under a prefix in key order, and none of their neighbours", () =>
    withBackend(factory, async (b) => {
      for (const key of ["/r/b/1", "/r/a/10", "/r/a", "/r/a/2", "/r/ab", "/r/a/", "/r/a/1", "/s"]) {
        await b.create(key, `v:${key}`);
      }
      const listed = await b.list("/r/a/");
      assert.deepEqual(keysOf(listed.items), ["/r/a/", "/r/a/1", "/r/a/10", "/r/a/2"]);
      assert.equal(listed.items[1]?.value, "v:/r/a/1");
      assert.equal(listed.revision, 8);
      assert.equal(listed.more, false);
      assert.equal((await b.list("")).items.length, 8);
      assert.deepEqual(keysOf((await b.list("/r/")).items), [
        "/r/a",
        "/r/a/",
        "/r/a/1",
        "/r/a/10",
        "/r/a/2",
        "/r/ab",
        "/r/b/1",
      ]);
      assert.deepEqual((await b.list("/nothing/")).items, []);
    }));

  test("list() orders keys by Unicode code point", () =>
    withBackend(factory, async (b) => {
      for (const key of ["/u/😀", "/u/\uFFFD", "/u/z", "/u/é", "/u/A", "/u/\uE000"])
        await b.create(key, "v");
      assert.deepEqual(keysOf((await b.list("/u/")).items), [
        "/u/A",
        "/u/z",
        "/u/é",
        "/u/\uE000",
        "/u/\uFFFD",
        "/u/😀",
      ]);
    }));

  test("list() pages with limit and startKey, each key once, at the first page's revision", () =>
    withBackend(factory, async (b) => {
      await Promise.all(
        range(1, 25).map((i) => b.create(`/p/${String(i).padStart(2, "0")}`, `v${i}`)),
      );
      const first = await b.list("/p/", { limit: 7 });
      await b.create("/p/00", "added after the first page");
      await b.delete("/p/25");

      const seen = keysOf(first.items);
      let page = first;
      while (page.more) {
        const startKey = `${page.items[page.items.length - 1]?.key}\0`;
        page = await b.list("/p/", { limit: 7, startKey, revision: first.revision });
        assert.equal(page.revision, first.revision);
        seen.push(...keysOf(page.items));
      }
      assert.deepEqual(
        seen,
        range(1, 25).map((i) => `/p/${String(i).padStart(2, "0")}`),
      );
    }));

  const limits = [
    { limit: 3, keys: 3, more: false },
    { limit: 3, keys: 4, more: true },
    { limit: 1, keys: 0, more: false },
    { limit: 0, keys: 5, more: false },
  ];
  for (const c of limits) {
    test(`list() with limit ${c.limit} over ${c.keys} keys reports more=${c.more}`, () =>
      withBackend(factory, async (b) => {
        for (const i of range(1, c.keys)) await b.create(`/l/${i}`, "v");
        const listed = await b.list("/l/", { limit: c.limit });
        assert.equal(listed.more, c.more);
        assert.equal(listed.items.length, c.limit === 0 ? c.keys : Math.min(c.limit, c.keys));
      }));
  }

  test("list() with a startKey below the prefix starts at the prefix", () =>
    withBackend(factory, async (b) => {
      for (const key of ["/a", "/b/1", "/b/2", "/c"]) await b.create(key, "v");
      assert.deepEqual(keysOf((await b.list("/b/", { startKey: "/" })).items), ["/b/1", "/b/2"]);
      assert.deepEqual(keysOf((await b.list("/b/", { startKey: "/b/1\0" })).items), ["/b/2"]);
      assert.deepEqual(keysOf((await b.list("/b/", { startKey: "/c" })).items), []);
    }));

  test("list() at a past revision returns the keys and values as of that revision", () =>
    withBackend(factory, async (b) => {
      const snapshots = await writeHistory(b);
      for (const [revision, expected] of snapshots) {
        const listed = await b.list("/h/", { revision });
        assert.equal(listed.revision, revision);
        assert.deepEqual(listed.items, expected, `at revision ${revision}`);
      }
      const paged = await b.list("/h/", { revision: 3, limit: 2 });
      assert.deepEqual(keysOf(paged.items), ["/h/a", "/h/b"]);
      assert.equal(paged.more, true);
      const rest = await b.list("/h/", { revision: 3, startKey: "/h/b\0" });
      assert.deepEqual(keysOf(rest.items), ["/h/c"]);
    }));

  test("list() at a revision after the current one throws FutureRevisionError", () =>
    withBackend(factory, async (b) => {
      await b.create("/k", "v");
      await assert.rejects(b.list("/", { revision: 2 }), FutureRevisionError);
      await assert.rejects(b.list("/", { revision: -1 }), RangeError);
    }));

  test("count() counts the current keys under a prefix", () =>
    withBackend(factory, async (b) => {
      for (const key of ["/c/a/1", "/c/a/2", "/c/a/3", "/c/ab", "/c/b/1"]) await b.create(key, "v");
      await b.delete("/c/a/2");
      assert.equal(await b.count("/c/a/"), 2);
      assert.equal(await b.count("/c/"), 4);
      assert.equal(await b.count(""), 4);
      assert.equal(await b.count("/none/"), 0);
    }));
}

/**
 * Writes a small history under /h/ and returns what a list at each revision must return:
 * 1 create a, 2 create b, 3 create c, 4 update a, 5 delete b, 6 create d, 7 update c, 8 delete d,
 * 9 create b again.
 */
export async function writeHistory(b: Backend): Promise<Map<number, KeyValue[]>> {
  await b.create("/h/a", "a1");
  await b.create("/h/b", "b1");
  await b.create("/h/c", "c1");
  await b.update("/h/a", "a2", 1);
  await b.delete("/h/b");
  await b.create("/h/d", "d1");
  await b.update("/h/c", "c2", 3);
  await b.delete("/h/d", 6);
  await b.create("/h/b", "b2");

  const kv = (
    key: string,
    value: string,
    createRevision: number,
    modRevision: number,
  ): KeyValue => ({
    key: `/h/${key}`,
    value,
    createRevision,
    modRevision,
  });
  const a1 = kv("a", "a1", 1, 1);
  const a2 = kv("a", "a2", 1, 4);
  const b1 = kv("b", "b1", 2, 2);
  const c1 = kv("c", "c1", 3, 3);
  const c2 = kv("c", "c2", 3, 7);
  const d1 = kv("d", "d1", 6, 6);
  return new Map([
    [1, [a1]],
    [2, [a1, b1]],
    [3, [a1, b1, c1]],
    [4, [a2, b1, c1]],
    [5, [a2, c1]],
    [6, [a2, c1, d1]],
    [7, [a2, c2, d1]],
    [8, [a2, c2]],
    [9, [a2, kv("b", "b2", 9, 9), c2]],
  ]);
}
