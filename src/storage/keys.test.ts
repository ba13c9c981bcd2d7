import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidKeyError } from "./backend.js";
import { checkKey, checkStartKey, compareKeys, keyRange, lowerBound } from "./keys.js";

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

test("compareKeys() agrees with UTF-8 byte order, which SQLite uses", () => {
  const keys = [
    "",
    "a",
    "ab",
    "a/",
    "A",
    "é",
    "\u07ff",
    "\u0800",
    "\ud7ff",
    "\ue000",
    "\uffff",
    "😀",
    "𐀀",
    "a😀",
    "a\uffff",
    "\0",
  ];
  for (const a of keys) {
    for (const b of keys) {
      assert.equal(
        Math.sign(compareKeys(a, b)),
        Math.sign(utf8Order(a, b)),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      );
    }
  }
});

const validity = [
  { key: "/registry/pods/default/web-0", ok: true },
  { key: "/ключ/😀", ok: true },
  { key: "", ok: false },
  { key: "/a\0", ok: false },
  { key: "/a\udfff", ok: false },
  { key: "/a\u{10FFFF}", ok: false },
];
for (const c of validity) {
  test(`checkKey(${JSON.stringify(c.key)}) ${c.ok ? "accepts" : "throws InvalidKeyError"}`, () => {
    if (c.ok) checkKey(c.key);
    else assert.throws(() => checkKey(c.key), InvalidKeyError);
  });
}

test("checkStartKey() accepts NUL, which paging appends, but not a lone surrogate", () => {
  checkStartKey("/a/b\0");
  checkStartKey(undefined);
  assert.throws(() => checkStartKey("/a\ud800"), InvalidKeyError);
});

test("keyRange() bounds exactly the keys under the prefix, from the later of prefix and startKey", () => {
  const { from, to } = keyRange("/p/");
  const inside = ["/p/", "/p/a", "/p/\uffff", "/p/😀", "/p/\u{10FFFE}zz"];
  const outside = ["/p", "/o/z", "/q", "/p0"];
  for (const k of inside) assert.ok(compareKeys(k, from) >= 0 && compareKeys(k, to) < 0, k);
  for (const k of outside) assert.ok(compareKeys(k, from) < 0 || compareKeys(k, to) >= 0, k);
  assert.equal(keyRange("/p/", "/a").from, "/p/");
  assert.equal(keyRange("/p/", "/p/m").from, "/p/m");
});

test("lowerBound() finds the first key not less than the probe", () => {
  const keys = ["/a", "/b", "/b/1", "/c"];
  const cases: [string, number][] = [
    ["", 0],
    ["/a", 0],
    ["/a0", 1],
    ["/b/", 2],
    ["/c", 3],
    ["/d", 4],
  ];
  for (const [probe, index] of cases) assert.equal(lowerBound(keys, probe), index, probe);
});
