import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZERO_TIME_SECONDS, formatTimestamp, parseTimestamp } from "./timestamps.js";

describe("formatTimestamp()", () => {
  const cases: [number, number, boolean, string | undefined][] = [
    [0, 0, false, "1970-01-01T00:00:00Z"],
    [1700000000, 999_999_999, false, "2023-11-14T22:13:20Z"],
    [1700000000, 1_999, true, "2023-11-14T22:13:20.000001Z"],
    [1700000000, 0, true, "2023-11-14T22:13:20.000000Z"],
    [-1, 0, false, "1969-12-31T23:59:59Z"],
    [-62167219200, 0, false, "0000-01-01T00:00:00Z"],
    [253402300799, 0, false, "9999-12-31T23:59:59Z"],
    [ZERO_TIME_SECONDS, 0, false, undefined],
    [ZERO_TIME_SECONDS, 0, true, undefined],
  ];
  for (const [seconds, nanos, micro, expected] of cases) {
    it(`writes ${seconds}s ${nanos}ns${micro ? " as MicroTime" : ""} as ${String(expected)}`, () => {
      assert.equal(formatTimestamp(seconds, nanos, micro), expected);
    });
  }

  it("refuses years past 9999 and nanoseconds outside a second", () => {
    assert.throws(() => formatTimestamp(253402300800, 0, false), /outside years 0 to 9999/);
    assert.throws(() => formatTimestamp(0, -1, false), /nanos -1/);
    assert.throws(() => formatTimestamp(0, 1_000_000_000, true), /nanos 1000000000/);
  });
});

describe("parseTimestamp()", () => {
  const cases: [string, { seconds: number; nanos: number } | undefined][] = [
    ["1970-01-01T00:00:00Z", { seconds: 0, nanos: 0 }],
    ["2023-11-14T22:13:20.123456Z", { seconds: 1700000000, nanos: 123_456_000 }],
    ["2023-11-15T00:13:20+02:00", { seconds: 1700000000, nanos: 0 }],
    ["0001-01-01T00:00:00Z", { seconds: ZERO_TIME_SECONDS, nanos: 0 }],
    ["2023-11-14 22:13:20Z", undefined],
    ["yesterday", undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTimestamp(text), expected);
    });
  }
});
