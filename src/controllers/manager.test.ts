import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseControllers } from "./manager.js";

describe("controller manager: parseControllers", () => {
  const known = ["namespace", "serviceaccount", "garbagecollector"];
  const cases: [string, string[]][] = [
    ["all", known],
    ["*", known],
    ["none", []],
    ["", []],
    ["namespace", ["namespace"]],
    ["serviceaccount,namespace", ["namespace", "serviceaccount"]],
    ["*,-garbagecollector", ["namespace", "serviceaccount"]],
    ["all,-namespace,-serviceaccount", ["garbagecollector"]],
  ];
  for (const [value, want] of cases) {
    it(`parses ${JSON.stringify(value)}`, () =>
      assert.deepEqual(parseControllers(value, known), want));
  }
  it("refuses unknown names", () => {
    assert.throws(
      () => parseControllers("namespace,replicaset", known),
      /Unknown controller "replicaset"/,
    );
    assert.throws(() => parseControllers("-bogus", known), /Unknown controller "bogus"/);
  });
});
