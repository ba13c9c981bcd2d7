import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { nodes, type Node, type NodeSpec, type Taint } from "./node.js";
import {
  cells,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  summarize,
} from "./strategy-harness.js";

const def = nodes as ResourceDefinition;

function node(extra: Partial<Node> = {}, labels?: Record<string, string>): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: "n1",
      creationTimestamp: "2024-01-01T00:00:00Z",
      ...(labels ? { labels } : {}),
    },
    ...extra,
  };
}

describe("Node defaults", () => {
  it("keeps the status a node registers with and copies capacity to allocatable", () => {
    const { obj, errors } = simulateCreate(
      def,
      node({ status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" } } }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual((obj as Node).status?.allocatable, { cpu: "4", memory: "8Gi", pods: "110" });
  });

  const cidrCases: { name: string; spec: NodeSpec; want: NodeSpec }[] = [
    {
      name: "podCIDR alone fills podCIDRs",
      spec: { podCIDR: "10.244.1.0/24" },
      want: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"] },
    },
    {
      name: "podCIDRs wins over a different podCIDR",
      spec: { podCIDR: "10.0.0.0/24", podCIDRs: ["10.244.1.0/24", "fd00::/64"] },
      want: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24", "fd00::/64"] },
    },
  ];
  for (const c of cidrCases) {
    it(c.name, () => {
      assert.deepEqual((simulateCreate(def, node({ spec: c.spec })).obj as Node).spec, c.want);
    });
  }
});

describe("Node validation", () => {
  const taint = (t: Partial<Taint>): Taint => ({ key: "dedicated", effect: "NoSchedule", ...t });
  const cases: { name: string; input: Node; want: string[] }[] = [
    {
      name: "a valid taint",
      input: node({ spec: { taints: [taint({ value: "gpu" })] } }),
      want: [],
    },
    {
      name: "a taint without effect",
      input: node({ spec: { taints: [taint({ effect: "" })] } }),
      want: ["FieldValueRequired metadata.taints[0].effect"],
    },
    {
      name: "an unknown effect",
      input: node({ spec: { taints: [taint({ effect: "NoRun" })] } }),
      want: ["FieldValueNotSupported metadata.taints[0].effect"],
    },
    {
      name: "a bad key and value",
      input: node({ spec: { taints: [taint({ key: "-bad", value: "has space" })] } }),
      want: [
        "FieldValueInvalid metadata.taints[0].key",
        "FieldValueInvalid metadata.taints[0].value",
      ],
    },
    {
      name: "the same key and effect twice",
      input: node({ spec: { taints: [taint({}), taint({ value: "x" })] } }),
      want: ["FieldValueDuplicate metadata.taints[1]"],
    },
    {
      name: "the same key with different effects",
      input: node({ spec: { taints: [taint({}), taint({ effect: "NoExecute" })] } }),
      want: [],
    },
    {
      name: "two CIDRs of one family",
      input: node({ spec: { podCIDRs: ["10.0.0.0/24", "10.1.0.0/24"] } }),
      want: ["FieldValueInvalid spec.podCIDRs"],
    },
    {
      name: "a malformed CIDR",
      input: node({ spec: { podCIDRs: ["10.0.0.0/33"] } }),
      want: ["FieldValueInvalid spec.podCIDRs[0]"],
    },
    {
      name: "a negative capacity",
      input: node({ status: { capacity: { cpu: "-1" } } }),
      want: ["FieldValueInvalid status.capacity[cpu]", "FieldValueInvalid status.allocatable[cpu]"],
    },
    {
      name: "a capacity that is not a quantity",
      input: node({ status: { capacity: { memory: "lots" }, allocatable: {} } }),
      want: ["FieldValueInvalid status.capacity[memory]"],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, c.input).errors), c.want);
    });
  }

  const updateCases: { name: string; old: NodeSpec; next: NodeSpec; want: string[] }[] = [
    { name: "podCIDRs set the first time", old: {}, next: { podCIDRs: ["10.0.0.0/24"] }, want: [] },
    {
      name: "podCIDRs changed",
      old: { podCIDRs: ["10.0.0.0/24"] },
      next: { podCIDRs: ["10.0.1.0/24"] },
      want: ["FieldValueForbidden spec.podCIDRs"],
    },
    {
      name: "providerID changed",
      old: { providerID: "kates://n1" },
      next: { providerID: "kates://n2" },
      want: ["FieldValueForbidden spec.providerID"],
    },
    { name: "cordoned", old: {}, next: { unschedulable: true }, want: [] },
  ];
  for (const c of updateCases) {
    it(`update: ${c.name}`, () => {
      const old = simulateCreate(def, node({ spec: c.old })).obj;
      assert.deepEqual(summarize(simulateUpdate(def, node({ spec: c.next }), old).errors), c.want);
    });
  }

  it("refuses duplicate addresses in a status write", () => {
    const old = simulateCreate(def, node()).obj;
    const address = { type: "InternalIP", address: "10.0.0.5" };
    const input = node({ status: { addresses: [address, { ...address }] } });
    assert.deepEqual(summarize(simulateStatusUpdate(def, input, old).errors), [
      "FieldValueDuplicate status.addresses[1]",
    ]);
  });
});

