import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import {
  formatServicePorts,
  serviceClusterIPs,
  services,
  type Service,
  type ServiceSpec,
} from "./service.js";
import {
  cells,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  summarize,
} from "./strategy-harness.js";

const def = services as ResourceDefinition;

function svc(spec: ServiceSpec, name = "web"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec,
  };
}

const http = { port: 80 };

describe("Service defaults", () => {
  const cases: { name: string; spec: ServiceSpec; want: Partial<ServiceSpec> }[] = [
    {
      name: "a plain service",
      spec: { ports: [http], selector: { app: "web" } },
      want: {
        type: "ClusterIP",
        sessionAffinity: "None",
        ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
        internalTrafficPolicy: "Cluster",
        ipFamilyPolicy: "SingleStack",
      },
    },
    {
      name: "a NodePort service",
      spec: { type: "NodePort", ports: [{ port: 80, targetPort: "http" }] },
      want: {
        externalTrafficPolicy: "Cluster",
        ports: [{ port: 80, protocol: "TCP", targetPort: "http" }],
      },
    },
    {
      name: "a LoadBalancer service",
      spec: { type: "LoadBalancer", ports: [http] },
      want: { externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true },
    },
    {
      name: "a ClusterIP service with external IPs",
      spec: { ports: [http], externalIPs: ["192.0.2.10"] },
      want: { externalTrafficPolicy: "Cluster" },
    },
    {
      name: "client IP affinity",
      spec: { ports: [http], sessionAffinity: "ClientIP" },
      want: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } },
    },
    {
      name: "an old client sending clusterIP only",
      spec: { ports: [http], clusterIP: "10.96.0.10" },
      want: { clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"] },
    },
    {
      name: "a headless service without selector",
      spec: { clusterIP: "None" },
      want: { clusterIPs: ["None"], ipFamilyPolicy: "RequireDualStack" },
    },
    {
      name: "a headless service with selector",
      spec: { clusterIP: "None", selector: { app: "db" } },
      want: { ipFamilyPolicy: "SingleStack" },
    },
  ];
  for (const c of cases) {
    it(`fills ${c.name}`, () => {
      const { obj, errors } = simulateCreate(def, svc(c.spec));
      assert.deepEqual(errors, []);
      const spec = (obj as Service).spec as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(spec[k], v, k);
    });
  }

  it("leaves ExternalName services without cluster fields or traffic policies", () => {
    const spec = (
      simulateCreate(def, svc({ type: "ExternalName", externalName: "db.example.com" }))
        .obj as Service
    ).spec;
    assert.equal(spec?.internalTrafficPolicy, undefined);
    assert.equal(spec?.ipFamilyPolicy, undefined);
    assert.equal(spec?.externalTrafficPolicy, undefined);
  });
});

