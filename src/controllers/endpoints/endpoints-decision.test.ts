import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointAddress, Endpoints, EndpointSubset } from "../../api/core/v1/endpoints.js";
import {
  ENDPOINTS_MANAGED_BY_LABEL,
  OVER_CAPACITY_ANNOTATION,
  planEndpoints,
  repackSubsets,
  truncateSubsets,
  type EndpointsInput,
} from "./endpoints-decision.js";
import { pod, service } from "./fixtures.js";

const MANAGED = { [ENDPOINTS_MANAGED_BY_LABEL]: "endpoint-controller" };

function address(name: string, n: number, extra: Partial<EndpointAddress> = {}): EndpointAddress {
  return {
    ip: `10.0.0.${n}`,
    nodeName: "n1",
    targetRef: { kind: "Pod", namespace: "default", name, uid: `uid-${name}` },
    ...extra,
  };
}

/** The subsets `planEndpoints` writes, or undefined when it writes nothing. */
function subsetsOf(input: EndpointsInput): EndpointSubset[] | undefined {
  const action = planEndpoints(input);
  if (action.type !== "create" && action.type !== "update") return undefined;
  return action.endpoints.subsets ?? [];
}

describe("planEndpoints()", () => {
  const cases: {
    name: string;
    input: EndpointsInput;
    want: EndpointSubset[] | undefined;
  }[] = [
    {
      name: "ready pods share one subset with the resolved port, sorted by IP",
      input: { service: service(), current: undefined, pods: [pod("b", 2), pod("a", 1)] },
      want: [
        {
          addresses: [address("a", 1), address("b", 2)],
          ports: [{ port: 8080, protocol: "TCP" }],
        },
      ],
    },
    {
      name: "a pod that is not ready is listed under notReadyAddresses",
      input: {
        service: service(),
        current: undefined,
        pods: [pod("a", 1), pod("b", 2, { ready: false })],
      },
      want: [
        {
          addresses: [address("a", 1)],
          notReadyAddresses: [address("b", 2)],
          ports: [{ port: 8080, protocol: "TCP" }],
        },
      ],
    },
    {
      name: "publishNotReadyAddresses lists unready and terminating pods as ready",
      input: {
        service: service({ publishNotReadyAddresses: true }),
        current: undefined,
        pods: [pod("a", 1, { ready: false }), pod("b", 2, { deleting: true })],
      },
      want: [
        { addresses: [address("a", 1), address("b", 2)], ports: [{ port: 8080, protocol: "TCP" }] },
      ],
    },
    {
      name: "terminating, finished and address-less pods are left out",
      input: {
        service: service(),
        current: undefined,
        pods: [
          pod("a", 1, { deleting: true }),
          pod("b", 2, { phase: "Succeeded" }),
          pod("c", 3, { phase: "Failed" }),
          pod("d", 4, { ip: null }),
        ],
      },
      want: [],
    },
    {
      name: "a named target port resolves per pod; pods without it (or of another protocol) are out",
      input: {
        service: service({
          ports: [{ name: "web", port: 80, targetPort: "http", protocol: "TCP" }],
        }),
        current: undefined,
        pods: [
          pod("a", 1, { ports: [{ name: "http", containerPort: 8080 }] }),
          pod("b", 2, { ports: [{ name: "http", containerPort: 9090 }] }),
          pod("c", 3, { ports: [{ name: "other", containerPort: 8080 }] }),
          pod("d", 4, { ports: [{ name: "http", containerPort: 8080, protocol: "UDP" }] }),
        ],
      },
      want: [
        { addresses: [address("a", 1)], ports: [{ name: "web", port: 8080, protocol: "TCP" }] },
        { addresses: [address("b", 2)], ports: [{ name: "web", port: 9090, protocol: "TCP" }] },
      ],
    },
    {
      name: "a headless service without ports lists addresses without ports",
      input: {
        service: service({ clusterIP: "None", ports: [] }),
        current: undefined,
        pods: [pod("a", 1)],
      },
      want: [{ addresses: [address("a", 1)] }],
    },
    {
      name: "the hostname is published only for pods whose subdomain is the service",
      input: {
        service: service({ clusterIP: "None" }),
        current: undefined,
        pods: [
          pod("a", 1, { hostname: "a-host", subdomain: "web" }),
          pod("b", 2, { hostname: "b-host", subdomain: "other" }),
        ],
      },
      want: [
        {
          addresses: [address("a", 1, { hostname: "a-host" }), address("b", 2)],
          ports: [{ port: 8080, protocol: "TCP" }],
        },
      ],
    },
    {
      name: "an IPv6 service lists the pods' IPv6 addresses and skips IPv4-only pods",
      input: {
        service: service({ clusterIP: "fd00::10", ipFamilies: ["IPv6"] }),
        current: undefined,
        pods: [pod("a", 1, { ips: ["10.0.0.1", "fd00::1"] }), pod("b", 2)],
      },
      want: [
        {
          addresses: [address("a", 1, { ip: "fd00::1" })],
          ports: [{ port: 8080, protocol: "TCP" }],
        },
      ],
    },
    {
      name: "without ipFamilies the cluster IP's family decides",
      input: {
        service: service({ clusterIP: "fd00::10", ipFamilies: null }),
        current: undefined,
        pods: [pod("a", 1, { ips: ["10.0.0.1", "fd00::1"] })],
      },
      want: [
        {
          addresses: [address("a", 1, { ip: "fd00::1" })],
          ports: [{ port: 8080, protocol: "TCP" }],
        },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(subsetsOf(c.input), c.want));
  }

  it("deletes the Endpoints of a service that is gone", () => {
    assert.deepEqual(planEndpoints({ service: undefined, current: undefined, pods: [] }), {
      type: "delete",
    });
  });

  it("leaves services without a selector (or an empty one) and ExternalName services alone", () => {
    const current: Endpoints = { metadata: { name: "web", namespace: "default" } };
    for (const svc of [
      service({ selector: null }),
      service({ selector: {} }),
      service({ type: "ExternalName" }),
    ]) {
      assert.deepEqual(planEndpoints({ service: svc, current, pods: [pod("a", 1)] }), {
        type: "none",
      });
    }
  });

  it("creates Endpoints named like the service, with its labels and the managed-by label", () => {
    const action = planEndpoints({
      service: service({ labels: { app: "web", tier: "front" } }),
      current: undefined,
      pods: [pod("a", 1)],
      triggerTime: Date.parse("2024-06-01T11:00:00Z"),
    });
    assert.equal(action.type, "create");
    assert.deepEqual(action.type === "create" && action.endpoints.metadata, {
      name: "web",
      namespace: "default",
      labels: { app: "web", tier: "front", ...MANAGED },
      annotations: { "endpoints.kubernetes.io/last-change-trigger-time": "2024-06-01T11:00:00Z" },
    });
  });

  it("labels the Endpoints of a headless service", () => {
    const action = planEndpoints({
      service: service({ clusterIP: "None" }),
      current: undefined,
      pods: [],
    });
    assert.deepEqual(action.type === "create" && action.endpoints.metadata.labels, {
      ...MANAGED,
      "service.kubernetes.io/headless": "",
    });
  });

  it("writes nothing when the stored Endpoints already match", () => {
    const first = planEndpoints({ service: service(), current: undefined, pods: [pod("a", 1)] });
    assert.equal(first.type, "create");
    const stored = { ...(first.type === "create" ? first.endpoints : {}) } as Endpoints;
    stored.metadata = { ...stored.metadata, resourceVersion: "7" };
    assert.deepEqual(planEndpoints({ service: service(), current: stored, pods: [pod("a", 1)] }), {
      type: "none",
    });
  });

  it("updates stale Endpoints in place, keeping their metadata and other annotations", () => {
    const current: Endpoints = {
      metadata: {
        name: "web",
        namespace: "default",
        resourceVersion: "7",
        uid: "ep-uid",
        labels: { stale: "yes" },
        annotations: { note: "kept", "endpoints.kubernetes.io/last-change-trigger-time": "x" },
      },
      subsets: [{ addresses: [address("old", 9)], ports: [{ port: 8080, protocol: "TCP" }] }],
    };
    const action = planEndpoints({ service: service(), current, pods: [pod("a", 1)] });
    assert.equal(action.type, "update");
    if (action.type !== "update") return;
    assert.deepEqual(action.endpoints.metadata, {
      name: "web",
      namespace: "default",
      resourceVersion: "7",
      uid: "ep-uid",
      labels: MANAGED,
      annotations: { note: "kept" },
    });
    assert.deepEqual(action.endpoints.subsets?.[0]?.addresses, [address("a", 1)]);
  });

  it("truncates past 1000 addresses and marks the Endpoints over capacity", () => {
    const pods = Array.from({ length: 1001 }, (_, i) =>
      pod(`p${i}`, i, { ip: `10.1.${Math.floor(i / 250)}.${i % 250}` }),
    );
    const action = planEndpoints({ service: service(), current: undefined, pods });
    assert.equal(action.type, "create");
    if (action.type !== "create") return;
    assert.equal(action.endpoints.metadata.annotations?.[OVER_CAPACITY_ANNOTATION], "truncated");
    assert.equal(action.endpoints.subsets?.[0]?.addresses?.length, 1000);
  });

  it("removes the over-capacity mark once the addresses fit again", () => {
    const current: Endpoints = {
      metadata: {
        name: "web",
        namespace: "default",
        labels: MANAGED,
        annotations: { [OVER_CAPACITY_ANNOTATION]: "truncated" },
      },
      subsets: [{ addresses: [address("a", 1)], ports: [{ port: 8080, protocol: "TCP" }] }],
    };
    const action = planEndpoints({ service: service(), current, pods: [pod("a", 1)] });
    assert.equal(action.type, "update");
    assert.equal(action.type === "update" && action.endpoints.metadata.annotations, undefined);
  });
});

describe("repackSubsets()", () => {
  const a = address("a", 1);
  const b = address("b", 2);
  const p80 = { name: "http", port: 80, protocol: "TCP" };
  const p443 = { name: "https", port: 443, protocol: "TCP" };
  const cases: { name: string; input: EndpointSubset[]; want: EndpointSubset[] }[] = [
    {
      name: "one subset per port set served by the same addresses",
      input: [
        { addresses: [b], ports: [p80] },
        { addresses: [a], ports: [p80] },
        { addresses: [a], ports: [p443] },
        { addresses: [b], ports: [p443] },
      ],
      want: [{ addresses: [a, b], ports: [p80, p443] }],
    },
    {
      name: "ports served by different addresses stay apart",
      input: [
        { addresses: [a], ports: [p80, p443] },
        { addresses: [b], ports: [p80] },
      ],
      want: [
        { addresses: [a, b], ports: [p80] },
        { addresses: [a], ports: [p443] },
      ],
    },
    {
      name: "an address not ready in one input subset is not ready for that port",
      input: [
        { addresses: [a], ports: [p80] },
        { notReadyAddresses: [a], ports: [p80] },
        { addresses: [a], ports: [p80] },
      ],
      want: [{ notReadyAddresses: [a], ports: [p80] }],
    },
    {
      name: "readiness is per port",
      input: [
        { addresses: [a], ports: [p80] },
        { notReadyAddresses: [a], ports: [p443] },
      ],
      want: [
        { addresses: [a], ports: [p80] },
        { notReadyAddresses: [a], ports: [p443] },
      ],
    },
    {
      name: "addresses without ports are kept",
      input: [{ addresses: [b] }, { addresses: [a] }],
      want: [{ addresses: [a, b] }],
    },
    {
      name: "the same IP of two pods is two addresses",
      input: [
        { addresses: [a], ports: [p80] },
        { addresses: [{ ...b, ip: a.ip }], ports: [p80] },
      ],
      want: [{ addresses: [a, { ...b, ip: a.ip }], ports: [p80] }],
    },
    { name: "nothing stays nothing", input: [], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(repackSubsets(c.input), c.want));
  }

  it("gives the same result for any input order", () => {
    const input: EndpointSubset[] = [
      { addresses: [a], ports: [p80] },
      { notReadyAddresses: [b], ports: [p443] },
      { addresses: [b], ports: [p80] },
    ];
    const want = repackSubsets(input);
    assert.deepEqual(repackSubsets([...input].reverse()), want);
  });
});

describe("truncateSubsets()", () => {
  const many = (prefix: string, n: number): EndpointAddress[] =>
    Array.from({ length: n }, (_, i) => ({ ip: `10.${prefix}.0.${i}` }));
  const counts = (subsets: EndpointSubset[]): [number, number][] =>
    subsets.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]);

  const cases: {
    name: string;
    input: EndpointSubset[];
    capacity: number;
    want: [number, number][];
    truncated: boolean;
  }[] = [
    {
      name: "subsets within capacity are kept as they are",
      input: [{ addresses: many("1", 5), notReadyAddresses: many("2", 5) }],
      capacity: 10,
      want: [[5, 5]],
      truncated: false,
    },
    {
      name: "when the ready addresses fit, not-ready ones are cut in proportion, rounded up",
      input: [
        { addresses: many("1", 4), notReadyAddresses: many("2", 4) },
        { addresses: many("3", 2), notReadyAddresses: many("4", 2) },
      ],
      capacity: 10,
      want: [
        [4, 3],
        [2, 1],
      ],
      truncated: true,
    },
    {
      name: "when the ready addresses do not fit, not-ready ones all go and ready ones are cut",
      input: [
        { addresses: many("1", 6), notReadyAddresses: many("2", 3) },
        { addresses: many("3", 4) },
        { notReadyAddresses: many("4", 2) },
      ],
      capacity: 5,
      want: [
        [3, 0],
        [2, 0],
      ],
      truncated: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = truncateSubsets(c.input, c.capacity);
      assert.equal(result.truncated, c.truncated);
      assert.deepEqual(counts(result.subsets), c.want);
    });
  }

  it("keeps the first addresses of each subset", () => {
    const ready = many("1", 3);
    const { subsets } = truncateSubsets([{ addresses: ready }], 2);
    assert.deepEqual(subsets[0]?.addresses, ready.slice(0, 2));
  });
});
