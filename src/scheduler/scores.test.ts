import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import { makeNode, makePod } from "./fixtures.js";
import { newPodInfo } from "./pod-info.js";
import { SKIP, type ScorePlugin } from "./plugin.js";
import { balancedAllocationScore, balancedScore } from "./plugins/balanced-allocation.js";
import { imageLocalityScore } from "./plugins/image-locality.js";
import { interPodAffinityScore } from "./plugins/inter-pod-affinity.js";
import { nodeAffinityScore } from "./plugins/node-affinity.js";
import { leastAllocatedScore, leastRequestedScore } from "./plugins/node-resources-fit.js";
import { podTopologySpreadScore } from "./plugins/pod-topology-spread.js";
import { taintTolerationScore } from "./plugins/taint-toleration.js";
import { Snapshot } from "./snapshot.js";

/** Runs one score plugin over every node of the snapshot; "skip" when it opts out. */
function scoresOf(
  plugin: ScorePlugin,
  pod: Pod,
  nodes: Node[],
  pods: Pod[] = [],
): number[] | "skip" {
  const snapshot = Snapshot.of(nodes, pods);
  const info = newPodInfo(pod);
  const list = nodes.map((n) => snapshot.get(n.metadata.name!)!);
  const state = plugin.preScore(info, list, snapshot);
  if (state === SKIP) return "skip";
  const scores = new Float64Array(list.map((n) => plugin.score(state, info, n)));
  plugin.normalize?.(state, scores, list);
  return [...scores];
}

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });

