import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WARNING_ITEM_LIMIT, WarningRecorder, warningHeaderValue } from "./warnings.js";

describe("warningHeaderValue()", () => {
  const CASES: [string, string | undefined][] = [
    [`unknown field "spec.foo"`, `299 - "unknown field \\"spec.foo\\""`],
    [`line 5: key "a" already set in map`, `299 - "line 5: key \\"a\\" already set in map"`],
    [`back\\slash`, `299 - "back\\\\slash"`],
    [`ünïcödé ☃`, `299 - "ünïcödé ☃"`],
    ["", undefined],
    ["two\nlines", undefined],
    ["nul\x00", undefined],
    ["c1\u0085", undefined],
    ["lone \ud800 surrogate", undefined],
  ];
  for (const [text, header] of CASES) {
    it(`writes ${JSON.stringify(text)} as ${String(header)}`, () => {
      assert.equal(warningHeaderValue(text), header);
    });
  }
});

describe("WarningRecorder", () => {
  it("keeps the order of warnings and sends a repeated text once", () => {
    const r = new WarningRecorder();
    for (const t of ["b", "a", "b", "c", "a"]) r.add(t);
    assert.deepEqual(r.headerValues(), [`299 - "b"`, `299 - "a"`, `299 - "c"`]);
  });

  it("drops texts no header can carry without counting them", () => {
    const r = new WarningRecorder();
    r.add("bad\ntext");
    r.add("good");
    assert.deepEqual(r.headerValues(), [`299 - "good"`]);
  });

  it("past 4096 characters, cuts every text to 256 and then stops adding", () => {
    const r = new WarningRecorder();
    const long = (c: string): string => c.repeat(1000);
    for (const c of "abcd") r.add(long(c));
    assert.deepEqual(
      r.headerValues(),
      ["a", "b", "c", "d"].map((c) => `299 - "${long(c)}"`),
      "4000 characters fit",
    );

    r.add(long("e"));
    const cut = (c: string): string => `299 - "${c.repeat(WARNING_ITEM_LIMIT)}"`;
    assert.deepEqual(r.headerValues(), ["a", "b", "c", "d", "e"].map(cut));

    // 5 × 256 = 1280 written; 11 more of 256 reach 4096 exactly, and nothing is added after.
    for (let i = 0; i < 20; i++) r.add(`${long("f")}${i}`);
    assert.equal(r.headerValues().length, 5 + 11);
  });

  it("counts characters, not UTF-16 units, when cutting", () => {
    const r = new WarningRecorder();
    r.add("🙂".repeat(5000));
    assert.equal(r.headerValues()[0], `299 - "${"🙂".repeat(WARNING_ITEM_LIMIT)}"`);
  });
});
