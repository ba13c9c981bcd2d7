import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGoDuration } from "./duration.js";

describe("parseGoDuration()", () => {
  const cases: [string, number | undefined][] = [
    ["90s", 90_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["0", 0],
    ["5", undefined],
    ["", undefined],
    ["1x", undefined],
    ["-2s", -2000],
  ];
  for (const [text, want] of cases) {
    it(`reads ${JSON.stringify(text)} as ${want}`, () => assert.equal(parseGoDuration(text), want));
  }
});
