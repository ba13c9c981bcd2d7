import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import { preFilter, runFilters } from "./cycle.js";
import { DEFAULT_FILTERS } from "./framework.js";
import { makeNode, makePod } from "./fixtures.js";
import { newPodInfo } from "./pod-info.js";
import { Snapshot } from "./snapshot.js";

interface Case {
  name: string;
  nodes: Node[];
  pods?: Pod[];
  pod: Pod;
  /** Expected outcome on the first node: null for fits, else [plugin, code, reasons]. */
  want: null | [string, string, string[]];
}

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });

const cases: Case[] = [
  {
    name: "NodeName rejects another node",
    nodes: [makeNode("a")],
    pod: makePod("p", { spec: { nodeName: "b" } }),
    want: [
      "NodeName",
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match the requested node name"],
    ],
  },
  {
    name: "NodeName accepts its node",
    nodes: [makeNode("a")],
    pod: makePod("p", { spec: { nodeName: "a" } }),
    want: null,
  },
  {
    name: "NodeUnschedulable rejects a cordoned node",
    nodes: [makeNode("a", { unschedulable: true })],
    pod: makePod("p"),
    want: ["NodeUnschedulable", "UnschedulableAndUnresolvable", ["node(s) were unschedulable"]],
  },
  {
    name: "NodeUnschedulable lets the unschedulable toleration through",
    nodes: [makeNode("a", { unschedulable: true })],
    pod: makePod("p", {
      spec: {
        tolerations: [
          { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
        ],
      },
    }),
    want: null,
  },
  {
    name: "TaintToleration names the first untolerated taint",
    nodes: [
      makeNode("a", {
        taints: [
          { key: "soft", effect: "PreferNoSchedule" },
          { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
        ],
      }),
    ],
    pod: makePod("p"),
    want: [
      "TaintToleration",
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"],
    ],
  },
  {
    name: "TaintToleration checks NoExecute with values",
    nodes: [makeNode("a", { taints: [{ key: "k", value: "v", effect: "NoExecute" }] })],
    pod: makePod("p", { spec: { tolerations: [{ key: "k", value: "w" }] } }),
    want: [
      "TaintToleration",
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {k: v}"],
    ],
  },
  {
    name: "TaintToleration accepts Equal and Exists tolerations",
    nodes: [
      makeNode("a", {
        taints: [
          { key: "k", value: "v", effect: "NoExecute" },
          { key: "j", effect: "NoSchedule" },
        ],
      }),
    ],
    pod: makePod("p", {
      spec: { tolerations: [{ key: "k", value: "v" }, { operator: "Exists" }] },
    }),
    want: null,
  },
  {
    name: "NodeAffinity applies nodeSelector",
    nodes: [makeNode("a", { labels: { disk: "hdd" } })],
    pod: makePod("p", { spec: { nodeSelector: { disk: "ssd" } } }),
    want: [
      "NodeAffinity",
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match Pod's node affinity/selector"],
    ],
  },
  {
    name: "NodeAffinity ORs terms and ANDs expressions",
    nodes: [makeNode("a", { labels: { gen: "5" } })],
    pod: makePod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "gen", operator: "Gt", values: ["7"] }] },
                {
                  matchExpressions: [
                    { key: "gen", operator: "Lt", values: ["6"] },
                    { key: "gpu", operator: "DoesNotExist" },
                  ],
                },
              ],
            },
          },
        },
      },
    }),
    want: null,
  },
  {
    name: "NodeAffinity matchFields on metadata.name",
    nodes: [makeNode("a")],
    pod: makePod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["a"] }] },
              ],
            },
          },
        },
      },
    }),
    want: [
      "NodeAffinity",
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match Pod's node affinity/selector"],
    ],
  },
  {
    name: "NodeAffinity: an empty term selects nothing",
    nodes: [makeNode("a")],
    pod: makePod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] },
          },
        },
      },
    }),
    want: [
      "NodeAffinity",
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match Pod's node affinity/selector"],
    ],
  },
  {
    name: "NodeResourcesFit lists every insufficient resource",
    nodes: [makeNode("a", { cpu: "1", memory: "1Gi", extra: { "example.com/gpu": "1" } })],
    pods: [makePod("x", { node: "a", cpu: "600m", memory: "512Mi" })],
    pod: makePod("p", {
      cpu: "500m",
      memory: "600Mi",
      spec: {
        containers: [
          {
            name: "c",
            resources: { requests: { cpu: "500m", memory: "600Mi", "example.com/gpu": "2" } },
          },
        ],
      },
    }),
    want: [
      "NodeResourcesFit",
      "Unschedulable",
      ["Insufficient cpu", "Insufficient memory", "Insufficient example.com/gpu"],
    ],
  },
  {
    name: "NodeResourcesFit counts pods",
    nodes: [makeNode("a", { pods: "1" })],
    pods: [makePod("x", { node: "a" })],
    pod: makePod("p"),
    want: ["NodeResourcesFit", "Unschedulable", ["Too many pods"]],
  },
  {
    name: "NodeResourcesFit accepts an exact fit",
    nodes: [makeNode("a", { cpu: "1" })],
    pods: [makePod("x", { node: "a", cpu: "600m" })],
    pod: makePod("p", { cpu: "400m" }),
    want: null,
  },
  {
    name: "NodePorts rejects a taken host port",
    nodes: [makeNode("a")],
    pods: [
      makePod("x", {
        node: "a",
        spec: {
          containers: [
            { name: "c", ports: [{ containerPort: 80, hostPort: 8080, hostIP: "10.0.0.1" }] },
          ],
        },
      }),
    ],
    pod: makePod("p", {
      spec: { containers: [{ name: "c", ports: [{ containerPort: 80, hostPort: 8080 }] }] },
    }),
    want: [
      "NodePorts",
      "Unschedulable",
      ["node(s) didn't have free ports for the requested pod ports"],
    ],
  },
  {
    name: "NodePorts allows the same port on another IP or protocol",
    nodes: [makeNode("a")],
    pods: [
      makePod("x", {
        node: "a",
        spec: { containers: [{ name: "c", ports: [{ hostPort: 8080, hostIP: "10.0.0.1" }] }] },
      }),
    ],
    pod: makePod("p", {
      spec: {
        containers: [
          {
            name: "c",
            ports: [
              { hostPort: 8080, hostIP: "10.0.0.2" },
              { hostPort: 8080, protocol: "UDP" },
            ],
          },
        ],
      },
    }),
    want: null,
  },
  {
    name: "PodTopologySpread rejects a node that would exceed maxSkew",
    nodes: [makeNode("a", { labels: zone("z1") }), makeNode("b", { labels: zone("z2") })],
    pods: [makePod("x", { node: "a", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: [
      "PodTopologySpread",
      "Unschedulable",
      ["node(s) didn't match pod topology spread constraints"],
    ],
  },
  {
    name: "PodTopologySpread requires the topology label",
    nodes: [makeNode("a")],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: [
      "PodTopologySpread",
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match pod topology spread constraints (missing required label)"],
    ],
  },
  {
    name: "PodTopologySpread: minDomains above the domain count makes the minimum 0",
    nodes: [makeNode("a", { labels: zone("z1") })],
    pods: [makePod("x", { node: "a", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            minDomains: 2,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: [
      "PodTopologySpread",
      "Unschedulable",
      ["node(s) didn't match pod topology spread constraints"],
    ],
  },
  {
    name: "PodTopologySpread ignores domains of nodes the pod's nodeSelector excludes",
    nodes: [
      makeNode("a", { labels: { ...zone("z1"), pool: "x" } }),
      makeNode("b", { labels: zone("z2") }),
    ],
    pods: [makePod("x", { node: "a", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        nodeSelector: { pool: "x" },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: null,
  },
  {
    name: "PodTopologySpread nodeAffinityPolicy Ignore counts every domain",
    nodes: [
      makeNode("a", { labels: { ...zone("z1"), pool: "x" } }),
      makeNode("b", { labels: zone("z2") }),
    ],
    pods: [makePod("x", { node: "a", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        nodeSelector: { pool: "x" },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            nodeAffinityPolicy: "Ignore",
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: [
      "PodTopologySpread",
      "Unschedulable",
      ["node(s) didn't match pod topology spread constraints"],
    ],
  },
  {
    name: "PodTopologySpread nodeTaintsPolicy Honor skips tainted domains",
    nodes: [
      makeNode("a", { labels: zone("z1") }),
      makeNode("b", { labels: zone("z2"), taints: [{ key: "t", effect: "NoSchedule" }] }),
    ],
    pods: [makePod("x", { node: "a", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            nodeTaintsPolicy: "Honor",
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: null,
  },
  {
    name: "PodTopologySpread matchLabelKeys narrows the selector to the pod's value",
    nodes: [makeNode("a", { labels: zone("z1") }), makeNode("b", { labels: zone("z2") })],
    pods: [makePod("x", { node: "a", labels: { app: "w", rev: "1" } })],
    pod: makePod("p", {
      labels: { app: "w", rev: "2" },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            matchLabelKeys: ["rev"],
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "w" } },
          },
        ],
      },
    }),
    want: null,
  },
  {
    name: "InterPodAffinity requires a matching pod in the topology",
    nodes: [makeNode("a", { labels: zone("z1") }), makeNode("b", { labels: zone("z2") })],
    pods: [makePod("db", { node: "b", labels: { app: "db" } })],
    pod: makePod("p", {
      spec: {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: "topology.kubernetes.io/zone",
                labelSelector: { matchLabels: { app: "db" } },
              },
            ],
          },
        },
      },
    }),
    want: [
      "InterPodAffinity",
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match pod affinity rules"],
    ],
  },
  {
    name: "InterPodAffinity lets the first pod of a self-affine group in",
    nodes: [makeNode("a", { labels: zone("z1") })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: "topology.kubernetes.io/zone",
                labelSelector: { matchLabels: { app: "w" } },
              },
            ],
          },
        },
      },
    }),
    want: null,
  },
  {
    name: "InterPodAffinity rejects by the pod's anti-affinity",
    nodes: [makeNode("a", { labels: zone("z1") })],
    pods: [makePod("x", { node: "a", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: "topology.kubernetes.io/zone",
                labelSelector: { matchLabels: { app: "w" } },
              },
            ],
          },
        },
      },
    }),
    want: ["InterPodAffinity", "Unschedulable", ["node(s) didn't match pod anti-affinity rules"]],
  },
  {
    name: "InterPodAffinity rejects by an existing pod's anti-affinity",
    nodes: [makeNode("a", { labels: zone("z1") })],
    pods: [
      makePod("x", {
        node: "a",
        spec: {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  topologyKey: "kubernetes.io/hostname",
                  labelSelector: { matchLabels: { app: "w" } },
                },
              ],
            },
          },
        },
      }),
    ],
    pod: makePod("p", { labels: { app: "w" } }),
    want: [
      "InterPodAffinity",
      "Unschedulable",
      ["node(s) didn't satisfy existing pods anti-affinity rules"],
    ],
  },
  {
    name: "InterPodAffinity anti-affinity is per namespace",
    nodes: [makeNode("a")],
    pods: [makePod("x", { node: "a", namespace: "other", labels: { app: "w" } })],
    pod: makePod("p", {
      labels: { app: "w" },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: "kubernetes.io/hostname",
                labelSelector: { matchLabels: { app: "w" } },
              },
            ],
          },
        },
      },
    }),
    want: null,
  },
];

