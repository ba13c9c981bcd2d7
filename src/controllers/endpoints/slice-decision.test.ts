import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";
import type { Endpoint, EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";
import { node, nodesOf, pod, service } from "./fixtures.js";
import {
  desiredEndpoints,
  planSlices,
  type EndpointGroup,
  type SliceInput,
  type SlicePlan,
} from "./slice-decision.js";

const NODES = nodesOf(node("n1", "zone-a"), node("n2"));
const LABELS = {
  "kubernetes.io/service-name": "web",
  "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
};
const OWNER = {
  apiVersion: "v1",
  kind: "Service",
  name: "web",
  uid: "uid-svc-web",
  controller: true,
  blockOwnerDeletion: true,
};
const PORTS = [{ name: "", port: 8080, protocol: "TCP" }];

/** The endpoint a ready pod `name` with IP 10.0.0.<n> on n1 (zone-a) becomes. */
function endpoint(name: string, n: number, extra: Partial<Endpoint> = {}): Endpoint {
  return {
    addresses: [`10.0.0.${n}`],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: "Pod", namespace: "default", name, uid: `uid-${name}` },
    nodeName: "n1",
    zone: "zone-a",
    ...extra,
  };
}

function only(groups: Map<string, EndpointGroup>): EndpointGroup {
  assert.equal(groups.size, 1, "one port set");
  return [...groups.values()][0]!;
}

describe("desiredEndpoints()", () => {
  const cases: { name: string; svc?: Service; pods: Pod[]; want: Endpoint[] }[] = [
    {
      name: "a ready pod is ready and serving, with its node and the node's zone",
      pods: [pod("a", 1)],
      want: [endpoint("a", 1)],
    },
    {
      name: "a pod that is not ready is neither ready nor serving",
      pods: [pod("a", 1, { ready: false })],
      want: [
        endpoint("a", 1, { conditions: { ready: false, serving: false, terminating: false } }),
      ],
    },
    {
      name: "a terminating pod stays, serving but not ready",
      pods: [pod("a", 1, { deleting: true })],
      want: [endpoint("a", 1, { conditions: { ready: false, serving: true, terminating: true } })],
    },
    {
      name: "publishNotReadyAddresses makes every endpoint ready",
      svc: service({ publishNotReadyAddresses: true }),
      pods: [pod("a", 1, { ready: false }), pod("b", 2, { deleting: true })],
      want: [
        endpoint("a", 1, { conditions: { ready: true, serving: false, terminating: false } }),
        endpoint("b", 2, { conditions: { ready: true, serving: true, terminating: true } }),
      ],
    },
    {
      name: "finished pods and pods without an address are left out",
      pods: [
        pod("a", 1, { phase: "Succeeded" }),
        pod("b", 2, { phase: "Failed" }),
        pod("c", 3, { ip: null }),
      ],
      want: [],
    },
    {
      name: "a node without a zone label gives no zone",
      pods: [pod("a", 1, { node: "n2" })],
      want: [endpoint("a", 1, { nodeName: "n2", zone: undefined as never })].map((e) => {
        delete e.zone;
        return e;
      }),
    },
    {
      name: "the hostname is published for pods whose subdomain is the service",
      pods: [
        pod("a", 1, { hostname: "a-host", subdomain: "web" }),
        pod("b", 2, { hostname: "b-host", subdomain: "db" }),
      ],
      want: [endpoint("a", 1, { hostname: "a-host" }), endpoint("b", 2)],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { groups, skipped } = desiredEndpoints(c.svc ?? service(), c.pods, NODES, "IPv4");
      assert.deepEqual(skipped, []);
      const all = [...groups.values()].flatMap((g) => [...g.endpoints.values()]);
      assert.deepEqual(all, c.want);
      for (const g of groups.values()) assert.deepEqual(g.ports, PORTS);
    });
  }

  it("resolves named target ports per pod into one group per port set", () => {
    const svc = service({
      ports: [
        { name: "web", port: 80, targetPort: "http", protocol: "TCP" },
        { name: "metrics", port: 9100, targetPort: 9100, protocol: "TCP", appProtocol: "http" },
      ],
    });
    const pods = [
      pod("a", 1, { ports: [{ name: "http", containerPort: 8080 }] }),
      pod("b", 2, { ports: [{ name: "http", containerPort: 9090 }] }),
      pod("c", 3),
    ];
    const { groups } = desiredEndpoints(svc, pods, NODES, "IPv4");
    const view = [...groups.values()].map((g) => ({
      ports: g.ports.map((p) => `${p.name}:${p.port}${p.appProtocol ? `/${p.appProtocol}` : ""}`),
      pods: [...g.endpoints.values()].map((e) => e.targetRef?.name),
    }));
    assert.deepEqual(view, [
      { ports: ["web:8080", "metrics:9100/http"], pods: ["a"] },
      { ports: ["web:9090", "metrics:9100/http"], pods: ["b"] },
      { ports: ["metrics:9100/http"], pods: ["c"] },
    ]);
  });

  it("gives a headless service without ports endpoints without ports", () => {
    const svc = service({ clusterIP: "None", ports: [] });
    const group = only(desiredEndpoints(svc, [pod("a", 1)], NODES, "IPv4").groups);
    assert.deepEqual(group.ports, []);
    assert.deepEqual([...group.endpoints.values()], [endpoint("a", 1)]);
  });

  it("takes the pod's address of the slice's address type", () => {
    const svc = service({ ipFamilies: ["IPv4", "IPv6"] });
    const pods = [pod("a", 1, { ips: ["10.0.0.1", "fd00::1"] }), pod("b", 2)];
    const v6 = only(desiredEndpoints(svc, pods, NODES, "IPv6").groups);
    assert.deepEqual([...v6.endpoints.values()], [endpoint("a", 1, { addresses: ["fd00::1"] })]);
  });

  it("leaves out pods whose node is unknown, and says so, unless everything is published", () => {
    const pods = [pod("a", 1, { node: "gone" }), pod("b", 2)];
    const result = desiredEndpoints(service(), pods, NODES, "IPv4");
    assert.deepEqual([...only(result.groups).endpoints.keys()].length, 1);
    assert.deepEqual(result.skipped, [
      "skipping Pod a for Service default/web: Node gone Not Found",
    ]);
    const published = desiredEndpoints(
      service({ publishNotReadyAddresses: true }),
      pods,
      NODES,
      "IPv4",
    );
    assert.deepEqual(published.skipped, []);
    const a = [...only(published.groups).endpoints.values()][0]!;
    assert.equal(a.nodeName, "gone");
    assert.equal(a.zone, undefined);
  });
});

