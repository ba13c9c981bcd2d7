import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServicePort } from "../../api/core/v1/service.js";
import { pod, service } from "./fixtures.js";
import {
  endpointsFamily,
  findPort,
  hasSelector,
  hostnameFor,
  podEndpointChanged,
  selectsPod,
  sliceAddressTypes,
} from "./pod-endpoint.js";

describe("findPort()", () => {
  const withPorts = pod("a", 1, {
    ports: [
      { name: "http", containerPort: 8080 },
      { name: "dns", containerPort: 5353, protocol: "UDP" },
    ],
  });
  withPorts.spec!.initContainers = [
    {
      name: "side",
      image: "x",
      restartPolicy: "Always",
      ports: [{ name: "proxy", containerPort: 15001 }],
    },
    { name: "init", image: "x", ports: [{ name: "setup", containerPort: 9999 }] },
  ];
  const cases: { name: string; port: ServicePort; want: number | undefined }[] = [
    { name: "a number is taken as is", port: { port: 80, targetPort: 9090 }, want: 9090 },
    { name: "no target port means the port", port: { port: 80 }, want: 80 },
    {
      name: "a name resolves to the container port",
      port: { port: 80, targetPort: "http" },
      want: 8080,
    },
    { name: "the protocol must match", port: { port: 53, targetPort: "dns" }, want: undefined },
    {
      name: "a UDP name resolves for a UDP port",
      port: { port: 53, targetPort: "dns", protocol: "UDP" },
      want: 5353,
    },
    {
      name: "sidecar containers' ports count",
      port: { port: 1, targetPort: "proxy" },
      want: 15001,
    },
    {
      name: "plain init containers' ports do not",
      port: { port: 1, targetPort: "setup" },
      want: undefined,
    },
    {
      name: "an unknown name resolves to nothing",
      port: { port: 1, targetPort: "nope" },
      want: undefined,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(findPort(withPorts, c.port), c.want));
});

describe("selectors, hostnames and families", () => {
  it("an absent or empty selector selects nothing", () => {
    assert.equal(hasSelector(service({ selector: null })), false);
    assert.equal(hasSelector(service({ selector: {} })), false);
    assert.equal(selectsPod(service({ selector: {} }), pod("a", 1)), false);
  });

  it("a selector needs every pair, in the service's namespace", () => {
    const svc = service({ selector: { app: "web", tier: "front" } });
    assert.equal(
      selectsPod(svc, pod("a", 1, { labels: { app: "web", tier: "front", x: "y" } })),
      true,
    );
    assert.equal(selectsPod(svc, pod("a", 1, { labels: { app: "web" } })), false);
    assert.equal(
      selectsPod(svc, pod("a", 1, { labels: { app: "web", tier: "front" }, namespace: "other" })),
      false,
    );
  });

  it("publishes a hostname only with the service as subdomain", () => {
    assert.equal(hostnameFor(pod("a", 1, { hostname: "h", subdomain: "web" }), service()), "h");
    assert.equal(
      hostnameFor(pod("a", 1, { hostname: "h", subdomain: "db" }), service()),
      undefined,
    );
    assert.equal(hostnameFor(pod("a", 1, { subdomain: "web" }), service()), undefined);
  });

  it("slices follow ipFamilies, else the cluster IP, else both for headless services", () => {
    assert.deepEqual(sliceAddressTypes(service({ ipFamilies: ["IPv6", "IPv4"] })), [
      "IPv6",
      "IPv4",
    ]);
    assert.deepEqual(sliceAddressTypes(service({ ipFamilies: null, clusterIP: "fd00::1" })), [
      "IPv6",
    ]);
    assert.deepEqual(sliceAddressTypes(service({ ipFamilies: null, clusterIP: "None" })), [
      "IPv4",
      "IPv6",
    ]);
  });

  it("Endpoints use the primary family, or for old headless services the pod's", () => {
    assert.equal(endpointsFamily(service({ ipFamilies: ["IPv6", "IPv4"] }), pod("a", 1)), "IPv6");
    const headless = service({ ipFamilies: null, clusterIP: "None" });
    assert.equal(endpointsFamily(headless, pod("a", 1, { ip: "fd00::1" })), "IPv6");
  });
});

describe("podEndpointChanged()", () => {
  const base = pod("a", 1);
  base.metadata.resourceVersion = "1";
  const next = (change: (p: typeof base) => void): typeof base => {
    const p = structuredClone(base);
    p.metadata.resourceVersion = "2";
    change(p);
    return p;
  };
  it("sees readiness, address, label and deletion changes", () => {
    assert.equal(
      podEndpointChanged(
        base,
        next((p) => (p.status!.conditions![0]!.status = "False")),
      ),
      true,
    );
    assert.equal(
      podEndpointChanged(
        base,
        next((p) => (p.status!.podIP = "10.0.0.9")),
      ),
      true,
    );
    assert.equal(
      podEndpointChanged(
        base,
        next((p) => (p.metadata.labels = { app: "db" })),
      ),
      true,
    );
    assert.equal(
      podEndpointChanged(
        base,
        next((p) => (p.metadata.deletionTimestamp = "x")),
      ),
      true,
    );
  });
  it("ignores status noise and resyncs", () => {
    assert.equal(
      podEndpointChanged(
        base,
        next((p) => (p.metadata.annotations = { a: "b" })),
      ),
      false,
    );
    assert.equal(podEndpointChanged(base, structuredClone(base)), false);
  });
});
