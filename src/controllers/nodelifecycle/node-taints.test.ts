import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Taint } from "../../api/core/v1/node.js";
import { noExecuteAction, reconcileNoScheduleTaints, withNoExecuteTaint } from "./node-taints.js";

function node(
  conditions: Record<string, string>,
  taints: Taint[] = [],
  unschedulable = false,
): Node {
  return {
    metadata: { name: "n1" },
    spec: { taints, ...(unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
  };
}

const ns = (key: string): Taint => ({ key: `node.kubernetes.io/${key}`, effect: "NoSchedule" });
const ne = (key: string): Taint => ({ key: `node.kubernetes.io/${key}`, effect: "NoExecute" });

describe("reconcileNoScheduleTaints()", () => {
  const cases: { name: string; node: Node; want: Taint[] | undefined }[] = [
    { name: "a healthy node needs none", node: node({ Ready: "True" }), want: undefined },
    { name: "NotReady adds not-ready", node: node({ Ready: "False" }), want: [ns("not-ready")] },
    {
      name: "Unknown adds unreachable",
      node: node({ Ready: "Unknown" }),
      want: [ns("unreachable")],
    },
    {
      name: "pressure conditions add their taints",
      node: node({
        Ready: "True",
        MemoryPressure: "True",
        DiskPressure: "True",
        PIDPressure: "False",
      }),
      want: [ns("memory-pressure"), ns("disk-pressure")],
    },
    {
      name: "cordoned adds unschedulable",
      node: node({ Ready: "True" }, [], true),
      want: [ns("unschedulable")],
    },
    {
      name: "uncordoned removes unschedulable and keeps foreign taints",
      node: node({ Ready: "True" }, [
        { key: "dedicated", value: "db", effect: "NoSchedule" },
        ns("unschedulable"),
      ]),
      want: [{ key: "dedicated", value: "db", effect: "NoSchedule" }],
    },
    {
      name: "Ready again swaps nothing in but removes unreachable",
      node: node({ Ready: "True" }, [ns("unreachable"), ne("unreachable")]),
      want: [ne("unreachable")],
    },
    {
      name: "already right: no change",
      node: node({ Ready: "False" }, [ns("not-ready")]),
      want: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepEqual(reconcileNoScheduleTaints(c.node), c.want));
});

describe("noExecuteAction()", () => {
  const ready = (status: string) => ({ type: "Ready", status });
  const cases: { name: string; node: Node; status: string; want: string }[] = [
    { name: "ready, untainted: none", node: node({}), status: "True", want: "none" },
    {
      name: "ready, tainted: untaint",
      node: node({}, [ne("unreachable")]),
      status: "True",
      want: "untaint",
    },
    {
      name: "unknown, untainted: queue unreachable",
      node: node({}),
      status: "Unknown",
      want: "queue unreachable",
    },
    {
      name: "false, untainted: queue not-ready",
      node: node({}),
      status: "False",
      want: "queue not-ready",
    },
    {
      name: "unknown, tainted not-ready: swap",
      node: node({}, [ne("not-ready")]),
      status: "Unknown",
      want: "swap unreachable",
    },
    {
      name: "false, tainted unreachable: swap",
      node: node({}, [ne("unreachable")]),
      status: "False",
      want: "swap not-ready",
    },
    {
      name: "unknown, tainted unreachable: none",
      node: node({}, [ne("unreachable")]),
      status: "Unknown",
      want: "none",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = noExecuteAction(c.node, ready(c.status));
      const got =
        a.kind === "queue" || a.kind === "swap" ? `${a.kind} ${a.key.split("/")[1]}` : a.kind;
      assert.equal(got, c.want);
    });
  }
});

describe("withNoExecuteTaint()", () => {
  it("adds with timeAdded and removes the other", () => {
    const got = withNoExecuteTaint(
      node({}, [ne("not-ready"), ns("not-ready")]),
      "node.kubernetes.io/unreachable",
      ["node.kubernetes.io/not-ready"],
      "2024-05-01T10:00:00Z",
    );
    assert.deepEqual(got, [
      ns("not-ready"),
      { ...ne("unreachable"), timeAdded: "2024-05-01T10:00:00Z" },
    ]);
  });
  it("changes nothing when already so", () => {
    assert.equal(
      withNoExecuteTaint(node({}, [ne("unreachable")]), "node.kubernetes.io/unreachable", [], "x"),
      undefined,
    );
  });
});
