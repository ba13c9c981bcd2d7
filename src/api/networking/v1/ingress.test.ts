import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  cells,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  summarize,
} from "../../core/v1/strategy-harness.js";
import type { ResourceDefinition } from "../../resource.js";
import { getType } from "../../schema.js";
import { formatIngressHosts, ingresses, type Ingress, type IngressSpec } from "./ingress.js";

const def = ingresses as ResourceDefinition;
const now = new Date("2024-05-01T12:00:00Z");

function ingress(spec: IngressSpec, annotations?: Record<string, string>): Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: "web",
      namespace: "default",
      creationTimestamp: "2024-05-01T10:00:00Z",
      ...(annotations ? { annotations } : {}),
    },
    spec,
  };
}

const svc = { service: { name: "web", port: { number: 80 } } };

function rule(host: string, path = "/", pathType = "Prefix"): NonNullable<IngressSpec["rules"]>[0] {
  return { host, http: { paths: [{ path, pathType, backend: svc }] } };
}

describe("ingresses.validate", () => {
  const cases: [string, IngressSpec, string[]][] = [
    ["a rule with a service backend", { rules: [rule("foo.com")] }, []],
    ["a default backend alone", { defaultBackend: svc }, []],
    ["neither rules nor default backend", {}, ["FieldValueInvalid spec"]],
    ["a wildcard host", { rules: [rule("*.foo.com")] }, []],
    [
      "a wildcard in the middle",
      { rules: [rule("foo.*.com")] },
      ["FieldValueInvalid spec.rules[0].host"],
    ],
    ["an IP as host", { rules: [rule("10.0.0.1")] }, ["FieldValueInvalid spec.rules[0].host"]],
    ["an upper-case host", { rules: [rule("Foo.com")] }, ["FieldValueInvalid spec.rules[0].host"]],
    ["no host and an http rule", { rules: [rule("")] }, []],
    [
      "an http rule without paths",
      { rules: [{ host: "foo.com", http: { paths: [] } }] },
      ["FieldValueRequired spec.rules[0].http.paths"],
    ],
    [
      "a path without pathType",
      { rules: [{ http: { paths: [{ path: "/", backend: svc }] } }] },
      ["FieldValueRequired spec.rules[0].http.paths[0].pathType"],
    ],
    [
      "an unknown pathType",
      { rules: [rule("foo.com", "/", "Regex")] },
      ["FieldValueNotSupported spec.rules[0].http.paths[0].pathType"],
    ],
    [
      "a relative Exact path",
      { rules: [rule("foo.com", "bar", "Exact")] },
      ["FieldValueInvalid spec.rules[0].http.paths[0].path"],
    ],
    [
      "a Prefix path with '//' and a '/..' ending",
      { rules: [rule("foo.com", "/a//b/..", "Prefix")] },
      [
        "FieldValueInvalid spec.rules[0].http.paths[0].path",
        "FieldValueInvalid spec.rules[0].http.paths[0].path",
      ],
    ],
    [
      "an empty ImplementationSpecific path",
      { rules: [rule("foo.com", "", "ImplementationSpecific")] },
      [],
    ],
    [
      "a relative ImplementationSpecific path",
      { rules: [rule("foo.com", "x", "ImplementationSpecific")] },
      ["FieldValueInvalid spec.rules[0].http.paths[0].path"],
    ],
    [
      "a backend with both service and resource",
      { defaultBackend: { ...svc, resource: { kind: "Bucket", name: "b" } } },
      ["FieldValueInvalid spec.defaultBackend"],
    ],
    ["a backend with neither", { defaultBackend: {} }, ["FieldValueInvalid spec.defaultBackend"]],
    [
      "a resource backend",
      { defaultBackend: { resource: { apiGroup: "k8s.example.com", kind: "Bucket", name: "b" } } },
      [],
    ],
    [
      "a resource backend with a slash in its name and no kind",
      { defaultBackend: { resource: { kind: "", name: "a/b" } } },
      [
        "FieldValueRequired spec.defaultBackend.resource.kind",
        "FieldValueInvalid spec.defaultBackend.resource.name",
      ],
    ],
    [
      "a service name that is no DNS-1035 label",
      { defaultBackend: { service: { name: "1web", port: { number: 80 } } } },
      ["FieldValueInvalid spec.defaultBackend.service.name"],
    ],
    [
      "a service without name",
      { defaultBackend: { service: { name: "", port: { name: "http" } } } },
      ["FieldValueRequired spec.defaultBackend.service.name"],
    ],
    [
      "both port name and number",
      { defaultBackend: { service: { name: "web", port: { name: "http", number: 80 } } } },
      ["FieldValueInvalid spec.defaultBackend"],
    ],
    [
      "no port",
      { defaultBackend: { service: { name: "web" } } },
      ["FieldValueRequired spec.defaultBackend"],
    ],
    [
      "a port number out of range",
      { defaultBackend: { service: { name: "web", port: { number: 70000 } } } },
      ["FieldValueInvalid spec.defaultBackend.service.port.number"],
    ],
    [
      "a port name with no letter",
      { defaultBackend: { service: { name: "web", port: { name: "80" } } } },
      ["FieldValueInvalid spec.defaultBackend.service.port.name"],
    ],
    [
      "TLS with wildcard and plain hosts",
      { defaultBackend: svc, tls: [{ hosts: ["*.foo.com", "bar.com"], secretName: "cert" }] },
      [],
    ],
    [
      "TLS with a bad host and secret name",
      { defaultBackend: svc, tls: [{ hosts: ["bar_com"], secretName: "Cert" }] },
      ["FieldValueInvalid spec.tls[0].hosts[0]", "FieldValueInvalid spec.tls[0].secretName"],
    ],
    [
      "a class name that is no DNS subdomain",
      { defaultBackend: svc, ingressClassName: "Nginx" },
      ["FieldValueInvalid spec.ingressClassName"],
    ],
  ];
  for (const [what, spec, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, ingress(spec)).errors), want);
    });
  }

  it("refuses a class annotation that disagrees with ingressClassName", () => {
    const spec = { defaultBackend: svc, ingressClassName: "nginx" };
    const errors = simulateCreate(
      def,
      ingress(spec, { "kubernetes.io/ingress.class": "traefik" }),
    ).errors;
    assert.deepEqual(summarize(errors), [
      "FieldValueInvalid annotations.kubernetes.io/ingress.class",
    ]);
    const agreeing = ingress(spec, { "kubernetes.io/ingress.class": "nginx" });
    assert.deepEqual(simulateCreate(def, agreeing).errors, []);
  });
});