/** Stores the plan's writes as the API would, giving creates names, UIDs and generations. */
function store(plan: SlicePlan, before: readonly EndpointSlice[] = []): EndpointSlice[] {
  const deleted = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = before
    .filter((s) => !deleted.has(s.metadata.name))
    .map((s) => {
      const u = updated.get(s.metadata.name);
      return u
        ? { ...u, metadata: { ...u.metadata, generation: (s.metadata.generation ?? 1) + 1 } }
        : s;
    });
  let n = before.length;
  for (const s of plan.create) {
    const { generateName, ...metadata } = s.metadata;
    const name = `${generateName ?? ""}${++n}`;
    out.push({ ...s, metadata: { ...metadata, name, uid: `uid-${name}`, generation: 1 } });
  }
  return out;
}

function input(pods: Pod[], existing: EndpointSlice[] = [], extra: Partial<SliceInput> = {}) {
  return { service: service(), pods, nodeOf: NODES, existing, ...extra };
}

const range = (from: number, to: number): Pod[] =>
  Array.from({ length: to - from }, (_, i) => pod(`p${from + i}`, from + i));
const sizes = (slices: readonly EndpointSlice[]): number[] =>
  slices.map((s) => (s.endpoints ?? []).length);
const names = (slices: readonly EndpointSlice[]): string[] =>
  slices.map((s) => s.metadata.name ?? "");
const writes = (plan: SlicePlan): [number, number, number] => [
  plan.create.length,
  plan.update.length,
  plan.delete.length,
];

