import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  applyJsonPatch,
  MAX_JSON_PATCH_OPERATIONS,
  parseJsonPatch,
  PatchError,
} from "./json-patch.js";
import { formatJsonPointer, parseJsonPointer } from "./json-pointer.js";

/** The examples of RFC 6902 appendix A that succeed, as rows of document, patch, result. */
const RFC_6902_EXAMPLES: { name: string; doc: unknown; patch: unknown[]; result: unknown }[] = [
  {
    name: "A.1 adding an object member",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux" }],
    result: { baz: "qux", foo: "bar" },
  },
  {
    name: "A.2 adding an array element",
    doc: { foo: ["bar", "baz"] },
    patch: [{ op: "add", path: "/foo/1", value: "qux" }],
    result: { foo: ["bar", "qux", "baz"] },
  },
  {
    name: "A.3 removing an object member",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "remove", path: "/baz" }],
    result: { foo: "bar" },
  },
  {
    name: "A.4 removing an array element",
    doc: { foo: ["bar", "qux", "baz"] },
    patch: [{ op: "remove", path: "/foo/1" }],
    result: { foo: ["bar", "baz"] },
  },
  {
    name: "A.5 replacing a value",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "replace", path: "/baz", value: "boo" }],
    result: { baz: "boo", foo: "bar" },
  },
  {
    name: "A.6 moving a value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    result: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  {
    name: "A.7 moving an array element",
    doc: { foo: ["all", "grass", "cows", "eat"] },
    patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }],
    result: { foo: ["all", "cows", "eat", "grass"] },
  },
  {
    name: "A.8 testing a value: success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ],
    result: { baz: "qux", foo: ["a", 2, "c"] },
  },
  {
    name: "A.10 adding a nested member object",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/child", value: { grandchild: {} } }],
    result: { foo: "bar", child: { grandchild: {} } },
  },
  {
    name: "A.11 ignoring unrecognized elements",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }],
    result: { foo: "bar", baz: "qux" },
  },
  {
    name: "A.14 ~ escape ordering",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: 10 }],
    result: { "/": 9, "~1": 10 },
  },
  {
    name: "A.16 adding an array value",
    doc: { foo: ["bar"] },
    patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
    result: { foo: ["bar", ["abc", "def"]] },
  },
];

/** More successful cases: the root, member order, escapes, copies and sequences. */
const MORE_EXAMPLES: typeof RFC_6902_EXAMPLES = [
  { name: "an empty patch changes nothing", doc: { a: 1 }, patch: [], result: { a: 1 } },
  {
    name: "add at the root replaces the document",
    doc: { a: 1 },
    patch: [{ op: "add", path: "", value: [1] }],
    result: [1],
  },
  {
    name: "replace at the root replaces the document",
    doc: { a: 1 },
    patch: [{ op: "replace", path: "", value: "x" }],
    result: "x",
  },
  {
    name: "add replaces an existing member",
    doc: { a: 1, b: 2 },
    patch: [{ op: "add", path: "/a", value: null }],
    result: { a: null, b: 2 },
  },
  {
    name: "add at the array's length appends",
    doc: { a: [1, 2] },
    patch: [{ op: "add", path: "/a/2", value: 3 }],
    result: { a: [1, 2, 3] },
  },
  {
    name: "add to an empty array with -",
    doc: { a: [] },
    patch: [{ op: "add", path: "/a/-", value: { x: 1 } }],
    result: { a: [{ x: 1 }] },
  },
  {
    name: "- is an ordinary member name in an object",
    doc: { a: {} },
    patch: [{ op: "add", path: "/a/-", value: 1 }],
    result: { a: { "-": 1 } },
  },
  {
    name: "~1 and ~0 name members with / and ~",
    doc: {},
    patch: [
      { op: "add", path: "/a~1b", value: 1 },
      { op: "add", path: "/c~0d", value: 2 },
    ],
    result: { "a/b": 1, "c~d": 2 },
  },
  {
    name: 'an empty token names the member ""',
    doc: { "": { "": 1 } },
    patch: [{ op: "replace", path: "//", value: 2 }],
    result: { "": { "": 2 } },
  },
  {
    name: "replace keeps a member's place",
    doc: { a: 1, b: 2, c: 3 },
    patch: [{ op: "replace", path: "/b", value: 9 }],
    result: { a: 1, b: 9, c: 3 },
  },
  {
    name: "replace an array element",
    doc: [1, 2, 3],
    patch: [{ op: "replace", path: "/2", value: [] }],
    result: [1, 2, []],
  },
  {
    name: "move to an earlier array index",
    doc: [0, 1, 2, 3],
    patch: [{ op: "move", from: "/3", path: "/0" }],
    result: [3, 0, 1, 2],
  },
  {
    name: "move onto itself changes nothing",
    doc: { a: { b: 1 } },
    patch: [{ op: "move", from: "/a", path: "/a" }],
    result: { a: { b: 1 } },
  },
  {
    name: "move a member up to the root",
    doc: { a: { b: 1 } },
    patch: [{ op: "move", from: "/a", path: "" }],
    result: { b: 1 },
  },
  {
    name: "copy does not alias: a later change leaves the source alone",
    doc: { a: { list: [1] } },
    patch: [
      { op: "copy", from: "/a", path: "/b" },
      { op: "add", path: "/b/list/-", value: 2 },
    ],
    result: { a: { list: [1] }, b: { list: [1, 2] } },
  },
  {
    name: "copy into an array",
    doc: { a: 1, l: [0] },
    patch: [{ op: "copy", from: "/a", path: "/l/0" }],
    result: { a: 1, l: [1, 0] },
  },
  {
    name: "test compares objects regardless of member order, and numbers by value",
    doc: { spec: { a: 1, b: [1.0, { c: null }] } },
    patch: [{ op: "test", path: "/spec", value: { b: [1, { c: null }], a: 1.0 } }],
    result: { spec: { a: 1, b: [1, { c: null }] } },
  },
  {
    name: "test the whole document",
    doc: { a: 1 },
    patch: [{ op: "test", path: "", value: { a: 1 } }],
    result: { a: 1 },
  },
  {
    name: "operations see the results of earlier ones",
    doc: { spec: { replicas: 1 } },
    patch: [
      { op: "test", path: "/spec/replicas", value: 1 },
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "add", path: "/spec/paused", value: true },
      { op: "remove", path: "/spec/paused" },
      { op: "test", path: "/spec/replicas", value: 3 },
    ],
    result: { spec: { replicas: 3 } },
  },
];

