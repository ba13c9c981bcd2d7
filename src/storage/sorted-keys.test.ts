import assert from "node:assert/strict";
import { test } from "node:test";
import { compareKeys } from "./keys.js";
import { SortedKeys } from "./sorted-keys.js";

/** A tiny deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

test("SortedKeys agrees with a sorted array through thousands of inserts and deletes", () => {
  const next = random(7);
  const keys = new SortedKeys();
  const reference = new Set<string>();
  for (let step = 0; step < 20_000; step++) {
    const key = `/registry/pods/ns-${Math.floor(next() * 5)}/pod-${Math.floor(next() * 3000)}`;
    if (next() < 0.7) {
      assert.equal(keys.insert(key), !reference.has(key), `insert ${key}`);
      reference.add(key);
    } else {
      assert.equal(keys.delete(key), reference.has(key), `delete ${key}`);
      reference.delete(key);
    }
  }
  const sorted = [...reference].sort(compareKeys);
  assert.equal(keys.size, sorted.length);
  assert.deepEqual([...keys.range("")], sorted);
  const from = "/registry/pods/ns-2/";
  const to = "/registry/pods/ns-3/";
  assert.deepEqual(
    [...keys.range(from, to)],
    sorted.filter((k) => k >= from && k < to),
  );
  assert.equal(keys.rank(from), sorted.filter((k) => k < from).length);
  assert.equal(keys.rank("~"), sorted.length);
});

test("SortedKeys starts a range in the middle of a chunk and past the end", () => {
  const keys = new SortedKeys();
  for (let i = 0; i < 2000; i++) keys.insert(`k${String(i).padStart(4, "0")}`);
  assert.deepEqual([...keys.range("k1998")], ["k1998", "k1999"]);
  assert.deepEqual([...keys.range("k0600", "k0603")], ["k0600", "k0601", "k0602"]);
  assert.deepEqual([...keys.range("l")], []);
  assert.equal(keys.delete("missing"), false);
  for (let i = 0; i < 2000; i++) assert.equal(keys.delete(`k${String(i).padStart(4, "0")}`), true);
  assert.equal(keys.size, 0);
  assert.deepEqual([...keys.range("")], []);
});
