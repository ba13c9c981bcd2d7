import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import {
  findActiveOrLatest,
  maxSurge,
  maxUnavailable,
  newReplicaSetReplicas,
  replicaSetProportion,
  resolveFenceposts,
  roundHalfAwayFromZero,
} from "./rollout-math.js";

function deployment(
  replicas: number,
  surge?: number | string,
  unavailable?: number | string,
  type = "RollingUpdate",
): Deployment {
  const rollingUpdate: Record<string, number | string> = {};
  if (surge !== undefined) rollingUpdate["maxSurge"] = surge;
  if (unavailable !== undefined) rollingUpdate["maxUnavailable"] = unavailable;
  return {
    metadata: { name: "d" },
    spec: { replicas, strategy: type === "Recreate" ? { type } : { type, rollingUpdate } },
  };
}

function rs(
  name: string,
  replicas: number,
  created: string,
  annotations: Record<string, string> = {},
): ReplicaSet {
  return {
    metadata: { name, creationTimestamp: created, annotations },
    spec: { replicas },
  };
}

describe("resolveFenceposts()", () => {
  const cases: [number | string, number | string, number, number, number][] = [
    // surge, unavailable, replicas → surge, unavailable
    ["25%", "25%", 10, 3, 2],
    ["25%", "25%", 1, 1, 0],
    ["25%", "25%", 4, 1, 1],
    [0, 0, 5, 0, 1],
    ["0%", "0%", 5, 0, 1],
    ["10%", 0, 5, 1, 0],
    [2, 3, 10, 2, 3],
    ["50%", "50%", 3, 2, 1],
  ];
  for (const [s, u, replicas, surge, unavailable] of cases) {
    it(`resolves ${s}/${u} of ${replicas} to surge ${surge}, unavailable ${unavailable}`, () => {
      assert.deepEqual(resolveFenceposts(s, u, replicas), { surge, unavailable });
    });
  }
  it("uses 25% for absent values", () => {
    assert.deepEqual(resolveFenceposts(undefined, undefined, 10), { surge: 3, unavailable: 2 });
  });
});

describe("maxSurge() and maxUnavailable()", () => {
  it("are 0 for Recreate", () => {
    assert.equal(maxSurge(deployment(10, 3, 3, "Recreate")), 0);
    assert.equal(maxUnavailable(deployment(10, 3, 3, "Recreate")), 0);
  });
  it("caps unavailability at the replica count and is 0 for 0 replicas", () => {
    assert.equal(maxUnavailable(deployment(3, 0, 5)), 3);
    assert.equal(maxUnavailable(deployment(0, 0, 5)), 0);
  });
});

describe("newReplicaSetReplicas()", () => {
  const cases: { name: string; d: Deployment; all: number[]; current: number; want: number }[] = [
    {
      name: "grows by the surge room",
      d: deployment(10, "25%", "25%"),
      all: [10, 0],
      current: 0,
      want: 3,
    },
    {
      name: "stays when the surge is used up",
      d: deployment(10, "25%", "25%"),
      all: [10, 3],
      current: 3,
      want: 3,
    },
    {
      name: "never passes the desired count",
      d: deployment(10, 5, 0),
      all: [1, 8],
      current: 8,
      want: 10,
    },
    {
      name: "is the desired count for Recreate",
      d: deployment(7, 0, 0, "Recreate"),
      all: [7, 0],
      current: 0,
      want: 7,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sets = c.all.map((n, i) => rs(`rs${i}`, n, "2024-01-01T00:00:00Z"));
      const newRS = sets[sets.length - 1]!;
      newRS.spec!.replicas = c.current;
      assert.equal(newReplicaSetReplicas(c.d, sets, newRS), c.want);
    });
  }
});

describe("replicaSetProportion()", () => {
  it("scales a ReplicaSet by the ratio of the new total to the total it was sized for", () => {
    const d = deployment(20, "25%", "25%"); // 20 + 5 surge = 25
    const big = rs("big", 8, "t", { "deployment.kubernetes.io/max-replicas": "13" });
    // 8 * 25 / 13 = 15.38 → 15, so 7 more; limited by what is left to add.
    assert.equal(replicaSetProportion(big, d, 12, 0), 7);
    assert.equal(replicaSetProportion(big, d, 12, 10), 2);
  });
  it("gives nothing to an empty ReplicaSet or when everything is handed out", () => {
    const d = deployment(20);
    assert.equal(replicaSetProportion(rs("e", 0, "t"), d, 5, 0), 0);
    assert.equal(replicaSetProportion(rs("f", 5, "t"), d, 5, 5), 0);
  });
  it("takes all replicas away when the Deployment scales to 0", () => {
    assert.equal(replicaSetProportion(rs("f", 5, "t"), deployment(0), -8, 0), -5);
  });
});

describe("roundHalfAwayFromZero()", () => {
  it("rounds halves away from zero like Go", () => {
    assert.deepEqual([2.5, -2.5, 2.4, -2.6].map(roundHalfAwayFromZero), [3, -3, 2, -3]);
  });
});

describe("findActiveOrLatest()", () => {
  const old1 = rs("old1", 0, "2024-01-01T00:00:00Z");
  const old2 = rs("old2", 0, "2024-01-02T00:00:00Z");
  it("returns the only active ReplicaSet", () => {
    const active = rs("a", 3, "2024-01-03T00:00:00Z");
    assert.equal(findActiveOrLatest(undefined, [old1, active]), active);
  });
  it("returns the new ReplicaSet when none is active, else the newest old one", () => {
    const newRS = rs("new", 0, "2024-01-04T00:00:00Z");
    assert.equal(findActiveOrLatest(newRS, [old1, old2]), newRS);
    assert.equal(findActiveOrLatest(undefined, [old1, old2]), old2);
  });
  it("returns nothing when several are active", () => {
    assert.equal(findActiveOrLatest(rs("n", 1, "t"), [rs("o", 1, "t")]), undefined);
  });
});
