import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Toleration } from "../../api/core/v1/pod-shapes.js";
import { defaultTolerations } from "./default-toleration-seconds.js";

const NR = "node.kubernetes.io/not-ready";
const UR = "node.kubernetes.io/unreachable";

describe("defaultTolerations()", () => {
  const cases: { name: string; tolerations: Toleration[]; want: string[] }[] = [
    { name: "a pod without tolerations gets both", tolerations: [], want: [NR, UR] },
    {
      name: "a pod tolerating not-ready for NoExecute gets only unreachable",
      tolerations: [{ key: NR, operator: "Exists", effect: "NoExecute", tolerationSeconds: 10 }],
      want: [UR],
    },
    {
      name: "a toleration of any effect counts",
      tolerations: [{ key: UR, operator: "Exists" }],
      want: [NR],
    },
    {
      name: "a NoSchedule toleration does not count",
      tolerations: [{ key: UR, operator: "Exists", effect: "NoSchedule" }],
      want: [NR, UR],
    },
    {
      name: "tolerating everything needs nothing",
      tolerations: [{ operator: "Exists" }],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const added = defaultTolerations(c.tolerations, 300, 300);
      assert.deepEqual(
        added.map((t) => t.key),
        c.want,
      );
      for (const t of added) {
        assert.deepEqual(
          { ...t, key: "" },
          { key: "", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        );
      }
    });
  }
});
