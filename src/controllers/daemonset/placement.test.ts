import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../../api/core/v1/node.js";
import type { PodSpec } from "../../api/core/v1/pod-shapes.js";
import {
  affinityForNode,
  DaemonPlacement,
  targetNodeName,
  withDaemonTolerations,
  type NodePlacement,
} from "./placement.js";
import { makeDaemonSet, makeNode, makePod } from "./test-fixtures.js";

const RUN: NodePlacement = { shouldRun: true, shouldContinueRunning: true };
const STAY: NodePlacement = { shouldRun: false, shouldContinueRunning: true };
const NONE: NodePlacement = { shouldRun: false, shouldContinueRunning: false };

describe("DaemonPlacement.forNode()", () => {
  const cases: { name: string; spec?: PodSpec; node: Node; want: NodePlacement }[] = [
    { name: "a plain node runs the pod", node: makeNode("n1"), want: RUN },
    {
      name: "a nodeSelector that matches",
      spec: { nodeSelector: { disk: "ssd" } },
      node: makeNode("n1", { labels: { disk: "ssd" } }),
      want: RUN,
    },
    {
      name: "a nodeSelector that does not match keeps the pod off and removes it",
      spec: { nodeSelector: { disk: "ssd" } },
      node: makeNode("n1", { labels: { disk: "hdd" } }),
      want: NONE,
    },
    {
      name: "required node affinity on labels",
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] },
              ],
            },
          },
        },
      },
      node: makeNode("n1", { labels: { zone: "c" } }),
      want: NONE,
    },
    {
      name: "required node affinity on the node name (matchFields)",
      spec: { affinity: affinityForNode(undefined, "n2") },
      node: makeNode("n1"),
      want: NONE,
    },
    {
      name: "a template nodeName of another node",
      spec: { nodeName: "n2" },
      node: makeNode("n1"),
      want: NONE,
    },
    {
      name: "an untolerated NoSchedule taint: no new pod, the old one stays",
      node: makeNode("n1", { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] }),
      want: STAY,
    },
    {
      name: "a tolerated NoSchedule taint",
      spec: { tolerations: [{ key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }] },
      node: makeNode("n1", { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] }),
      want: RUN,
    },
    {
      name: "a toleration of another value does not tolerate",
      spec: { tolerations: [{ key: "k", operator: "Equal", value: "w", effect: "NoSchedule" }] },
      node: makeNode("n1", { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] }),
      want: STAY,
    },
    {
      name: "an untolerated NoExecute taint removes the pod",
      node: makeNode("n1", { taints: [{ key: "k", effect: "NoExecute" }] }),
      want: NONE,
    },
    {
      name: "an Exists toleration without key tolerates everything",
      spec: { tolerations: [{ operator: "Exists" }] },
      node: makeNode("n1", { taints: [{ key: "k", effect: "NoExecute" }] }),
      want: RUN,
    },
    {
      name: "PreferNoSchedule taints do not count",
      node: makeNode("n1", { taints: [{ key: "k", effect: "PreferNoSchedule" }] }),
      want: RUN,
    },
    {
      name: "the daemon tolerations cover a cordoned, not-ready, pressured node",
      node: makeNode("n1", {
        taints: [
          { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
          { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
          { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
          { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" },
          { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" },
          { key: "node.kubernetes.io/pid-pressure", effect: "NoSchedule" },
        ],
      }),
      want: RUN,
    },
    {
      name: "network-unavailable is tolerated only by host-network pods",
      node: makeNode("n1", {
        taints: [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }],
      }),
      want: STAY,
    },
    {
      name: "network-unavailable with hostNetwork",
      spec: { hostNetwork: true },
      node: makeNode("n1", {
        taints: [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }],
      }),
      want: RUN,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ds = makeDaemonSet(c.spec ? { spec: c.spec } : {});
      assert.deepEqual(new DaemonPlacement(ds).forNode(c.node), c.want);
    });
  }
});

describe("withDaemonTolerations()", () => {
  it("adds the six default tolerations, and network-unavailable for host-network pods", () => {
    assert.equal(withDaemonTolerations({}).length, 6);
    const host = withDaemonTolerations({ hostNetwork: true });
    assert.equal(host.length, 7);
    assert.ok(host.some((t) => t.key === "node.kubernetes.io/network-unavailable"));
    for (const t of host) assert.equal(t.operator, "Exists");
  });

  it("keeps the pod's own tolerations and replaces a matching one without its time limit", () => {
    const out = withDaemonTolerations({
      tolerations: [
        { key: "k", operator: "Exists", effect: "NoSchedule" },
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    });
    assert.equal(out.length, 7);
    assert.deepEqual(out[0], { key: "k", operator: "Exists", effect: "NoSchedule" });
    assert.deepEqual(out[1], {
      key: "node.kubernetes.io/not-ready",
      operator: "Exists",
      effect: "NoExecute",
    });
  });
});

describe("affinityForNode() and targetNodeName()", () => {
  it("replaces required terms with metadata.name In [node] and keeps the rest", () => {
    const out = affinityForNode(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Exists" }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, preference: { matchExpressions: [{ key: "b", operator: "Exists" }] } },
          ],
        },
        podAntiAffinity: {},
      },
      "n7",
    );
    assert.deepEqual(out.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [
        { matchFields: [{ key: "metadata.name", operator: "In", values: ["n7"] }] },
      ],
    });
    assert.equal(out.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length, 1);
    assert.deepEqual(out.podAntiAffinity, {});
  });

  it("reads the node of a bound pod, of a pinned pod, and none from an unpinned one", () => {
    assert.equal(targetNodeName(makePod("p", "n1")), "n1");
    assert.equal(targetNodeName(makePod("p", "n2", { bound: false })), "n2");
    const loose = makePod("p", "n1", { bound: false });
    delete loose.spec?.affinity;
    assert.equal(targetNodeName(loose), undefined);
    const two = makePod("p", "n1", { bound: false });
    two.spec!.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: "metadata.name", operator: "In", values: ["a", "b"] }] },
          ],
        },
      },
    };
    assert.equal(targetNodeName(two), undefined);
  });
});