describe("Node table", () => {
  const now = new Date("2024-01-03T00:00:00Z");
  const ready = (status: string) => ({ conditions: [{ type: "Ready", status }] });
  const cases: { name: string; input: Node; status: string; roles: string }[] = [
    {
      name: "a ready worker",
      input: node({ status: ready("True") }),
      status: "Ready",
      roles: "<none>",
    },
    {
      name: "a node not ready",
      input: node({ status: ready("False") }),
      status: "NotReady",
      roles: "<none>",
    },
    {
      name: "a node with Unknown ready",
      input: node({ status: ready("Unknown") }),
      status: "NotReady",
      roles: "<none>",
    },
    { name: "a node without conditions", input: node(), status: "Unknown", roles: "<none>" },
    {
      name: "a cordoned control plane",
      input: node(
        { spec: { unschedulable: true }, status: ready("True") },
        {
          "node-role.kubernetes.io/control-plane": "",
          "node-role.kubernetes.io/etcd": "true",
          "kubernetes.io/role": "master",
        },
      ),
      status: "Ready,SchedulingDisabled",
      roles: "control-plane,etcd,master",
    },
  ];
  for (const c of cases) {
    it(`shows STATUS and ROLES of ${c.name}`, () => {
      const row = cells(def, c.input, now);
      assert.equal(row["Status"], c.status);
      assert.equal(row["Roles"], c.roles);
      assert.equal(row["Age"], "2d");
    });
  }

  it("shows versions and addresses, <none> and <unknown> when missing", () => {
    const full = node({
      status: {
        addresses: [
          { type: "Hostname", address: "n1" },
          { type: "InternalIP", address: "10.0.0.5" },
        ],
        nodeInfo: {
          kubeletVersion: "v1.31.0-kates",
          osImage: "Debian GNU/Linux 12",
          kernelVersion: "6.1.0",
          containerRuntimeVersion: "containerd://1.7.0",
        },
      },
    });
    assert.deepEqual(cells(def, full, now), {
      Status: "Unknown",
      Roles: "<none>",
      Age: "2d",
      Version: "v1.31.0-kates",
      "Internal-IP": "10.0.0.5",
      "External-IP": "<none>",
      "OS-Image": "Debian GNU/Linux 12",
      "Kernel-Version": "6.1.0",
      "Container-Runtime": "containerd://1.7.0",
    });
    const empty = cells(def, node(), now);
    assert.equal(empty["OS-Image"], "<unknown>");
    assert.equal(empty["Internal-IP"], "<none>");
  });

  it("selects on spec.unschedulable", () => {
    assert.equal(def.fieldSelectors?.["spec.unschedulable"]?.(node()), "false");
    assert.equal(
      def.fieldSelectors?.["spec.unschedulable"]?.(node({ spec: { unschedulable: true } })),
      "true",
    );
  });
});