describe("Service validation", () => {
  const cases: { name: string; input: Service; want: string[] }[] = [
    {
      name: "a name that is not a DNS-1035 label",
      input: svc({ ports: [http] }, "1web"),
      want: ["FieldValueInvalid metadata.name"],
    },
    {
      name: "no ports",
      input: svc({ selector: { app: "web" } }),
      want: ["FieldValueRequired spec.ports"],
    },
    { name: "a headless service without ports", input: svc({ clusterIP: "None" }), want: [] },
    {
      name: "an ExternalName service without a name",
      input: svc({ type: "ExternalName" }),
      want: ["FieldValueRequired spec.externalName"],
    },
    {
      name: "a fully qualified external name",
      input: svc({ type: "ExternalName", externalName: "db.example.com." }),
      want: [],
    },
    {
      name: "an ExternalName service with a cluster IP",
      input: svc({ type: "ExternalName", externalName: "db.example.com", clusterIP: "10.96.0.5" }),
      want: ["FieldValueForbidden spec.clusterIPs"],
    },
    {
      name: "several unnamed ports",
      input: svc({ ports: [{ port: 80 }, { port: 443 }] }),
      want: ["FieldValueRequired spec.ports[0].name", "FieldValueRequired spec.ports[1].name"],
    },
    {
      name: "duplicate port names",
      input: svc({
        ports: [
          { name: "web", port: 80 },
          { name: "web", port: 443 },
        ],
      }),
      want: ["FieldValueDuplicate spec.ports[1].name"],
    },
    {
      name: "the same port and protocol twice",
      input: svc({
        ports: [
          { name: "a", port: 80 },
          { name: "b", port: 80 },
        ],
      }),
      want: ["FieldValueDuplicate spec.ports[1]"],
    },
    {
      name: "the same port on two protocols",
      input: svc({
        ports: [
          { name: "a", port: 53 },
          { name: "b", port: 53, protocol: "UDP" },
        ],
      }),
      want: [],
    },
    {
      name: "port 0",
      input: svc({ ports: [{ port: 0, targetPort: 8080 }] }),
      want: ["FieldValueInvalid spec.ports[0].port"],
    },
    {
      name: "an unknown protocol",
      input: svc({ ports: [{ port: 80, protocol: "HTTP" }] }),
      want: ["FieldValueNotSupported spec.ports[0].protocol"],
    },
    {
      name: "a target port name with upper case",
      input: svc({ ports: [{ port: 80, targetPort: "Web" }] }),
      want: ["FieldValueInvalid spec.ports[0].targetPort"],
    },
    {
      name: "a target port out of range",
      input: svc({ ports: [{ port: 80, targetPort: 70000 }] }),
      want: ["FieldValueInvalid spec.ports[0].targetPort"],
    },
    {
      name: "a node port on a ClusterIP service",
      input: svc({ ports: [{ port: 80, nodePort: 30080 }] }),
      want: ["FieldValueForbidden spec.ports[0].nodePort"],
    },
    {
      name: "a node port out of the range",
      input: svc({ type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] }),
      want: ["FieldValueInvalid spec.ports[0].nodePort"],
    },
    {
      name: "one node port used twice",
      input: svc({
        type: "NodePort",
        ports: [
          { name: "a", port: 80, nodePort: 30080 },
          { name: "b", port: 81, nodePort: 30080 },
        ],
      }),
      want: ["FieldValueDuplicate spec.ports[1].nodePort"],
    },
    {
      name: "an unknown type",
      input: svc({ type: "Internal", ports: [http] }),
      want: ["FieldValueNotSupported spec.type"],
    },
    {
      name: "a selector value with a space",
      input: svc({ ports: [http], selector: { app: "my app" } }),
      want: ["FieldValueInvalid spec.selector[app]"],
    },
    {
      name: "a headless NodePort service",
      input: svc({ type: "NodePort", clusterIP: "None", ports: [http] }),
      want: ["FieldValueInvalid spec.clusterIPs[0]"],
    },
    {
      name: "a malformed cluster IP",
      input: svc({ clusterIP: "10.96.0.300", ports: [http] }),
      want: ["FieldValueInvalid spec.clusterIPs[0]"],
    },
    {
      name: "cluster IPs of one family",
      input: svc({ clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1", "10.96.0.2"], ports: [http] }),
      want: ["FieldValueInvalid spec.clusterIPs"],
    },
    {
      name: "clusterIPs that disagree with clusterIP",
      input: svc({ clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.2"], ports: [http] }),
      want: ["FieldValueInvalid spec.clusterIPs"],
    },
    {
      name: "an IPv6 address for an IPv4 family",
      input: svc({ clusterIP: "fd00::1", ipFamilies: ["IPv4"], ports: [http] }),
      want: ["FieldValueInvalid spec.clusterIPs[0]"],
    },
    {
      name: "a dual-stack pair",
      input: svc({
        clusterIP: "10.96.0.1",
        clusterIPs: ["10.96.0.1", "fd00::1"],
        ipFamilyPolicy: "PreferDualStack",
        ports: [http],
      }),
      want: [],
    },
    {
      name: "a loopback external IP",
      input: svc({ ports: [http], externalIPs: ["127.0.0.1"] }),
      want: ["FieldValueInvalid spec.externalIPs[0]"],
    },
    {
      name: "a client IP timeout of zero",
      input: svc({
        ports: [http],
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
      }),
      want: ["FieldValueInvalid spec.sessionAffinityConfig.clientIP.timeoutSeconds"],
    },
    {
      name: "an external traffic policy on an internal service",
      input: svc({ ports: [http], externalTrafficPolicy: "Local" }),
      want: ["FieldValueInvalid spec.externalTrafficPolicy"],
    },
    {
      name: "a Local LoadBalancer service before its health check port is allocated",
      input: svc({ type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [http] }),
      want: ["FieldValueRequired spec.healthCheckNodePort"],
    },
    {
      name: "source ranges on a ClusterIP service",
      input: svc({ ports: [http], loadBalancerSourceRanges: ["10.0.0.0/8"] }),
      want: ["FieldValueForbidden spec.LoadBalancerSourceRanges"],
    },
    {
      name: "a bad source range",
      input: svc({
        type: "LoadBalancer",
        ports: [http],
        loadBalancerSourceRanges: [" 10.0.0.0/8 ", "10.0.0.0"],
      }),
      want: ["FieldValueInvalid spec.LoadBalancerSourceRanges[1]"],
    },
    {
      name: "an unknown internal traffic policy",
      input: svc({ ports: [http], internalTrafficPolicy: "Node" }),
      want: ["FieldValueNotSupported spec.internalTrafficPolicy"],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, c.input).errors), c.want);
    });
  }
});