describe("applyJsonPatch()", () => {
  for (const c of [...RFC_6902_EXAMPLES, ...MORE_EXAMPLES]) {
    it(c.name, () => {
      const before = structuredClone(c.doc);
      assert.deepEqual(applyJsonPatch(c.doc, c.patch), c.result);
      assert.deepEqual(c.doc, before);
    });
  }

  const failures: {
    name: string;
    doc: unknown;
    patch: unknown[];
    operation: number;
    message: string;
  }[] = [
    {
      name: "A.9 testing a value: error",
      doc: { baz: "qux" },
      patch: [{ op: "test", path: "/baz", value: "bar" }],
      operation: 0,
      message: 'Cannot apply JSON patch: the "test" operation failed at /baz (operation 0)',
    },
    {
      name: "A.12 adding to a nonexistent target",
      doc: { foo: "bar" },
      patch: [{ op: "add", path: "/baz/bat", value: "qux" }],
      operation: 0,
      message:
        'Cannot apply JSON patch: path /baz/bat cannot be added: its parent /baz does not exist (operation 0, "add")',
    },
    {
      name: "A.15 comparing strings and numbers",
      doc: { "/": 9, "~1": 10 },
      patch: [{ op: "test", path: "/~01", value: "10" }],
      operation: 0,
      message: 'Cannot apply JSON patch: the "test" operation failed at /~01 (operation 0)',
    },
    {
      name: "test of a missing path",
      doc: { spec: {} },
      patch: [{ op: "test", path: "/spec/replicas", value: 1 }],
      operation: 0,
      message:
        'Cannot apply JSON patch: the "test" operation failed at /spec/replicas: the path does not exist (operation 0)',
    },
    {
      name: "test of null against a missing member",
      doc: {},
      patch: [{ op: "test", path: "/a", value: null }],
      operation: 0,
      message:
        'Cannot apply JSON patch: the "test" operation failed at /a: the path does not exist (operation 0)',
    },
    {
      name: "remove of a missing array element",
      doc: { spec: { foo: [] } },
      patch: [{ op: "remove", path: "/spec/foo/0" }],
      operation: 0,
      message: 'Cannot apply JSON patch: path /spec/foo/0 does not exist (operation 0, "remove")',
    },
    {
      name: "remove of -",
      doc: { a: [1] },
      patch: [{ op: "remove", path: "/a/-" }],
      operation: 0,
      message: 'Cannot apply JSON patch: path /a/- does not exist (operation 0, "remove")',
    },
    {
      name: "remove of the whole document",
      doc: { a: 1 },
      patch: [{ op: "remove", path: "" }],
      operation: 0,
      message:
        'Cannot apply JSON patch: the whole document cannot be removed (operation 0, "remove")',
    },
    {
      name: "remove of an inherited property",
      doc: {},
      patch: [{ op: "remove", path: "/toString" }],
      operation: 0,
      message: 'Cannot apply JSON patch: path /toString does not exist (operation 0, "remove")',
    },
    {
      name: "replace of a missing member",
      doc: { a: 1 },
      patch: [{ op: "replace", path: "/b", value: 1 }],
      operation: 0,
      message: 'Cannot apply JSON patch: path /b does not exist (operation 0, "replace")',
    },
    {
      name: "replace past the end of an array",
      doc: [1],
      patch: [{ op: "replace", path: "/1", value: 1 }],
      operation: 0,
      message: 'Cannot apply JSON patch: path /1 does not exist (operation 0, "replace")',
    },
    {
      name: "add past the end of an array",
      doc: { a: [1, 2, 3] },
      patch: [{ op: "add", path: "/a/5", value: 0 }],
      operation: 0,
      message:
        'Cannot apply JSON patch: path /a/5 is out of bounds: the array has 3 elements (operation 0, "add")',
    },
    {
      name: "an array index with a leading zero",
      doc: { a: [1, 2] },
      patch: [{ op: "add", path: "/a/01", value: 0 }],
      operation: 0,
      message:
        'Cannot apply JSON patch: path /a/01: "01" is not an array index (operation 0, "add")',
    },
    {
      name: "a name where an array index belongs",
      doc: { a: [1] },
      patch: [{ op: "replace", path: "/a/x", value: 0 }],
      operation: 0,
      message: 'Cannot apply JSON patch: path /a/x does not exist (operation 0, "replace")',
    },
    {
      name: "add under a scalar",
      doc: { a: 5 },
      patch: [{ op: "add", path: "/a/b", value: 0 }],
      operation: 0,
      message:
        'Cannot apply JSON patch: path /a/b cannot be added: its parent /a is number 5, not an object or array (operation 0, "add")',
    },
    {
      name: "move from a missing path",
      doc: {},
      patch: [{ op: "move", from: "/a", path: "/b" }],
      operation: 0,
      message: 'Cannot apply JSON patch: "from" path /a does not exist (operation 0, "move")',
    },
    {
      name: "copy from a missing path",
      doc: { a: [] },
      patch: [{ op: "copy", from: "/a/0", path: "/b" }],
      operation: 0,
      message: 'Cannot apply JSON patch: "from" path /a/0 does not exist (operation 0, "copy")',
    },
    {
      name: "a later operation fails after earlier ones applied",
      doc: { spec: { replicas: 1 } },
      patch: [
        { op: "replace", path: "/spec/replicas", value: 3 },
        { op: "test", path: "/spec/replicas", value: 1 },
      ],
      operation: 1,
      message:
        'Cannot apply JSON patch: the "test" operation failed at /spec/replicas (operation 1)',
    },
  ];
  for (const c of failures) {
    it(`fails on ${c.name}, leaving the document untouched`, () => {
      const before = structuredClone(c.doc);
      assert.throws(
        () => applyJsonPatch(c.doc, c.patch),
        (err: unknown) => {
          assert.ok(err instanceof PatchError);
          assert.equal(err.name, "PatchError");
          assert.equal(err.kind, "failed");
          assert.equal(err.operation, c.operation);
          assert.equal(err.message, c.message);
          return true;
        },
      );
      assert.deepEqual(c.doc, before);
    });
  }

  it("returns a document that shares nothing with its inputs", () => {
    const doc = { a: { b: [1] } };
    const value = { deep: [1] };
    const result = applyJsonPatch(doc, [{ op: "add", path: "/c", value }]) as {
      a: { b: number[] };
      c: { deep: number[] };
    };
    result.a.b.push(2);
    result.c.deep.push(2);
    assert.deepEqual(doc, { a: { b: [1] } });
    assert.deepEqual(value, { deep: [1] });
  });

  it("adds a member named __proto__ as data", () => {
    const result = applyJsonPatch({}, [{ op: "add", path: "/__proto__", value: { x: 1 } }]);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepEqual(Object.keys(result as object), ["__proto__"]);
  });
});

