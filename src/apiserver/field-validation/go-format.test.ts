import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { compareBytes, goFloat, goQuote, goValue } from "./go-format.js";

describe("goQuote()", () => {
  const CASES: [string, string][] = [
    ["spec.replicas", `"spec.replicas"`],
    ["", `""`],
    [`a"b\\c`, `"a\\"b\\\\c"`],
    ["tab\there\nnl", `"tab\\there\\nnl"`],
    ["\x00\x7f\x1b", `"\\x00\\x7f\\x1b"`],
    ["héllo wörld ☃ 🙂", `"héllo wörld ☃ 🙂"`],
    ["\u00a0\u2028\u00ad", `"\\u00a0\\u2028\\u00ad"`],
    ["\u{e0001}", `"\\U000e0001"`],
  ];
  for (const [text, quoted] of CASES) {
    it(`quotes ${JSON.stringify(text)} as ${quoted}`, () => assert.equal(goQuote(text), quoted));
  }
});

describe("goFloat()", () => {
  const CASES: [number, string][] = [
    [1.5, "1.5"],
    [0, "0"],
    [-0.25, "-0.25"],
    [123456.5, "123456.5"],
    [1234567.5, "1.2345675e+06"],
    [1e21, "1e+21"],
    [0.0001, "0.0001"],
    [0.00001234, "1.234e-05"],
    [1e-300, "1e-300"],
  ];
  for (const [n, text] of CASES) {
    it(`prints ${n} as ${text}`, () => assert.equal(goFloat(n), text));
  }
});

describe("goValue()", () => {
  it("prints a decoded patch as Go's %+v prints a map", () => {
    const patch = {
      spec: {
        replicaz: 3,
        paused: false,
        ratio: 0.5,
        template: { spec: { containers: [{ name: "a", x: null }] } },
      },
      b: ["x", 1],
      a: {},
    };
    assert.equal(
      goValue(patch),
      "map[a:map[] b:[x 1] spec:map[paused:false ratio:0.5 replicaz:3 template:map[spec:map[containers:[map[name:a x:<nil>]]]]]]",
    );
  });
});

describe("compareBytes()", () => {
  it("orders by code point, as Go orders UTF-8 bytes", () => {
    assert.deepEqual(["b", "a.b", "a-c", "\u{1f600}", "\uffff", "B"].sort(compareBytes), [
      "B",
      "a-c",
      "a.b",
      "b",
      "\uffff",
      "\u{1f600}",
    ]);
  });
});
