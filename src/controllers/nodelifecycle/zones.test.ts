import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_EVICTION_RATES,
  TokenBucket,
  zoneOf,
  ZoneQueue,
  zoneRate,
  zoneState,
} from "./zones.js";

const cond = (status: string) => ({ type: "Ready", status });

describe("zoneState()", () => {
  const cases: { name: string; statuses: (string | undefined)[]; want: string }[] = [
    { name: "all ready", statuses: ["True", "True"], want: "Normal" },
    { name: "one of three down", statuses: ["True", "True", "Unknown"], want: "Normal" },
    { name: "all down", statuses: ["Unknown", "False"], want: "FullDisruption" },
    {
      name: "three of four down",
      statuses: ["True", "Unknown", "Unknown", "False"],
      want: "PartialDisruption",
    },
    {
      name: "two of two down is full, not partial",
      statuses: [undefined, "Unknown"],
      want: "FullDisruption",
    },
    {
      name: "three of six down is under the threshold",
      statuses: ["True", "True", "True", "False", "False", "False"],
      want: "Normal",
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.equal(
        zoneState(
          c.statuses.map((s) => (s ? cond(s) : undefined)),
          0.55,
        ),
        c.want,
      ),
    );
  }
});

describe("zoneRate()", () => {
  it("follows upstream: partial disruption stops small zones and slows large ones", () => {
    assert.equal(zoneRate("Normal", 3, DEFAULT_EVICTION_RATES), 0.1);
    assert.equal(zoneRate("FullDisruption", 3, DEFAULT_EVICTION_RATES), 0.1);
    assert.equal(zoneRate("PartialDisruption", 10, DEFAULT_EVICTION_RATES), 0);
    assert.equal(zoneRate("PartialDisruption", 51, DEFAULT_EVICTION_RATES), 0.01);
  });
});

describe("zoneOf()", () => {
  it("joins region and zone, empty without labels", () => {
    assert.equal(zoneOf({ metadata: {} }), "");
    assert.equal(
      zoneOf({
        metadata: {
          labels: { "topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "z" },
        },
      }),
      "r:\u0000:z",
    );
  });
});

describe("TokenBucket and ZoneQueue", () => {
  it("gives one token at once, then one per 1/qps seconds", () => {
    const b = new TokenBucket(0.1, 0);
    assert.equal(b.tryAccept(0), true);
    assert.equal(b.tryAccept(5_000), false);
    assert.equal(b.tryAccept(10_000), true);
  });
  it("never gives a token at rate 0", () => {
    const b = new TokenBucket(0, 0);
    assert.equal(b.tryAccept(1e9), false);
  });
  it("serves waiting nodes in order as tokens allow", () => {
    const q = new ZoneQueue(1, 0);
    q.add("a");
    q.add("b");
    const served: string[] = [];
    q.drain(0, (n) => (served.push(n), true));
    assert.deepEqual(served, ["a"]);
    q.drain(1_000, (n) => (served.push(n), true));
    assert.deepEqual(served, ["a", "b"]);
    assert.equal(q.size, 0);
  });
});
