import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { applyMergePatch, createMergePatch, PatchError } from "./merge-patch.js";

/** The examples of RFC 7386 appendix A, as rows of original, patch, result. */
const RFC_7386_EXAMPLES: { target: unknown; patch: unknown; result: unknown }[] = [
  { target: { a: "b" }, patch: { a: "c" }, result: { a: "c" } },
  { target: { a: "b" }, patch: { b: "c" }, result: { a: "b", b: "c" } },
  { target: { a: "b" }, patch: { a: null }, result: {} },
  { target: { a: "b", b: "c" }, patch: { a: null }, result: { b: "c" } },
  { target: { a: ["b"] }, patch: { a: "c" }, result: { a: "c" } },
  { target: { a: "c" }, patch: { a: ["b"] }, result: { a: ["b"] } },
  { target: { a: { b: "c" } }, patch: { a: { b: "d", c: null } }, result: { a: { b: "d" } } },
  { target: { a: [{ b: "c" }] }, patch: { a: [1] }, result: { a: [1] } },
  { target: ["a", "b"], patch: ["c", "d"], result: ["c", "d"] },
  { target: { a: "b" }, patch: ["c"], result: ["c"] },
  { target: { a: "foo" }, patch: null, result: null },
  { target: { a: "foo" }, patch: "bar", result: "bar" },
  { target: { e: null }, patch: { a: 1 }, result: { e: null, a: 1 } },
  { target: [1, 2], patch: { a: "b", c: null }, result: { a: "b" } },
  { target: {}, patch: { a: { bb: { ccc: null } } }, result: { a: { bb: {} } } },
];

describe("applyMergePatch()", () => {
  for (const c of RFC_7386_EXAMPLES) {
    it(`RFC 7386: ${JSON.stringify(c.target)} + ${JSON.stringify(c.patch)} = ${JSON.stringify(c.result)}`, () => {
      assert.deepEqual(applyMergePatch(c.target, c.patch), c.result);
    });
  }

  const more: { name: string; target: unknown; patch: unknown; result: unknown }[] = [
    { name: "an empty patch keeps the target", target: { a: 1 }, patch: {}, result: { a: 1 } },
    {
      name: "an undefined target starts empty",
      target: undefined,
      patch: { a: 1, b: null },
      result: { a: 1 },
    },
    { name: "a scalar target becomes an object", target: 5, patch: { a: 1 }, result: { a: 1 } },
    {
      name: "kubectl label adds to metadata.labels",
      target: { metadata: { name: "web", labels: { app: "web" } }, spec: { replicas: 1 } },
      patch: { metadata: { labels: { tier: "front" } } },
      result: {
        metadata: { name: "web", labels: { app: "web", tier: "front" } },
        spec: { replicas: 1 },
      },
    },
    {
      name: "kubectl label k- removes one label",
      target: { metadata: { labels: { app: "web", tier: "front" } } },
      patch: { metadata: { labels: { tier: null } } },
      result: { metadata: { labels: { app: "web" } } },
    },
    {
      name: "null removes an absent member harmlessly",
      target: { a: 1 },
      patch: { z: null },
      result: { a: 1 },
    },
    {
      name: "false and 0 are values, not deletions",
      target: { a: 1 },
      patch: { a: false, b: 0 },
      result: { a: false, b: 0 },
    },
  ];
  for (const c of more) {
    it(c.name, () => {
      assert.deepEqual(applyMergePatch(c.target, c.patch), c.result);
    });
  }

  it("modifies neither input and returns nothing shared with them", () => {
    const target = { a: { b: [1, 2] }, keep: { deep: { x: 1 } } };
    const patch = { a: { c: { d: [3] } }, n: null };
    const targetBefore = structuredClone(target);
    const patchBefore = structuredClone(patch);

    const result = applyMergePatch(target, patch) as {
      a: { b: number[]; c: { d: number[] } };
      keep: { deep: { x: number } };
    };
    assert.deepEqual(target, targetBefore);
    assert.deepEqual(patch, patchBefore);

    result.a.b.push(9);
    result.a.c.d.push(9);
    result.keep.deep.x = 2;
    assert.deepEqual(target, targetBefore);
    assert.deepEqual(patch, patchBefore);
  });

  it("treats a member named __proto__ as data, not as the prototype", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepEqual(Object.keys(result), ["__proto__", "a"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const removed = applyMergePatch(result, JSON.parse('{"__proto__": null}') as unknown);
    assert.deepEqual(Object.keys(removed as object), ["a"]);
  });

  const notJson: {
    name: string;
    target: unknown;
    patch: unknown;
    kind: string;
    message: RegExp;
  }[] = [
    {
      name: "an undefined patch",
      target: {},
      patch: undefined,
      kind: "invalid",
      message: /the patch is not JSON: the value is undefined/,
    },
    {
      name: "a function in the patch",
      target: {},
      patch: { a: { f: () => 1 } },
      kind: "invalid",
      message: /the value at \/a\/f is function/,
    },
    {
      name: "NaN in the patch",
      target: {},
      patch: [Number.NaN],
      kind: "invalid",
      message: /the value at \/0 is NaN/,
    },
    {
      name: "a Date in the target",
      target: { t: new Date(0) },
      patch: {},
      kind: "failed",
      message: /the target is not JSON: the value at \/t is not a plain JSON object/,
    },
  ];
  for (const c of notJson) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => applyMergePatch(c.target, c.patch),
        (err: unknown) => {
          assert.ok(err instanceof PatchError);
          assert.equal(err.name, "PatchError");
          assert.equal(err.kind, c.kind);
          assert.match(err.message, /^Cannot apply merge patch: /);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }

  it("refuses nesting deeper than the limit instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    assert.throws(() => applyMergePatch({}, deep), /nests deeper than 1000 levels/);
  });
});

