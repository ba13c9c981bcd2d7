import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  checkPercent,
  intOrPercentValue,
  percentValue,
  scaledValue,
  validateNonNegativeIntOrPercent,
  validateNotMoreThan100Percent,
} from "./int-or-string.js";
import { root } from "./validation.js";

describe("checkPercent()", () => {
  const cases: [string, boolean][] = [
    ["0%", true],
    ["25%", true],
    ["150%", true],
    ["25", false],
    ["%", false],
    ["-5%", false],
    ["2.5%", false],
    [" 5%", false],
  ];
  for (const [text, ok] of cases) {
    it(`${ok ? "accepts" : "refuses"} ${JSON.stringify(text)}`, () => {
      assert.equal(checkPercent(text).length === 0, ok);
    });
  }
});

describe("percentValue() and intOrPercentValue()", () => {
  it("reads the number of a percentage and nothing else", () => {
    assert.equal(percentValue("25%"), 25);
    assert.equal(percentValue("25"), undefined);
    assert.equal(percentValue(25), undefined);
  });

  it("reduces any IntOrString to the number the zero checks compare", () => {
    const cases: [unknown, number][] = [
      [3, 3],
      ["30%", 30],
      ["0%", 0],
      ["7", 7],
      ["abc", 0],
      [1.5, 0],
    ];
    for (const [value, want] of cases) assert.equal(intOrPercentValue(value), want, String(value));
  });
});

describe("validateNonNegativeIntOrPercent()", () => {
  const path = root("spec").child("maxSurge");
  const cases: [unknown, string | undefined][] = [
    [undefined, undefined],
    [0, undefined],
    [5, undefined],
    ["25%", undefined],
    [-1, "must be greater than or equal to 0"],
    ["25", "must be a whole number followed by '%'"],
    [1.5, "must be an integer or percentage"],
    [true, "must be an integer or percentage"],
  ];
  for (const [value, problem] of cases) {
    it(`${problem ? "refuses" : "accepts"} ${JSON.stringify(value)}`, () => {
      const errors = validateNonNegativeIntOrPercent(value, path);
      if (!problem) return assert.deepEqual(errors, []);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.field, "spec.maxSurge");
      assert.ok(errors[0]?.detail.startsWith(problem), errors[0]?.detail);
    });
  }
});

describe("validateNotMoreThan100Percent()", () => {
  it("refuses percentages over 100 and ignores integers", () => {
    const path = root("x");
    assert.deepEqual(validateNotMoreThan100Percent("100%", path), []);
    assert.deepEqual(validateNotMoreThan100Percent(500, path), []);
    assert.equal(
      validateNotMoreThan100Percent("101%", path)[0]?.detail,
      "must not be greater than 100%",
    );
  });
});

describe("scaledValue()", () => {
  const cases: [number | string, number, boolean, number][] = [
    [3, 10, false, 3],
    ["25%", 10, false, 2],
    ["25%", 10, true, 3],
    ["100%", 7, true, 7],
    ["0%", 7, true, 0],
    ["4", 10, false, 4],
  ];
  for (const [value, total, roundUp, want] of cases) {
    it(`scales ${JSON.stringify(value)} of ${total} (round ${roundUp ? "up" : "down"}) to ${want}`, () => {
      assert.equal(scaledValue(value, total, roundUp), want);
    });
  }

  it("throws on a string that is no number", () => {
    assert.throws(() => scaledValue("lots", 10, true), /not an integer or percentage/);
  });
});