describe("parseJsonPatch()", () => {
  it("returns the operations without unknown members", () => {
    assert.deepEqual(
      parseJsonPatch([
        { op: "add", path: "/a", value: 1, extra: true },
        { op: "remove", path: "/b", value: "ignored" },
        { op: "move", from: "/c", path: "/d" },
        { op: "test", path: "", value: null },
      ]),
      [
        { op: "add", path: "/a", value: 1 },
        { op: "remove", path: "/b" },
        { op: "move", from: "/c", path: "/d" },
        { op: "test", path: "", value: null },
      ],
    );
  });

  const invalid: {
    name: string;
    patch: unknown;
    operation: number | undefined;
    message: RegExp;
  }[] = [
    {
      name: "an object instead of a list",
      patch: { op: "add" },
      operation: undefined,
      message: /the patch must be a JSON array of operations, got an object/,
    },
    { name: "null", patch: null, operation: undefined, message: /got null/ },
    {
      name: "a string operation",
      patch: ["add"],
      operation: 0,
      message: /operation 0 must be an object, got string "add"/,
    },
    {
      name: "a missing op",
      patch: [{ path: "/a" }],
      operation: 0,
      message: /operation 0 has no "op"; want one of add, remove, replace, move, copy, test/,
    },
    {
      name: "an unknown op",
      patch: [
        { op: "add", path: "/a", value: 1 },
        { op: "merge", path: "/a" },
      ],
      operation: 1,
      message: /operation 1 has "op" "merge"/,
    },
    {
      name: "an op in capitals",
      patch: [{ op: "Add", path: "/a", value: 1 }],
      operation: 0,
      message: /"op" "Add"/,
    },
    {
      name: "a missing path",
      patch: [{ op: "remove" }],
      operation: 0,
      message: /operation 0 \("remove"\) needs a string "path", got none/,
    },
    {
      name: "a numeric path",
      patch: [{ op: "remove", path: 1 }],
      operation: 0,
      message: /needs a string "path", got number 1/,
    },
    {
      name: "a path without a leading slash",
      patch: [{ op: "remove", path: "a/b" }],
      operation: 0,
      message: /"path" "a\/b" that is not a JSON pointer: it must be empty or start with "\/"/,
    },
    {
      name: "a bad ~ escape",
      patch: [{ op: "remove", path: "/a~2" }],
      operation: 0,
      message: /"~" in "a~2" must be followed by 0 or 1/,
    },
    {
      name: "a trailing ~",
      patch: [{ op: "remove", path: "/a~" }],
      operation: 0,
      message: /must be followed by 0 or 1/,
    },
    {
      name: "add without a value",
      patch: [{ op: "add", path: "/a" }],
      operation: 0,
      message: /operation 0 \("add"\) has no "value"/,
    },
    {
      name: "test without a value",
      patch: [{ op: "test", path: "/a" }],
      operation: 0,
      message: /\("test"\) has no "value"/,
    },
    {
      name: "a value that is not JSON",
      patch: [{ op: "add", path: "/a", value: { n: Number.POSITIVE_INFINITY } }],
      operation: 0,
      message: /"value" that is not JSON: the value at \/n is Infinity/,
    },
    {
      name: "move without from",
      patch: [{ op: "move", path: "/a" }],
      operation: 0,
      message: /\("move"\) needs a string "from", got none/,
    },
    {
      name: "copy with a bad from",
      patch: [{ op: "copy", from: "x", path: "/a" }],
      operation: 0,
      message: /"from" "x" that is not a JSON pointer/,
    },
    {
      name: "a move into its own child",
      patch: [{ op: "move", from: "/a", path: "/a/b" }],
      operation: 0,
      message: /cannot move \/a into its own child \/a\/b/,
    },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      for (const fn of [() => parseJsonPatch(c.patch), () => applyJsonPatch({ a: 1 }, c.patch)]) {
        assert.throws(fn, (err: unknown) => {
          assert.ok(err instanceof PatchError);
          assert.equal(err.kind, "invalid");
          assert.equal(err.operation, c.operation);
          assert.match(err.message, /^Cannot apply JSON patch: /);
          assert.match(err.message, c.message);
          return true;
        });
      }
    });
  }

  it("refuses a malformed operation even after ones that would fail", () => {
    const patch = [{ op: "test", path: "/a", value: 2 }, { op: "bogus" }];
    assert.throws(() => applyJsonPatch({ a: 1 }, patch), { kind: "invalid", operation: 1 });
  });

  it("accepts the maximum number of operations and refuses one more", () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS }, () => ({
      op: "test",
      path: "",
      value: 0,
    }));
    assert.equal(applyJsonPatch(0, ops), 0);
    ops.push({ op: "test", path: "", value: 0 });
    assert.throws(() => applyJsonPatch(0, ops), {
      name: "PatchError",
      kind: "tooLarge",
      message: /it has 10001 operations, more than the 10000 allowed/,
    });
  });
});

describe("JSON pointers", () => {
  const cases: { pointer: string; tokens: string[] }[] = [
    { pointer: "", tokens: [] },
    { pointer: "/", tokens: [""] },
    { pointer: "/a/b", tokens: ["a", "b"] },
    { pointer: "/a~1b", tokens: ["a/b"] },
    { pointer: "/m~0n", tokens: ["m~n"] },
    { pointer: "/~01", tokens: ["~1"] },
    { pointer: "/~10", tokens: ["/0"] },
    { pointer: "/a//b", tokens: ["a", "", "b"] },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.pointer)} parses to ${JSON.stringify(c.tokens)} and back`, () => {
      assert.deepEqual(parseJsonPointer(c.pointer), { tokens: c.tokens });
      assert.equal(formatJsonPointer(c.tokens), c.pointer);
    });
  }
});