describe("score plugins", () => {
  const cases: {
    name: string;
    plugin: ScorePlugin;
    pod: Pod;
    nodes: Node[];
    pods?: Pod[];
    want: number[] | "skip";
  }[] = [
    {
      name: "LeastAllocated averages the free fractions of CPU and memory",
      plugin: leastAllocatedScore(),
      pod: makePod("p", { cpu: "1", memory: "4Gi" }),
      nodes: [makeNode("a"), makeNode("b")],
      pods: [makePod("x", { node: "a", cpu: "1", memory: "4Gi" })],
      want: [50, 75],
    },
    {
      name: "LeastAllocated assumes 100m and 200Mi for containers without requests",
      plugin: leastAllocatedScore(),
      pod: makePod("p"),
      nodes: [makeNode("a")],
      want: [97],
    },
    {
      name: "LeastAllocated gives 0 when the requests exceed the node",
      plugin: leastAllocatedScore(),
      pod: makePod("p", { cpu: "8", memory: "32Gi" }),
      nodes: [makeNode("a")],
      want: [0],
    },
    {
      name: "BalancedAllocation scores 1 minus the spread of CPU and memory fractions",
      plugin: balancedAllocationScore(),
      pod: makePod("p", { cpu: "1", memory: "8Gi" }),
      nodes: [makeNode("a"), makeNode("b")],
      pods: [makePod("x", { node: "b", cpu: "1" })],
      want: [87, 100],
    },
    {
      name: "BalancedAllocation skips pods that request nothing",
      plugin: balancedAllocationScore(),
      pod: makePod("p"),
      nodes: [makeNode("a")],
      want: "skip",
    },
    {
      name: "TaintToleration prefers fewer untolerated PreferNoSchedule taints",
      plugin: taintTolerationScore,
      pod: makePod("p", { spec: { tolerations: [{ key: "ok", operator: "Exists" }] } }),
      nodes: [
        makeNode("a"),
        makeNode("b", {
          taints: [
            { key: "x", effect: "PreferNoSchedule" },
            { key: "ok", effect: "PreferNoSchedule" },
          ],
        }),
        makeNode("c", {
          taints: [
            { key: "x", effect: "PreferNoSchedule" },
            { key: "y", effect: "PreferNoSchedule" },
          ],
        }),
      ],
      want: [100, 50, 0],
    },
    {
      name: "NodeAffinity sums matching preferred weights, scaled to the best",
      plugin: nodeAffinityScore,
      pod: makePod("p", {
        spec: {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 2,
                  preference: { matchExpressions: [{ key: "ssd", operator: "Exists" }] },
                },
                {
                  weight: 8,
                  preference: {
                    matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }],
                  },
                },
              ],
            },
          },
        },
      }),
      nodes: [
        makeNode("a", { labels: { ssd: "", zone: "z1" } }),
        makeNode("b", { labels: { zone: "z1" } }),
        makeNode("c"),
      ],
      want: [100, 80, 0],
    },
    {
      name: "NodeAffinity skips pods without preferred terms",
      plugin: nodeAffinityScore,
      pod: makePod("p"),
      nodes: [makeNode("a")],
      want: "skip",
    },
    {
      name: "PodTopologySpread prefers emptier domains",
      plugin: podTopologySpreadScore,
      pod: makePod("p", {
        labels: { app: "w" },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { app: "w" } },
            },
          ],
        },
      }),
      nodes: [
        makeNode("a", { labels: zone("z1") }),
        makeNode("b", { labels: zone("z2") }),
        makeNode("c", { labels: zone("z2") }),
        makeNode("d"),
      ],
      pods: [
        makePod("x", { node: "a", labels: { app: "w" } }),
        makePod("y", { node: "a", labels: { app: "w" } }),
      ],
      want: [0, 100, 100, 0],
    },
    {
      name: "PodTopologySpread counts hostname domains per node",
      plugin: podTopologySpreadScore,
      pod: makePod("p", {
        labels: { app: "w" },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 2,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { app: "w" } },
            },
          ],
        },
      }),
      nodes: [makeNode("a"), makeNode("b")],
      pods: [makePod("x", { node: "a", labels: { app: "w" } })],
      want: [50, 100],
    },
    {
      name: "InterPodAffinity adds preferred affinity and subtracts anti-affinity",
      plugin: interPodAffinityScore,
      pod: makePod("p", {
        spec: {
          affinity: {
            podAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 10,
                  podAffinityTerm: {
                    topologyKey: "topology.kubernetes.io/zone",
                    labelSelector: { matchLabels: { app: "db" } },
                  },
                },
              ],
            },
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 5,
                  podAffinityTerm: {
                    topologyKey: "kubernetes.io/hostname",
                    labelSelector: { matchLabels: { app: "web" } },
                  },
                },
              ],
            },
          },
        },
      }),
      nodes: [
        makeNode("a", { labels: zone("z1") }),
        makeNode("b", { labels: zone("z2") }),
        makeNode("c", { labels: zone("z2") }),
      ],
      pods: [
        makePod("db", { node: "a", labels: { app: "db" } }),
        makePod("web", { node: "b", labels: { app: "web" } }),
      ],
      want: [100, 0, 33],
    },
    {
      name: "InterPodAffinity counts existing pods' required affinity toward the pod",
      plugin: interPodAffinityScore,
      pod: makePod("p", { labels: { app: "cache" } }),
      nodes: [makeNode("a", { labels: zone("z1") }), makeNode("b", { labels: zone("z2") })],
      pods: [
        makePod("x", {
          node: "b",
          spec: {
            affinity: {
              podAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    topologyKey: "topology.kubernetes.io/zone",
                    labelSelector: { matchLabels: { app: "cache" } },
                  },
                ],
              },
            },
          },
        }),
      ],
      want: [0, 100],
    },
    {
      name: "ImageLocality scales present image sizes by their spread",
      plugin: imageLocalityScore,
      pod: makePod("p"),
      nodes: [
        makeNode("a", { images: [{ names: ["app:1"], sizeBytes: 500 * 1024 * 1024 }] }),
        makeNode("b"),
      ],
      want: [23, 0],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      assert.deepEqual(scoresOf(tc.plugin, tc.pod, tc.nodes, tc.pods), tc.want);
    });
  }

  it("leastRequestedScore and balancedScore follow upstream's integer arithmetic", () => {
    assert.deepEqual(
      [leastRequestedScore(0, 0), leastRequestedScore(5, 4), leastRequestedScore(1, 3)],
      [0, 0, 66],
    );
    assert.equal(balancedScore([1, 2, 3], [4, 4, 4]), 79);
    assert.equal(balancedScore([8, 0], [4, 0]), 100);
  });
});