describe("ingresses status", () => {
  it("drops a status sent on create and keeps the stored one on a spec update", () => {
    const withStatus = {
      ...ingress({ defaultBackend: svc }),
      status: { loadBalancer: { ingress: [{ ip: "10.0.0.9" }] } },
    };
    assert.equal(simulateCreate(def, withStatus).obj["status"], undefined);
    const old = withStatus;
    const updated = simulateUpdate(def, { ...ingress({ defaultBackend: svc }), status: {} }, old);
    assert.deepEqual(updated.obj["status"], old.status);
  });

  const cases: [string, object, string[]][] = [
    [
      "an IP and a host name",
      { ingress: [{ ip: "10.0.0.9" }, { hostname: "lb.example.com" }] },
      [],
    ],
    [
      "a bad IP",
      { ingress: [{ ip: "10.0.0.300" }] },
      ["FieldValueInvalid status.loadBalancer.ingress[0].ip"],
    ],
    [
      "an IP as host name",
      { ingress: [{ hostname: "10.0.0.9" }] },
      ["FieldValueInvalid status.loadBalancer.ingress[0].hostname"],
    ],
  ];
  for (const [what, loadBalancer, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} a status with ${what}`, () => {
      const old = ingress({ defaultBackend: svc });
      const input = { ...old, status: { loadBalancer } };
      assert.deepEqual(summarize(simulateStatusUpdate(def, input, old).errors), want);
    });
  }
});

describe("ingresses columns", () => {
  it("show CLASS HOSTS ADDRESS PORTS AGE as kubectl does", () => {
    const ing: Ingress = {
      ...ingress({
        ingressClassName: "nginx",
        rules: [rule("foo.com"), rule("bar.com")],
        tls: [{ hosts: ["foo.com"] }],
      }),
      status: {
        loadBalancer: {
          ingress: [{ ip: "192.168.100.101" }, { ip: "10.0.0.1" }, { hostname: "lb.example.com" }],
        },
      },
    };
    assert.deepEqual(cells(def, ing, now), {
      Class: "nginx",
      Hosts: "foo.com,bar.com",
      Address: "10.0.0.1,192....",
      Ports: "80, 443",
      Age: "120m",
    });
    assert.deepEqual(cells(def, ingress({ defaultBackend: svc }), now), {
      Class: "<none>",
      Hosts: "*",
      Address: "",
      Ports: "80",
      Age: "120m",
    });
  });

  it("summarise hosts past the third, counting every further rule", () => {
    const rules = ["a.com", "", "b.com", "c.com", "d.com", ""].map((h) => rule(h));
    assert.equal(formatIngressHosts(rules), "a.com,b.com,c.com + 3 more...");
    assert.equal(formatIngressHosts(rules.slice(0, 4)), "a.com,b.com,c.com");
  });
});

describe("ingresses definition", () => {
  it("is namespaced, short-named ing, in no category, with a status subresource", () => {
    assert.deepEqual(
      [def.namespaced, def.shortNames, def.categories, def.statusSubresource],
      [true, ["ing"], undefined, true],
    );
  });

  it("nests a rule's http under protobuf field 2, as upstream's embedded IngressRuleValue", () => {
    const http = getType("io.k8s.api.networking.v1.IngressRule").fields["http"];
    assert.deepEqual([http?.proto, (http as { embeddedIn?: number }).embeddedIn], [1, 2]);
    const pathType = getType("io.k8s.api.networking.v1.HTTPIngressPath").fields["pathType"];
    assert.deepEqual([pathType?.proto, pathType?.pointer], [3, true]);
  });
});
