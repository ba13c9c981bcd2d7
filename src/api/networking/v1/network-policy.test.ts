import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { cells, simulateCreate, summarize } from "../../core/v1/strategy-harness.js";
import type { ResourceDefinition } from "../../resource.js";
import {
  networkPolicies,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type NetworkPolicySpec,
} from "./network-policy.js";

const def = networkPolicies as ResourceDefinition;
const now = new Date("2024-05-01T12:00:00Z");

function policy(spec: NetworkPolicySpec): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "db", namespace: "default", creationTimestamp: "2024-05-01T11:59:00Z" },
    spec,
  };
}

function created(spec: NetworkPolicySpec): NetworkPolicySpec {
  return (simulateCreate(def, policy(spec)).obj as NetworkPolicy).spec ?? {};
}

describe("networkPolicies.defaults", () => {
  it("restricts Ingress alone without egress rules, and both with them", () => {
    assert.deepEqual(created({}).policyTypes, ["Ingress"]);
    assert.deepEqual(created({ egress: [{}] }).policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(created({ egress: [{}], policyTypes: ["Egress"] }).policyTypes, ["Egress"]);
  });

  it("gives ports without protocol TCP and keeps the others", () => {
    const spec = created({
      ingress: [{ ports: [{ port: 5432 }, { port: 53, protocol: "UDP" }] }],
      egress: [{ ports: [{}] }],
    });
    assert.deepEqual(spec.ingress?.[0]?.ports, [
      { port: 5432, protocol: "TCP" },
      { port: 53, protocol: "UDP" },
    ]);
    assert.deepEqual(spec.egress?.[0]?.ports, [{ protocol: "TCP" }]);
  });
});

describe("networkPolicies.validate", () => {
  const from = (peer: NetworkPolicyPeer): NetworkPolicySpec => ({ ingress: [{ from: [peer] }] });
  const port = (p: NetworkPolicyPort): NetworkPolicySpec => ({ egress: [{ ports: [p] }] });
  const cases: [string, NetworkPolicySpec, string[]][] = [
    ["a default-deny policy", { podSelector: {} }, []],
    [
      "a pod selector with a bad label value",
      { podSelector: { matchLabels: { app: "a b" } } },
      ["FieldValueInvalid spec.podSelector.matchLabels[app]"],
    ],
    [
      "pods of labelled namespaces",
      from({ podSelector: {}, namespaceSelector: { matchLabels: { team: "a" } } }),
      [],
    ],
    ["a peer with nothing", from({}), ["FieldValueRequired spec.ingress[0].from[0]"]],
    [
      "an IP block with a selector",
      from({ podSelector: {}, ipBlock: { cidr: "10.0.0.0/8" } }),
      ["FieldValueForbidden spec.ingress[0].from[0]"],
    ],
    [
      "an IP block with a strict subset",
      from({ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }),
      [],
    ],
    [
      "an IP block without cidr",
      from({ ipBlock: { cidr: "" } }),
      ["FieldValueRequired spec.ingress[0].from[0].ipBlock.cidr"],
    ],
    [
      "an IP block with a bad cidr",
      from({ ipBlock: { cidr: "10.0.0.0/33", except: ["nonsense"] } }),
      ["FieldValueInvalid spec.ingress[0].from[0].ipBlock.cidr"],
    ],
    [
      "excepts that are no strict subsets",
      from({
        ipBlock: {
          cidr: "10.0.0.0/16",
          except: ["10.0.0.0/16", "10.1.0.0/24", "10.0.0.0/8", "2001:db8::/64", "10.0.1.0/24", "x"],
        },
      }),
      [
        "FieldValueInvalid spec.ingress[0].from[0].ipBlock.except[0]",
        "FieldValueInvalid spec.ingress[0].from[0].ipBlock.except[1]",
        "FieldValueInvalid spec.ingress[0].from[0].ipBlock.except[2]",
        "FieldValueInvalid spec.ingress[0].from[0].ipBlock.except[3]",
        "FieldValueInvalid spec.ingress[0].from[0].ipBlock.except[5]",
      ],
    ],
    [
      "an IPv6 block",
      from({ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] } }),
      [],
    ],
    ["a port range", port({ port: 32000, endPort: 32768 }), []],
    ["a named port", port({ port: "dns" }), []],
    [
      "a range that ends before it starts",
      port({ port: 100, endPort: 99 }),
      ["FieldValueInvalid spec.egress[0].ports[0].endPort"],
    ],
    [
      "an endPort past 65535",
      port({ port: 100, endPort: 70000 }),
      ["FieldValueInvalid spec.egress[0].ports[0].endPort"],
    ],
    [
      "an endPort with a named port",
      port({ port: "dns", endPort: 60 }),
      ["FieldValueInvalid spec.egress[0].ports[0].endPort"],
    ],
    [
      "an endPort without port",
      port({ endPort: 60 }),
      ["FieldValueInvalid spec.egress[0].ports[0].endPort"],
    ],
    ["port 0", port({ port: 0 }), ["FieldValueInvalid spec.egress[0].ports[0].port"]],
    ["a bad port name", port({ port: "dns_" }), ["FieldValueInvalid spec.egress[0].ports[0].port"]],
    [
      "an unknown protocol",
      port({ port: 80, protocol: "ICMP" }),
      ["FieldValueNotSupported spec.egress[0].ports[0].protocol"],
    ],
    [
      "an unknown policy type",
      { policyTypes: ["Ingress", "Sideways"] },
      ["FieldValueNotSupported spec.policyTypes[1]"],
    ],
    [
      "three policy types",
      { policyTypes: ["Ingress", "Egress", "Ingress"] },
      ["FieldValueInvalid spec.policyTypes"],
    ],
  ];
  for (const [what, spec, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, policy(spec)).errors), want);
    });
  }
});

describe("networkPolicies definition", () => {
  it("is short-named netpol and shows POD-SELECTOR AGE", () => {
    assert.deepEqual(def.shortNames, ["netpol"]);
    assert.deepEqual(cells(def, policy({ podSelector: { matchLabels: { app: "db" } } }), now), {
      "Pod-Selector": "app=db",
      Age: "60s",
    });
    assert.equal(cells(def, policy({ podSelector: {} }), now)["Pod-Selector"], "<none>");
  });
});
