import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import {
  defaultEndpointSlice,
  endpointSlices,
  formatSliceEndpoints,
  formatSlicePorts,
  type EndpointSlice,
} from "./endpoint-slice.js";

const now = new Date("2024-05-01T12:00:00Z");

function slice(mutate: (s: EndpointSlice) => void = () => {}): EndpointSlice {
  const s: EndpointSlice = {
    metadata: {
      name: "web-abc12",
      namespace: "default",
      labels: { "kubernetes.io/service-name": "web" },
      creationTimestamp: "2024-05-01T11:00:00Z",
    },
    addressType: "IPv4",
    endpoints: [
      { addresses: ["10.244.1.5"], conditions: { ready: true }, nodeName: "node-1", zone: "a" },
      { addresses: ["10.244.2.7"], conditions: { ready: false }, hostname: "web-1" },
    ],
    ports: [{ name: "http", port: 80 }],
  };
  mutate(s);
  defaultEndpointSlice(s);
  return s;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("endpointSlices.defaults", () => {
  it("gives ports an empty name and TCP", () => {
    const s = slice((x) => (x.ports = [{ port: 53, protocol: "UDP" }, { port: 80 }]));
    assert.deepEqual(s.ports, [
      { port: 53, protocol: "UDP", name: "" },
      { port: 80, name: "", protocol: "TCP" },
    ]);
  });
});

describe("endpointSlices.validate", () => {
  it("accepts a slice of pod endpoints", () => {
    assert.deepEqual(endpointSlices.validate?.(slice()), []);
  });

  const cases: [string, (s: EndpointSlice) => void, string[]][] = [
    ["a missing address type", (s) => delete s.addressType, ["FieldValueRequired addressType"]],
    [
      "an unknown address type",
      (s) => (s.addressType = "IPX"),
      ["FieldValueNotSupported addressType"],
    ],
    [
      "an endpoint without addresses",
      (s) => (s.endpoints![0]!.addresses = []),
      ["FieldValueRequired endpoints[0].addresses"],
    ],
    [
      "an IPv6 address in an IPv4 slice",
      (s) => (s.endpoints![0]!.addresses = ["fd00::1"]),
      ["FieldValueInvalid endpoints[0].addresses[0]"],
    ],
    [
      "a loopback address",
      (s) => (s.endpoints![1]!.addresses = ["127.0.0.1"]),
      ["FieldValueInvalid endpoints[1].addresses[0]"],
    ],
    [
      "a hostname that is no DNS label",
      (s) => (s.endpoints![1]!.hostname = "Web_1"),
      ["FieldValueInvalid endpoints[1].hostname"],
    ],
    [
      "an invalid zone",
      (s) => (s.endpoints![0]!.zone = "not a zone"),
      ["FieldValueInvalid endpoints[0].zone[topology.kubernetes.io/zone]"],
    ],
    [
      "duplicate port names",
      (s) =>
        (s.ports = [
          { name: "http", port: 80, protocol: "TCP" },
          { name: "http", port: 8080, protocol: "TCP" },
        ]),
      ["FieldValueDuplicate ports[1].name"],
    ],
    [
      "an unknown protocol",
      (s) => (s.ports = [{ name: "x", port: 1, protocol: "ICMP" }]),
      ["FieldValueNotSupported ports[0].protocol"],
    ],
    [
      "a port name that is no DNS label",
      (s) => (s.ports = [{ name: "HTTP", port: 80, protocol: "TCP" }]),
      ["FieldValueInvalid ports[0].name"],
    ],
    [
      "duplicate zone hints",
      (s) => (s.endpoints![0]!.hints = { forZones: [{ name: "a" }, { name: "a" }] }),
      ["FieldValueDuplicate endpoints[0].hints.forZones[1].name"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const s = slice();
      mutate(s);
      assert.deepEqual(summary(endpointSlices.validate?.(s)), want);
    });
  }

  it("checks FQDN addresses as domain names", () => {
    const fqdn = slice((s) => {
      s.addressType = "FQDN";
      s.endpoints = [{ addresses: ["db.example.com"] }, { addresses: ["localhost"] }];
    });
    assert.deepEqual(summary(endpointSlices.validate?.(fqdn)), [
      "FieldValueInvalid endpoints[1].addresses[0]",
    ]);
  });
});

describe("endpointSlices updates", () => {
  it("refuses a changed address type", () => {
    const old = slice();
    const next = slice((s) => {
      s.addressType = "IPv6";
      s.endpoints = [];
    });
    assert.deepEqual(summary(endpointSlices.validateUpdate?.(next, old)), [
      "FieldValueInvalid addressType",
    ]);
  });

  it("counts generations: 1 on create, one more for endpoint or label changes, none for annotations", () => {
    const old = slice();
    endpointSlices.prepareForCreate?.(old);
    assert.equal(old.metadata.generation, 1);

    const annotated = structuredClone(old);
    annotated.metadata.annotations = { a: "b" };
    endpointSlices.prepareForUpdate?.(annotated, old);
    assert.equal(annotated.metadata.generation, 1);

    const moved = structuredClone(old);
    moved.endpoints![0]!.conditions = { ready: false };
    endpointSlices.prepareForUpdate?.(moved, old);
    assert.equal(moved.metadata.generation, 2);

    const relabelled = structuredClone(old);
    relabelled.metadata.labels = { other: "x" };
    endpointSlices.prepareForUpdate?.(relabelled, old);
    assert.equal(relabelled.metadata.generation, 2);
  });
});

describe("endpointSlices columns", () => {
  it("shows ADDRESSTYPE PORTS ENDPOINTS AGE", () => {
    const columns = endpointSlices.columns as TableColumn<EndpointSlice>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.cell(slice(), now)]),
      [
        ["AddressType", "IPv4"],
        ["Ports", "80"],
        ["Endpoints", "10.244.1.5,10.244.2.7"],
        ["Age", "60m"],
      ],
    );
  });

  it("abbreviates long lists and marks empty ones", () => {
    assert.equal(
      formatSliceEndpoints([
        { addresses: ["1.1.1.1", "2.2.2.2"] },
        { addresses: ["3.3.3.3", "4.4.4.4", "5.5.5.5"] },
      ]),
      "1.1.1.1,2.2.2.2,3.3.3.3 + 2 more...",
    );
    assert.equal(formatSliceEndpoints([]), "<unset>");
    assert.equal(formatSlicePorts([{ name: "dns" }, {}]), "dns,*");
    assert.equal(formatSlicePorts(undefined), "<unset>");
  });
});