describe("Service update", () => {
  const stored = (spec: ServiceSpec) => simulateCreate(def, svc(spec)).obj as Service;

  it("refuses a new primary cluster IP", () => {
    const old = stored({ clusterIP: "10.96.0.10", ports: [http] });
    const { errors } = simulateUpdate(def, svc({ clusterIP: "10.96.0.11", ports: [http] }), old);
    assert.deepEqual(summarize(errors), ["FieldValueInvalid spec.clusterIPs[0]"]);
  });

  it("keeps allocated cluster IPs and node ports a replace leaves out", () => {
    const old = stored({
      type: "NodePort",
      clusterIP: "10.96.0.10",
      ports: [{ name: "web", port: 80, nodePort: 30080 }],
    });
    const { obj, errors } = simulateUpdate(
      def,
      svc({ type: "NodePort", ports: [{ name: "web", port: 80 }] }),
      old,
    );
    assert.deepEqual(errors, []);
    const spec = (obj as Service).spec;
    assert.deepEqual(serviceClusterIPs(obj as Service), ["10.96.0.10"]);
    assert.equal(spec?.clusterIP, "10.96.0.10");
    assert.equal(spec?.ports?.[0]?.nodePort, 30080);
  });

  it("drops cluster IPs when the service becomes ExternalName", () => {
    const old = stored({ clusterIP: "10.96.0.10", ports: [http] });
    const next = structuredClone(old);
    next.spec = { ...next.spec, type: "ExternalName", externalName: "db.example.com" };
    const { obj, errors } = simulateUpdate(def, next, old);
    assert.deepEqual(errors, []);
    const spec = (obj as Service).spec;
    assert.equal(spec?.clusterIP, undefined);
    assert.equal(spec?.clusterIPs, undefined);
    assert.equal(spec?.ipFamilyPolicy, undefined);
  });

  it("drops node ports when a NodePort service becomes ClusterIP", () => {
    const old = stored({
      type: "NodePort",
      clusterIP: "10.96.0.10",
      ports: [{ port: 80, nodePort: 30080 }],
    });
    const next = structuredClone(old);
    next.spec = { ...next.spec, type: "ClusterIP" };
    const { obj, errors } = simulateUpdate(def, next, old);
    assert.deepEqual(errors, []);
    assert.equal((obj as Service).spec?.ports?.[0]?.nodePort, undefined);
    assert.equal((obj as Service).spec?.externalTrafficPolicy, undefined);
  });

  it("checks load balancer entry points on status writes", () => {
    const old = stored({ type: "LoadBalancer", ports: [http] });
    const input = svc({});
    input.status = {
      loadBalancer: {
        ingress: [{ ip: "203.0.113.9" }, { hostname: "10.0.0.1" }, { ipMode: "VIP" }],
      },
    };
    assert.deepEqual(summarize(simulateStatusUpdate(def, input, old).errors), [
      "FieldValueInvalid status.loadBalancer.ingress[1].hostname",
      "FieldValueForbidden status.loadBalancer.ingress[2].ipMode",
    ]);
  });
});