describe("createMergePatch()", () => {
  const cases: { name: string; original: unknown; modified: unknown; patch: unknown }[] = [
    {
      name: "identical objects give an empty patch",
      original: { a: 1, b: [1] },
      modified: { b: [1], a: 1 },
      patch: {},
    },
    { name: "a changed scalar", original: { a: 1 }, modified: { a: 2 }, patch: { a: 2 } },
    { name: "an added member", original: { a: 1 }, modified: { a: 1, b: "x" }, patch: { b: "x" } },
    {
      name: "a removed member becomes null",
      original: { a: 1, b: 2 },
      modified: { a: 1 },
      patch: { b: null },
    },
    {
      name: "nested objects are diffed member by member",
      original: { metadata: { labels: { app: "web", tier: "front" }, name: "w" } },
      modified: { metadata: { labels: { app: "web", env: "prod" }, name: "w" } },
      patch: { metadata: { labels: { tier: null, env: "prod" } } },
    },
    {
      name: "arrays are replaced whole",
      original: { a: [1, 2, 3] },
      modified: { a: [1, 3] },
      patch: { a: [1, 3] },
    },
    {
      name: "an object replacing a scalar is sent whole",
      original: { a: 1 },
      modified: { a: { b: 1 } },
      patch: { a: { b: 1 } },
    },
    {
      name: "a scalar replacing an object",
      original: { a: { b: 1 } },
      modified: { a: "x" },
      patch: { a: "x" },
    },
    {
      name: "a non-object modified document is the patch",
      original: { a: 1 },
      modified: [1],
      patch: [1],
    },
    {
      name: "a non-object original is replaced",
      original: "x",
      modified: { a: 1 },
      patch: { a: 1 },
    },
    {
      name: "null added to an absent member is no change",
      original: {},
      modified: { a: null },
      patch: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(createMergePatch(c.original, c.modified), c.patch);
    });
  }

  const pairs: { original: unknown; modified: unknown }[] = [
    {
      original: { a: 1, b: { c: [1, { d: 2 }], e: "x" } },
      modified: { b: { c: [], f: { g: true } }, h: 0 },
    },
    {
      original: { spec: { replicas: 1, template: { x: 1 } } },
      modified: { spec: { replicas: 3, template: { x: 1 } } },
    },
    { original: {}, modified: { a: { b: { c: {} } } } },
    { original: { a: { b: { c: 1 } } }, modified: {} },
  ];
  for (const [i, c] of pairs.entries()) {
    it(`applying the created patch turns original into modified (pair ${i})`, () => {
      const patch = createMergePatch(c.original, c.modified);
      assert.deepEqual(applyMergePatch(c.original, patch), c.modified);
    });
  }

  it("modifies neither input", () => {
    const original = { a: { b: 1 } };
    const modified = { a: { b: 2, c: [1] } };
    const patch = createMergePatch(original, modified) as { a: { c: number[] } };
    patch.a.c.push(2);
    assert.deepEqual(original, { a: { b: 1 } });
    assert.deepEqual(modified, { a: { b: 2, c: [1] } });
  });
});
