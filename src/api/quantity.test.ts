import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QuantityError,
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  milliValue,
  parseQuantity,
  roundUpQuantity,
  toQuantity,
  wholeValue,
} from "./quantity.js";

describe("parseQuantity() and formatQuantity()", () => {
  const cases: [input: string, canonical: string, nanos: bigint][] = [
    ["0", "0", 0n],
    ["100m", "100m", 100_000_000n],
    ["1000m", "1", 1_000_000_000n],
    ["0.5", "500m", 500_000_000n],
    ["1.5", "1500m", 1_500_000_000n],
    [".5", "500m", 500_000_000n],
    ["0.001", "1m", 1_000_000n],
    ["1n", "1n", 1n],
    ["0.1n", "1n", 1n],
    ["1000", "1k", 1_000_000_000_000n],
    ["2048", "2048", 2_048_000_000_000n],
    ["1k", "1k", 1_000_000_000_000n],
    ["1Gi", "1Gi", 1_073_741_824_000_000_000n],
    ["1024Mi", "1Gi", 1_073_741_824_000_000_000n],
    ["0.5Gi", "512Mi", 536_870_912_000_000_000n],
    ["1536Mi", "1536Mi", 1_610_612_736_000_000_000n],
    ["-1.5Gi", "-1536Mi", -1_610_612_736_000_000_000n],
    ["0.5Ki", "512", 512_000_000_000n],
    ["1e3", "1e3", 1_000_000_000_000n],
    ["1000e0", "1e3", 1_000_000_000_000n],
    ["1.5e3", "1500", 1_500_000_000_000n],
    ["12e-3", "12e-3", 12_000_000n],
    ["+1", "+1", 1_000_000_000n],
    ["-100m", "-100m", -100_000_000n],
  ];
  for (const [input, canonical, nanos] of cases) {
    it(`reads ${JSON.stringify(input)} as ${nanos}n and writes it as ${JSON.stringify(canonical)}`, () => {
      const q = parseQuantity(input);
      assert.equal(q.nanos, nanos);
      assert.equal(formatQuantity(q), canonical);
    });
  }

  const invalid: [input: string, message: RegExp][] = [
    ["", /must match the regular expression/],
    ["abc", /must match the regular expression/],
    ["1.5.5", /must match the regular expression/],
    ["1 Gi", /must match the regular expression/],
    ["1Kii", /suffix/],
    ["1e", /suffix/],
    ["1e-", /suffix/],
    ["1k2", /suffix/],
  ];
  for (const [input, message] of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseQuantity(input),
        (err: unknown) => err instanceof QuantityError && message.test(err.message),
      );
    });
  }
});

describe("toQuantity()", () => {
  it("accepts JSON numbers as upstream does", () => {
    assert.equal(canonicalQuantity(1), "1");
    assert.equal(canonicalQuantity(0.5), "500m");
    assert.equal(canonicalQuantity(1024), "1024");
  });

  it("refuses values that are neither strings nor numbers", () => {
    assert.throws(() => toQuantity(true), QuantityError);
    assert.throws(() => toQuantity(null), QuantityError);
    assert.throws(() => toQuantity(Number.NaN), QuantityError);
  });
});

describe("quantity arithmetic", () => {
  it("compareQuantities() orders by value whatever the format", () => {
    assert.equal(compareQuantities(parseQuantity("1"), parseQuantity("1000m")), 0);
    assert.equal(compareQuantities(parseQuantity("1Gi"), parseQuantity("1G")), 1);
    assert.equal(compareQuantities(parseQuantity("100m"), parseQuantity("1")), -1);
  });

  it("addQuantities() sums exactly in the first operand's format", () => {
    const sum = addQuantities(parseQuantity("512Mi"), parseQuantity("0.5Gi"));
    assert.equal(formatQuantity(sum), "1Gi");
  });

  it("roundUpQuantity() rounds to milli away from zero and keeps exact values", () => {
    assert.equal(formatQuantity(roundUpQuantity(parseQuantity("1n"), -3)), "1m");
    assert.equal(formatQuantity(roundUpQuantity(parseQuantity("-1n"), -3)), "-1m");
    const exact = parseQuantity("1500m");
    assert.equal(roundUpQuantity(exact, -3), exact);
  });

  it("milliValue() and wholeValue() round away from zero", () => {
    assert.equal(milliValue(parseQuantity("1.5")), 1500n);
    assert.equal(milliValue(parseQuantity("1n")), 1n);
    assert.equal(wholeValue(parseQuantity("1500m")), 2n);
    assert.equal(wholeValue(parseQuantity("2Ki")), 2048n);
  });
});
