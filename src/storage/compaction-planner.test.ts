import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkCompactionOptions,
  CompactionPlanner,
  DEFAULT_COMPACTION,
} from "./compaction-planner.js";

const cases = [
  {
    name: "compacts nothing while every sample is inside the window",
    samples: [
      [0, 100],
      [30, 200],
    ],
    now: 49,
    current: 5000,
    want: 0,
  },
  {
    name: "compacts to the newest sample that left the window",
    samples: [
      [0, 100],
      [30, 2000],
      [70, 3000],
    ],
    now: 100,
    current: 5000,
    want: 2000,
  },
  {
    name: "keeps the minimum number of revisions",
    samples: [[0, 1500]],
    now: 100,
    current: 1800,
    want: 800,
  },
  {
    name: "compacts nothing when the store is smaller than the minimum",
    samples: [[0, 400]],
    now: 100,
    current: 400,
    want: 0,
  },
] as const;

for (const c of cases) {
  test(`CompactionPlanner ${c.name}`, () => {
    const planner = new CompactionPlanner({ retainMs: 50, minRevisions: 1000 });
    for (const [at, revision] of c.samples) planner.record(at, revision);
    assert.equal(planner.target(c.now, c.current), c.want);
  });
}

test("CompactionPlanner forgets samples once a newer one is chosen", () => {
  const planner = new CompactionPlanner({ retainMs: 10, minRevisions: 0 });
  planner.record(0, 5);
  planner.record(10, 8);
  assert.equal(planner.target(20, 9), 8);
  planner.record(25, 9);
  assert.equal(planner.target(30, 9), 8);
  assert.equal(planner.target(40, 9), 9);
});

test("checkCompactionOptions() fills defaults and refuses negative settings", () => {
  assert.deepEqual(checkCompactionOptions({}), DEFAULT_COMPACTION);
  assert.equal(checkCompactionOptions({ intervalMs: 0 }).intervalMs, 0);
  assert.throws(() => checkCompactionOptions({ retainMs: -1 }), RangeError);
  assert.throws(() => checkCompactionOptions({ minRevisions: Number.NaN }), RangeError);
});
