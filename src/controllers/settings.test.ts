import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { controllersWithSettings, parseDuration } from "./settings.js";

describe("parseDuration()", () => {
  const cases: [string, number][] = [
    ["40s", 40_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    ["0", 0],
  ];
  for (const [text, ms] of cases)
    it(`${text} is ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  for (const bad of ["", "40", "-5s", "5 s", "1d", "s"]) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseDuration(bad), /Invalid duration/));
  }
});

describe("controllersWithSettings()", () => {
  it("replaces only controllers whose settings are given", () => {
    const got = controllersWithSettings(["nodelifecycle", "podgc", "deployment"], {
      nodeMonitorGracePeriodMs: 5000,
    });
    assert.equal(typeof got[0], "function");
    assert.deepEqual(got.slice(1), ["podgc", "deployment"]);
  });
});