describe("filter plugins", () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const snapshot = Snapshot.of(tc.nodes, tc.pods ?? []);
      const cycle = preFilter(newPodInfo(tc.pod), snapshot, DEFAULT_FILTERS);
      assert.equal(cycle.failed, undefined);
      const status = runFilters(cycle, snapshot.get(tc.nodes[0]!.metadata.name!)!);
      assert.deepEqual(status && [status.plugin, status.code, status.reasons], tc.want);
    });
  }

  it("NodeAffinity pre-filter narrows to metadata.name terms and reports conflicts", () => {
    const snapshot = Snapshot.of([makeNode("a"), makeNode("b")]);
    const term = (names: string[]) => ({
      matchFields: [{ key: "metadata.name", operator: "In", values: names }],
    });
    const narrowed = preFilter(
      newPodInfo(
        makePod("p", {
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [term(["b"])],
                },
              },
            },
          },
        }),
      ),
      snapshot,
      DEFAULT_FILTERS,
    );
    assert.deepEqual([...(narrowed.nodeNames ?? [])], ["b"]);
    const conflict = preFilter(
      newPodInfo(
        makePod("p", {
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchFields: [...term(["a"]).matchFields, ...term(["b"]).matchFields] },
                  ],
                },
              },
            },
          },
        }),
      ),
      snapshot,
      DEFAULT_FILTERS,
    );
    assert.deepEqual(conflict.failed?.reasons, ["pod affinity terms conflict"]);
  });

  it("skips plugins with nothing to check", () => {
    const snapshot = Snapshot.of([makeNode("a")]);
    const cycle = preFilter(newPodInfo(makePod("p")), snapshot, DEFAULT_FILTERS);
    assert.deepEqual(
      cycle.filters.map((f) => f.name),
      ["NodeUnschedulable", "TaintToleration", "NodeResourcesFit"],
    );
  });
});
