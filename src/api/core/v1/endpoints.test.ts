import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { endpoints, formatEndpoints, type EndpointSubset, type Endpoints } from "./endpoints.js";
import { simulateCreate, summarize } from "./strategy-harness.js";

const def = endpoints as ResourceDefinition;

function ep(subsets?: EndpointSubset[]): Endpoints {
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "web", namespace: "default" },
    ...(subsets ? { subsets } : {}),
  };
}

const addr = (ip: string) => ({ ip });

describe("Endpoints defaults and validation", () => {
  it("defaults port protocols to TCP", () => {
    const { obj, errors } = simulateCreate(
      def,
      ep([{ addresses: [addr("10.244.1.5")], ports: [{ port: 8080 }] }]),
    );
    assert.deepEqual(errors, []);
    assert.equal((obj as Endpoints).subsets?.[0]?.ports?.[0]?.protocol, "TCP");
  });

  const cases: { name: string; subsets: EndpointSubset[]; want: string[] }[] = [
    {
      name: "a subset without addresses",
      subsets: [{ ports: [{ port: 80 }] }],
      want: ["FieldValueRequired subsets[0]"],
    },
    {
      name: "only not-ready addresses",
      subsets: [{ notReadyAddresses: [addr("10.0.0.1")] }],
      want: [],
    },
    { name: "an IPv6 address", subsets: [{ addresses: [addr("fd00::5")] }], want: [] },
    {
      name: "a malformed IP",
      subsets: [{ addresses: [addr("10.0.0")] }],
      want: ["FieldValueInvalid subsets[0].addresses[0].ip"],
    },
    {
      name: "a loopback IP",
      subsets: [{ notReadyAddresses: [addr("127.0.0.1")] }],
      want: ["FieldValueInvalid subsets[0].notReadyAddresses[0].ip"],
    },
    {
      name: "a link-local IP",
      subsets: [{ addresses: [addr("169.254.1.1")] }],
      want: ["FieldValueInvalid subsets[0].addresses[0].ip"],
    },
    {
      name: "a bad hostname",
      subsets: [{ addresses: [{ ip: "10.0.0.1", hostname: "web.0" }] }],
      want: ["FieldValueInvalid subsets[0].addresses[0].hostname"],
    },
    {
      name: "several unnamed ports",
      subsets: [
        { addresses: [addr("10.0.0.1")], ports: [{ port: 80 }, { name: "https", port: 443 }] },
      ],
      want: ["FieldValueRequired subsets[0].ports[0].name"],
    },
    {
      name: "a port out of range and an unknown protocol",
      subsets: [{ addresses: [addr("10.0.0.1")], ports: [{ port: 70000, protocol: "ICMP" }] }],
      want: [
        "FieldValueInvalid subsets[0].ports[0].port",
        "FieldValueNotSupported subsets[0].ports[0].protocol",
      ],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, ep(c.subsets)).errors), c.want);
    });
  }

  it("may be created by an update, as the endpoints controller does", () => {
    assert.equal(def.allowCreateOnUpdate, true);
  });
});

describe("Endpoints ENDPOINTS column", () => {
  const cases: { name: string; subsets?: EndpointSubset[]; want: string }[] = [
    { name: "no subsets", want: "<none>" },
    {
      name: "two addresses on one port",
      subsets: [{ addresses: [addr("10.0.0.1"), addr("10.0.0.2")], ports: [{ port: 80 }] }],
      want: "10.0.0.1:80,10.0.0.2:80",
    },
    {
      name: "five addresses",
      subsets: [
        {
          addresses: ["1", "2", "3", "4", "5"].map((n) => addr(`10.0.0.${n}`)),
          ports: [{ port: 80 }],
        },
      ],
      want: "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...",
    },
    {
      name: "two ports",
      subsets: [
        {
          addresses: [addr("10.0.0.1"), addr("10.0.0.2")],
          ports: [
            { name: "a", port: 80 },
            { name: "b", port: 443 },
          ],
        },
      ],
      want: "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...",
    },
    {
      name: "a headless service without ports",
      subsets: [{ addresses: [addr("10.0.0.1")] }],
      want: "10.0.0.1",
    },
    {
      name: "an IPv6 address",
      subsets: [{ addresses: [addr("fd00::1")], ports: [{ port: 53 }] }],
      want: "[fd00::1]:53",
    },
    {
      name: "only not-ready addresses",
      subsets: [{ notReadyAddresses: [addr("10.0.0.1")], ports: [{ port: 80 }] }],
      want: "",
    },
  ];
  for (const c of cases) {
    it(`prints ${c.name}`, () => {
      assert.equal(formatEndpoints(ep(c.subsets)), c.want);
    });
  }
});