describe("Service table", () => {
  const now = new Date("2024-01-01T01:00:00Z");
  const withLB = (
    ingress: { ip?: string; hostname?: string }[],
    externalIPs: string[] = [],
  ): Service => ({
    ...svc({
      type: "LoadBalancer",
      clusterIPs: ["10.96.0.20"],
      externalIPs,
      ports: [{ port: 443, protocol: "TCP", nodePort: 31443 }],
    }),
    status: { loadBalancer: { ingress } },
  });
  const cases: { name: string; input: Service; want: Record<string, unknown> }[] = [
    {
      name: "a DNS service",
      input: svc({
        type: "ClusterIP",
        clusterIPs: ["10.96.0.10"],
        selector: { "k8s-app": "kube-dns" },
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
        ],
      }),
      want: {
        Type: "ClusterIP",
        "Cluster-IP": "10.96.0.10",
        "External-IP": "<none>",
        "Port(s)": "53/UDP,53/TCP",
        Age: "60m",
        Selector: "k8s-app=kube-dns",
      },
    },
    {
      name: "a NodePort service",
      input: svc({
        type: "NodePort",
        clusterIPs: ["10.96.0.11"],
        ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }],
      }),
      want: {
        Type: "NodePort",
        "Cluster-IP": "10.96.0.11",
        "External-IP": "<none>",
        "Port(s)": "80:30080/TCP",
        Age: "60m",
        Selector: "<none>",
      },
    },
    {
      name: "a pending load balancer",
      input: withLB([]),
      want: {
        Type: "LoadBalancer",
        "Cluster-IP": "10.96.0.20",
        "External-IP": "<pending>",
        "Port(s)": "443:31443/TCP",
        Age: "60m",
        Selector: "<none>",
      },
    },
    {
      name: "a load balancer with external IPs",
      input: withLB([{ ip: "203.0.113.9" }], ["192.0.2.1"]),
      want: {
        Type: "LoadBalancer",
        "Cluster-IP": "10.96.0.20",
        "External-IP": "203.0.113.9,192.0.2.1",
        "Port(s)": "443:31443/TCP",
        Age: "60m",
        Selector: "<none>",
      },
    },
    {
      name: "a load balancer with a long hostname",
      input: withLB([{ hostname: "lb-1234567890.example.com" }]),
      want: {
        Type: "LoadBalancer",
        "Cluster-IP": "10.96.0.20",
        "External-IP": "lb-1234567890...",
        "Port(s)": "443:31443/TCP",
        Age: "60m",
        Selector: "<none>",
      },
    },
    {
      name: "an ExternalName service",
      input: svc({ type: "ExternalName", externalName: "db.example.com" }),
      want: {
        Type: "ExternalName",
        "Cluster-IP": "<none>",
        "External-IP": "db.example.com",
        "Port(s)": "<none>",
        Age: "60m",
        Selector: "<none>",
      },
    },
    {
      name: "a headless service",
      input: svc({
        type: "ClusterIP",
        clusterIP: "None",
        clusterIPs: ["None"],
        selector: { app: "db", tier: "data" },
      }),
      want: {
        Type: "ClusterIP",
        "Cluster-IP": "None",
        "External-IP": "<none>",
        "Port(s)": "<none>",
        Age: "60m",
        Selector: "app=db,tier=data",
      },
    },
  ];
  for (const c of cases) {
    it(`prints ${c.name}`, () => {
      assert.deepEqual(cells(def, c.input, now), c.want);
    });
  }

  it("formats ports without node ports as port/protocol", () => {
    assert.equal(formatServicePorts([{ port: 8080, protocol: "SCTP" }]), "8080/SCTP");
  });

  it("selects on spec.type and spec.clusterIP", () => {
    const s = svc({ type: "NodePort", clusterIP: "10.96.0.1" });
    assert.equal(def.fieldSelectors?.["spec.type"]?.(s), "NodePort");
    assert.equal(def.fieldSelectors?.["spec.clusterIP"]?.(s), "10.96.0.1");
  });
});
