/**
 * Schemas and TypeScript shapes of Ingress (networking.k8s.io/v1): rules that route HTTP traffic by
 * host and path to services, TLS settings, and the load balancer status a controller reports.
 * Behaviour (validation, columns) lives in ingress-validation.ts and ingress.ts.
 */
import { embed } from "../../core/v1/embedded.js";
import { PROTOCOLS } from "../../core/v1/service-types.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineType, f, int32, list, ref, string } from "../../schema.js";

const NETWORKING = "io.k8s.api.networking.v1";

/** How an Ingress path is matched against the request's path. */
export const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"] as const;

/** A port of a service, by name or by number (exactly one of them). */
export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

/** A service that receives an Ingress's traffic. */
export interface IngressServiceBackend {
  name: string;
  port?: ServiceBackendPort;
}

/** A reference to an object of some kind in the Ingress's namespace. */
export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** Where matching traffic goes: a service or another resource, never both. */
export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

/** A path and the backend that serves it. */
export interface HTTPIngressPath {
  path?: string;
  pathType?: string;
  backend: IngressBackend;
}

/** The HTTP paths of one Ingress rule. */
export interface HTTPIngressRuleValue {
  paths: HTTPIngressPath[];
}

/** Routing for one host (or every host when it has none). */
export interface IngressRule {
  host?: string;
  http?: HTTPIngressRuleValue;
}

/** TLS settings for some hosts. */
export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

/** The desired routing of an Ingress. */
export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: IngressTLS[];
  rules?: IngressRule[];
}

/** The state of one port of an Ingress's load balancer. */
export interface IngressPortStatus {
  port: number;
  protocol: string;
  error?: string;
}

/** One entry point of an Ingress's load balancer. */
export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: IngressPortStatus[];
}

/** The observed state of an Ingress. */
export interface IngressStatus {
  loadBalancer?: { ingress?: IngressLoadBalancerIngress[] };
}

/** An Ingress as stored and served. */
export interface Ingress extends KubeObject {
  spec?: IngressSpec;
  status?: IngressStatus;
}

const ServiceBackendPortSchema = defineType({
  name: `${NETWORKING}.ServiceBackendPort`,
  description: "A port of a service, by name or by number.",
  mapType: "atomic",
  fields: {
    name: f(string(), 1, "Name of the service's port; mutually exclusive with number."),
    number: f(int32(), 2, "Number of the service's port; mutually exclusive with name."),
  },
});

const IngressServiceBackendSchema = defineType({
  name: `${NETWORKING}.IngressServiceBackend`,
  description: "A service, in the Ingress's namespace, that receives traffic.",
  fields: {
    name: f(string(), 1, "Name of the service.", { required: true }),
    port: f(ServiceBackendPortSchema, 2, "The service's port that receives the traffic."),
  },
});

const IngressBackendSchema = defineType({
  name: `${NETWORKING}.IngressBackend`,
  description: "Where traffic goes: a service or a resource, exactly one of them.",
  fields: {
    service: f(IngressServiceBackendSchema, 4, "A service that receives the traffic."),
    resource: f(
      ref("io.k8s.api.core.v1.TypedLocalObjectReference"),
      3,
      "An object in the Ingress's namespace that receives the traffic, such as a storage bucket.",
    ),
  },
});

const HTTPIngressPathSchema = defineType({
  name: `${NETWORKING}.HTTPIngressPath`,
  description: "A request path and the backend that serves it.",
  fields: {
    path: f(
      string(),
      1,
      "The path requests are matched against; must start with '/' for Exact and Prefix.",
    ),
    pathType: f(
      string({ enum: PATH_TYPES }),
      3,
      "Exact, Prefix (by path element) or ImplementationSpecific (up to the controller).",
      { pointer: true, required: true },
    ),
    backend: f(IngressBackendSchema, 2, "Where matching requests go.", { required: true }),
  },
});

const HTTPIngressRuleValueSchema = defineType({
  name: `${NETWORKING}.HTTPIngressRuleValue`,
  description: "The HTTP paths of a rule.",
  fields: {
    paths: f(list(HTTPIngressPathSchema), 1, "Paths and the backends that serve them.", {
      required: true,
    }),
  },
});

const IngressRuleSchema = defineType({
  name: `${NETWORKING}.IngressRule`,
  description: "Routing of the requests for one host, or for every host when none is given.",
  fields: {
    host: f(
      string(),
      1,
      "The host requests must name, a DNS name that may start with '*.' as a wildcard; any host when empty.",
    ),
    // Upstream embeds IngressRuleValue: flat in JSON, nested under field 2 in protobuf.
    ...embed(2, {
      http: f(HTTPIngressRuleValueSchema, 1, "HTTP paths of the rule."),
    }),
  },
});

const IngressTLSSchema = defineType({
  name: `${NETWORKING}.IngressTLS`,
  description: "TLS settings for some hosts.",
  fields: {
    hosts: f(
      list(string()),
      1,
      "Hosts the certificate covers; the controller's default hosts when empty.",
    ),
    secretName: f(string(), 2, "Name of the Secret holding the certificate and key."),
  },
});

const IngressSpecSchema = defineType({
  name: `${NETWORKING}.IngressSpec`,
  description: "The desired routing of an Ingress.",
  fields: {
    ingressClassName: f(
      string(),
      4,
      "Name of the IngressClass whose controller serves this Ingress; the default class when unset.",
      { pointer: true },
    ),
    defaultBackend: f(IngressBackendSchema, 1, "Where requests that match no rule go."),
    tls: f(list(IngressTLSSchema), 2, "TLS settings, by host."),
    rules: f(list(IngressRuleSchema), 3, "Routing rules, by host and path."),
  },
});

const IngressPortStatusSchema = defineType({
  name: `${NETWORKING}.IngressPortStatus`,
  description: "The state of one port of a load balancer.",
  fields: {
    port: f(int32(), 1, "The port number.", { required: true }),
    protocol: f(string({ enum: PROTOCOLS }), 2, "The port's protocol: TCP, UDP or SCTP.", {
      required: true,
    }),
    error: f(string(), 3, "Why the port is not working, in CamelCase; empty when it works.", {
      pointer: true,
    }),
  },
});

const IngressLoadBalancerIngressSchema = defineType({
  name: `${NETWORKING}.IngressLoadBalancerIngress`,
  description: "One entry point of a load balancer.",
  fields: {
    ip: f(string(), 1, "IP address of the entry point."),
    hostname: f(string(), 2, "DNS name of the entry point."),
    ports: f(list(IngressPortStatusSchema), 4, "State of the entry point's ports."),
  },
});

const IngressLoadBalancerStatusSchema = defineType({
  name: `${NETWORKING}.IngressLoadBalancerStatus`,
  description: "The state of an Ingress's load balancer.",
  fields: {
    ingress: f(list(IngressLoadBalancerIngressSchema), 1, "Entry points of the load balancer."),
  },
});

const IngressStatusSchema = defineType({
  name: `${NETWORKING}.IngressStatus`,
  description: "The observed state of an Ingress.",
  fields: {
    loadBalancer: f(IngressLoadBalancerStatusSchema, 1, "State of the Ingress's load balancer."),
  },
});

defineType({
  name: `${NETWORKING}.Ingress`,
  description: "Rules that route HTTP and HTTPS traffic from outside the cluster to services.",
  gvk: { group: "networking.k8s.io", version: "v1", kind: "Ingress" },
  fields: {
    ...objectFields(),
    spec: f(IngressSpecSchema, 2, "The desired routing of the Ingress."),
    status: f(IngressStatusSchema, 3, "The most recently observed state of the Ingress."),
  },
});