describe("planSlices()", () => {
  it("creates one slice owned by the service, with its labels and generateName", () => {
    const plan = planSlices(input([pod("a", 1), pod("b", 2)]));
    assert.deepEqual(writes(plan), [1, 0, 0]);
    assert.deepEqual(plan.create[0], {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        generateName: "web-",
        namespace: "default",
        labels: LABELS,
        ownerReferences: [OWNER],
      },
      addressType: "IPv4",
      endpoints: [endpoint("a", 1), endpoint("b", 2)],
      ports: PORTS,
    });
  });

  it("puts at most 100 endpoints in a slice", () => {
    const plan = planSlices(input(range(0, 250)));
    assert.deepEqual(sizes(plan.create), [100, 100, 50]);
  });

  it("keeps one empty placeholder slice for a service without endpoints", () => {
    const plan = planSlices(input([]));
    assert.deepEqual(writes(plan), [1, 0, 0]);
    assert.deepEqual(plan.create[0]?.endpoints, []);
    assert.equal(plan.create[0]?.ports, undefined);
    assert.deepEqual(writes(planSlices(input([], store(plan)))), [0, 0, 0]);
  });

  it("turns the placeholder into the first slice when pods arrive", () => {
    const placeholder = store(planSlices(input([])));
    const plan = planSlices(input([pod("a", 1)], placeholder));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata.name, placeholder[0]?.metadata.name);
    assert.deepEqual(plan.update[0]?.ports, PORTS);
    assert.deepEqual(plan.update[0]?.endpoints, [endpoint("a", 1)]);
  });

  it("writes nothing when the slices are up to date", () => {
    const stored = store(planSlices(input(range(0, 150))));
    assert.deepEqual(writes(planSlices(input(range(0, 150), stored))), [0, 0, 0]);
  });

  it("updates the one slice whose endpoint changed, in place", () => {
    const stored = store(planSlices(input(range(0, 150))));
    const pods = range(0, 150);
    pods[120] = pod("p120", 120, { ready: false });
    const plan = planSlices(input(pods, stored));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata.name, stored[1]?.metadata.name);
    const changed = plan.update[0]?.endpoints?.find((e) => e.targetRef?.name === "p120");
    assert.deepEqual(changed?.conditions, { ready: false, serving: false, terminating: false });
  });

  it("fills slices being updated anyway before touching others", () => {
    // A has 90 endpoints, B 50. B loses one; five new ones would fit A best, but go to B.
    const a = store(planSlices(input(range(0, 90))));
    const b = store(planSlices(input(range(100, 150))), a);
    const plan = planSlices(input([...range(0, 90), ...range(101, 150), ...range(200, 205)], b));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata.name, b[1]?.metadata.name);
    assert.deepEqual(sizes(plan.update), [54]);
  });

  it("puts new endpoints into the unchanged slice they fill best", () => {
    const a = store(planSlices(input(range(0, 90))));
    const b = store(planSlices(input(range(100, 150))), a);
    const plan = planSlices(input([...range(0, 90), ...range(100, 150), ...range(200, 205)], b));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata.name, a[0]?.metadata.name);
    assert.deepEqual(sizes(plan.update), [95]);
  });

  it("makes a new slice when no existing one has room", () => {
    const stored = store(planSlices(input(range(0, 100))));
    const plan = planSlices(input(range(0, 130), stored));
    assert.deepEqual(writes(plan), [1, 0, 0]);
    assert.deepEqual(sizes(plan.create), [30]);
  });

  it("deletes slices left empty", () => {
    const stored = store(planSlices(input(range(0, 150))));
    const plan = planSlices(input(range(0, 100), stored));
    assert.deepEqual(writes(plan), [0, 0, 1]);
    assert.deepEqual(names(plan.delete), [stored[1]?.metadata.name]);
  });

  it("rewrites a slice whose ports no longer apply instead of deleting and creating", () => {
    const stored = store(planSlices(input([pod("a", 1)])));
    const svc = service({ ports: [{ port: 80, targetPort: 9090, protocol: "TCP" }] });
    const plan = planSlices(input([pod("a", 1)], stored, { service: svc }));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.equal(plan.update[0]?.metadata.name, stored[0]?.metadata.name);
    assert.deepEqual(plan.update[0]?.ports, [{ name: "", port: 9090, protocol: "TCP" }]);
  });

  it("drops an endpoint found in two slices from the second", () => {
    const stored = store(planSlices(input(range(0, 150))));
    const dup = { ...stored[1]!, endpoints: [...stored[1]!.endpoints!, endpoint("p0", 0)] };
    const plan = planSlices(input(range(0, 150), [stored[0]!, dup]));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.deepEqual(sizes(plan.update), [50]);
  });

  it("copies the service's labels (not the reserved ones) and relabels on change", () => {
    const labelled = service({
      labels: { app: "web", "kubernetes.io/service-name": "spoof" },
    });
    const stored = store(planSlices(input([pod("a", 1)])));
    const plan = planSlices(input([pod("a", 1)], stored, { service: labelled }));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.deepEqual(plan.update[0]?.metadata.labels, { app: "web", ...LABELS });
  });

  it("labels the slices of a headless service", () => {
    const plan = planSlices(input([pod("a", 1)], [], { service: service({ clusterIP: "None" }) }));
    assert.deepEqual(plan.create[0]?.metadata.labels, {
      "service.kubernetes.io/headless": "",
      ...LABELS,
    });
  });

  it("writes one set of slices per IP family of a dual-stack service", () => {
    const svc = service({ ipFamilies: ["IPv4", "IPv6"] });
    const pods = [pod("a", 1, { ips: ["10.0.0.1", "fd00::1"] })];
    const plan = planSlices(input(pods, [], { service: svc }));
    assert.deepEqual(
      plan.create.map((s) => [s.addressType, s.endpoints?.[0]?.addresses]),
      [
        ["IPv4", ["10.0.0.1"]],
        ["IPv6", ["fd00::1"]],
      ],
    );
  });

  it("deletes slices of an address type the service no longer has", () => {
    const dual = service({ ipFamilies: ["IPv4", "IPv6"] });
    const pods = [pod("a", 1, { ips: ["10.0.0.1", "fd00::1"] })];
    const stored = store(planSlices(input(pods, [], { service: dual })));
    const plan = planSlices(input(pods, stored));
    assert.deepEqual(writes(plan), [0, 0, 1]);
    assert.equal(plan.delete[0]?.addressType, "IPv6");
  });

  it("replaces slices owned by an earlier service of the same name", () => {
    const stored = store(planSlices(input([pod("a", 1)])));
    const other = {
      ...stored[0]!,
      metadata: { ...stored[0]!.metadata, ownerReferences: [{ ...OWNER, uid: "old" }] },
    };
    const plan = planSlices(input([pod("a", 1)], [other]));
    assert.deepEqual(writes(plan), [1, 0, 1]);
  });

  it("creates nothing for a service being deleted", () => {
    const plan = planSlices(input([pod("a", 1)], [], { service: service({ deleting: true }) }));
    assert.deepEqual(writes(plan), [0, 0, 0]);
  });

  it("annotates the slices it writes with the trigger time, and clears a stale one", () => {
    const time = Date.parse("2024-06-01T11:00:00.250Z");
    const plan = planSlices(input([pod("a", 1)], [], { triggerTime: time }));
    assert.deepEqual(plan.create[0]?.metadata.annotations, {
      "endpoints.kubernetes.io/last-change-trigger-time": "2024-06-01T11:00:00.25Z",
    });
    const stored = store(plan);
    const next = planSlices(input([pod("a", 1, { ready: false })], stored));
    assert.equal(next.update[0]?.metadata.annotations, undefined);
  });

  it("reports pods skipped for an unknown node", () => {
    const plan = planSlices(input([pod("a", 1, { node: "gone" })]));
    assert.equal(plan.skipped.length, 1);
    assert.deepEqual(plan.create[0]?.endpoints, []);
  });

  it("hints ready endpoints for their zone with PreferClose, and for their node with PreferSameNode", () => {
    const pods = [pod("a", 1), pod("b", 2, { ready: false }), pod("c", 3, { node: "n2" })];
    const hintsOf = (distribution: string): unknown[] => {
      const svc = service();
      svc.spec!.trafficDistribution = distribution;
      const plan = planSlices(input(pods, [], { service: svc }));
      return (plan.create[0]?.endpoints ?? []).map((e) => e.hints);
    };
    assert.deepEqual(hintsOf("PreferClose"), [
      { forZones: [{ name: "zone-a" }] },
      undefined,
      undefined,
    ]);
    assert.deepEqual(hintsOf("PreferSameNode"), [
      { forZones: [{ name: "zone-a" }], forNodes: [{ name: "n1" }] },
      undefined,
      { forNodes: [{ name: "n2" }] },
    ]);
  });

  it("rewrites unchanged slices whose hints are missing or stale, and only those", () => {
    const stored = store(planSlices(input([pod("a", 1)])));
    const close = service();
    close.spec!.trafficDistribution = "PreferClose";
    const plan = planSlices(input([pod("a", 1)], stored, { service: close }));
    assert.deepEqual(writes(plan), [0, 1, 0]);
    assert.deepEqual(plan.update[0]?.endpoints?.[0]?.hints, { forZones: [{ name: "zone-a" }] });
    const hinted = store(plan, stored);
    assert.deepEqual(
      writes(planSlices(input([pod("a", 1)], hinted, { service: close }))),
      [0, 0, 0],
    );
    // Without trafficDistribution (or with the older topology annotation) hints are removed.
    const removed = planSlices(input([pod("a", 1)], hinted));
    assert.deepEqual(writes(removed), [0, 1, 0]);
    assert.equal(removed.update[0]?.endpoints?.[0]?.hints, undefined);
    const auto = service();
    auto.spec!.trafficDistribution = "PreferClose";
    auto.metadata.annotations = { "service.kubernetes.io/topology-mode": "Auto" };
    assert.deepEqual(
      writes(planSlices(input([pod("a", 1)], hinted, { service: auto }))),
      [0, 1, 0],
    );
  });
});
