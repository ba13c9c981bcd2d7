import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Endpoints, EndpointSubset } from "../../api/core/v1/endpoints.js";
import type { EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";
import { normalizeIP, planMirror, shouldMirror, type MirrorPlan } from "./mirror-decision.js";

const PORT = { name: "db", port: 5432, protocol: "TCP" };

function endpoints(
  subsets: EndpointSubset[],
  meta: Partial<Endpoints["metadata"]> = {},
): Endpoints {
  return {
    metadata: { name: "ext", namespace: "default", uid: "uid-ep", ...meta },
    subsets,
  };
}

/** Stores the plan's writes as the API would. */
function store(plan: MirrorPlan, before: readonly EndpointSlice[] = []): EndpointSlice[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = before
    .filter((s) => !gone.has(s.metadata.name))
    .map((s) => updated.get(s.metadata.name) ?? s);
  let n = before.length;
  for (const s of plan.create) {
    const { generateName, ...metadata } = s.metadata;
    out.push({ ...s, metadata: { ...metadata, name: `${generateName ?? ""}${++n}` } });
  }
  return out;
}

const writes = (plan: MirrorPlan): [number, number, number] => [
  plan.create.length,
  plan.update.length,
  plan.delete.length,
];

describe("planMirror()", () => {
  it("mirrors ready and not-ready addresses with the ports, owned by the Endpoints", () => {
    const ep = endpoints(
      [
        {
          addresses: [{ ip: "192.0.2.10", hostname: "db-0", nodeName: "n1" }],
          notReadyAddresses: [{ ip: "192.0.2.11" }],
          ports: [PORT],
        },
      ],
      {
        labels: { team: "data" },
        annotations: { note: "x", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
      },
    );
    const plan = planMirror(ep, []);
    assert.deepEqual(writes(plan), [1, 0, 0]);
    assert.deepEqual(plan.create[0], {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        generateName: "ext-",
        namespace: "default",
        labels: {
          team: "data",
          "kubernetes.io/service-name": "ext",
          "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io",
        },
        annotations: { note: "x" },
        ownerReferences: [
          {
            apiVersion: "v1",
            kind: "Endpoints",
            name: "ext",
            uid: "uid-ep",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      addressType: "IPv4",
      endpoints: [
        {
          addresses: ["192.0.2.10"],
          conditions: { ready: true },
          nodeName: "n1",
          hostname: "db-0",
        },
        { addresses: ["192.0.2.11"], conditions: { ready: false } },
      ],
      ports: [PORT],
    });
  });

  it("writes nothing when the mirrored slice is up to date", () => {
    const ep = endpoints([{ addresses: [{ ip: "192.0.2.10" }], ports: [PORT] }]);
    const stored = store(planMirror(ep, []));
    assert.deepEqual(writes(planMirror(ep, stored)), [0, 0, 0]);
  });

  it("rewrites the slice in place when addresses, labels or ports change", () => {
    const ep = endpoints([{ addresses: [{ ip: "192.0.2.10" }], ports: [PORT] }]);
    const stored = store(planMirror(ep, []));
    const more = endpoints([
      { addresses: [{ ip: "192.0.2.10" }, { ip: "192.0.2.12" }], ports: [PORT] },
    ]);
    assert.deepEqual(writes(planMirror(more, stored)), [0, 1, 0]);
    const relabelled = endpoints(ep.subsets!, { labels: { a: "b" } });
    assert.deepEqual(writes(planMirror(relabelled, stored)), [0, 1, 0]);
    const moved = endpoints([
      { addresses: [{ ip: "192.0.2.10" }], ports: [{ ...PORT, port: 5433 }] },
    ]);
    const plan = planMirror(moved, stored);
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata.name, stored[0]?.metadata.name);
    assert.equal(plan.update[0]?.ports?.[0]?.port, 5433);
  });

  it("splits address types into their own slices", () => {
    const ep = endpoints([
      { addresses: [{ ip: "192.0.2.10" }, { ip: "FD00::10" }], ports: [PORT] },
    ]);
    const plan = planMirror(ep, []);
    assert.deepEqual(
      plan.create.map((s) => [s.addressType, s.endpoints?.[0]?.addresses?.[0]]),
      [
        ["IPv4", "192.0.2.10"],
        ["IPv6", "fd00::10"],
      ],
    );
  });

  it("deletes the slices when the Endpoints have no addresses left, and duplicates", () => {
    const ep = endpoints([{ addresses: [{ ip: "192.0.2.10" }], ports: [PORT] }]);
    const [slice] = store(planMirror(ep, []));
    const copy = { ...slice!, metadata: { ...slice!.metadata, name: "ext-copy" } };
    assert.deepEqual(writes(planMirror(ep, [slice!, copy])), [0, 0, 1]);
    assert.deepEqual(writes(planMirror(endpoints([]), [slice!])), [0, 0, 1]);
  });

  it("skips invalid addresses and those past the per-subset maximum", () => {
    const ep = endpoints([
      {
        addresses: [
          { ip: "not-an-ip" },
          { ip: "192.0.2.1" },
          { ip: "192.0.2.2" },
          { ip: "192.0.2.3" },
        ],
        ports: [PORT],
      },
    ]);
    const all = planMirror(ep, []);
    assert.deepEqual([all.invalid, all.skipped, all.create[0]?.endpoints?.length], [1, 1, 3]);
    // Addresses are taken in repacked (sorted) order until the maximum.
    const capped = planMirror(ep, [], 2);
    assert.deepEqual([capped.invalid, capped.skipped], [0, 2]);
    assert.deepEqual(
      capped.create[0]?.endpoints?.map((e) => e.addresses?.[0]),
      ["192.0.2.1", "192.0.2.2"],
    );
  });
});

describe("mirroring helpers", () => {
  it("skips Endpoints labelled skip-mirror or carrying a leader election record", () => {
    assert.equal(shouldMirror(endpoints([])), true);
    assert.equal(
      shouldMirror(
        endpoints([], { labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } }),
      ),
      false,
    );
    assert.equal(
      shouldMirror(
        endpoints([], { annotations: { "control-plane.alpha.kubernetes.io/leader": "{}" } }),
      ),
      false,
    );
  });

  it("normalizes IPs as upstream's sloppy parser", () => {
    assert.deepEqual(normalizeIP("010.001.002.003"), { ip: "10.1.2.3", type: "IPv4" });
    assert.deepEqual(normalizeIP("FD00::1"), { ip: "fd00::1", type: "IPv6" });
    assert.equal(normalizeIP("300.1.1.1"), undefined);
    assert.equal(normalizeIP("host.example"), undefined);
  });
});
