/**
 * Schemas and TypeScript shapes of Service (core/v1): spec, ports, status and load-balancer status.
 * Behaviour (defaults, validation, columns) lives in service.ts and service-validation.ts.
 */
import type { KubeObject } from "../../meta/types.js";
import { Condition, objectFields } from "../../meta/v1.js";
import {
  boolean,
  defineType,
  f,
  int32,
  intOrString,
  keyedList,
  list,
  stringMap,
  string,
} from "../../schema.js";

const CORE = "io.k8s.api.core.v1";

/** The four kinds of service. */
export const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] as const;
/** Transport protocols of ports. */
export const PROTOCOLS = ["SCTP", "TCP", "UDP"] as const;
/** The cluster IP of a headless service. */
export const CLUSTER_IP_NONE = "None";

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  externalIPs?: string[];
  sessionAffinity?: string;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  externalName?: string;
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  publishNotReadyAddresses?: boolean;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
  internalTrafficPolicy?: string;
  trafficDistribution?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: LoadBalancerIngress[] };
  conditions?: Record<string, unknown>[];
}

/** A Service as stored and served. */
export interface Service extends KubeObject {
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

const ServicePort = defineType({
  name: `${CORE}.ServicePort`,
  description: "One port a service exposes and where it sends the traffic.",
  fields: {
    name: f(
      string(),
      1,
      "Name of the port, unique within the service; required with several ports.",
    ),
    protocol: f(string({ enum: PROTOCOLS }), 2, "TCP, UDP or SCTP; TCP when unset."),
    appProtocol: f(
      string(),
      6,
      "Application protocol spoken on the port, such as http or kubernetes.io/h2c.",
      { pointer: true },
    ),
    port: f(int32(), 3, "The port the service listens on.", { required: true }),
    targetPort: f(
      intOrString(),
      4,
      "Port number or named container port that receives the traffic; the same as port when unset.",
    ),
    nodePort: f(
      int32(),
      5,
      "Port on every node for NodePort and LoadBalancer services; allocated when unset.",
    ),
  },
});

const ClientIPConfig = defineType({
  name: `${CORE}.ClientIPConfig`,
  description: "Settings of client-IP session affinity.",
  fields: {
    timeoutSeconds: f(
      int32(),
      1,
      "How long a client stays with one endpoint, 1 to 86400 seconds.",
      { pointer: true },
    ),
  },
});

const SessionAffinityConfig = defineType({
  name: `${CORE}.SessionAffinityConfig`,
  description: "Settings of session affinity.",
  fields: {
    clientIP: f(ClientIPConfig, 1, "Settings of client-IP affinity."),
  },
});

const ServiceSpec = defineType({
  name: `${CORE}.ServiceSpec`,
  description: "How a service is exposed and which pods serve it.",
  fields: {
    ports: f(
      keyedList(ServicePort, ["port", "protocol"], { mergeKey: "port" }),
      1,
      "Ports the service exposes.",
    ),
    selector: f(
      stringMap(),
      2,
      "Labels of the pods that serve the service; none means endpoints are managed by hand.",
    ),
    clusterIP: f(
      string(),
      3,
      "The virtual IP of the service, None for a headless service; allocated when unset.",
    ),
    clusterIPs: f(
      list(string()),
      18,
      "The virtual IPs of the service, one per IP family; the first is clusterIP.",
    ),
    type: f(
      string({ enum: SERVICE_TYPES }),
      4,
      "ClusterIP, NodePort, LoadBalancer or ExternalName; ClusterIP when unset.",
    ),
    externalIPs: f(list(string()), 5, "Further IPs on which nodes accept traffic for the service."),
    sessionAffinity: f(
      string({ enum: ["ClientIP", "None"] }),
      7,
      "ClientIP keeps a client on one endpoint; None when unset.",
    ),
    loadBalancerIP: f(string(), 8, "Deprecated: the IP a load balancer should use."),
    loadBalancerSourceRanges: f(list(string()), 9, "Client CIDRs a load balancer admits."),
    externalName: f(string(), 10, "The DNS name an ExternalName service is an alias of."),
    externalTrafficPolicy: f(
      string({ enum: ["Cluster", "Local"] }),
      11,
      "Whether external traffic may go to endpoints on other nodes (Cluster) or only local ones (Local).",
    ),
    healthCheckNodePort: f(
      int32(),
      12,
      "Node port of the health check of a LoadBalancer service with Local policy.",
    ),
    publishNotReadyAddresses: f(
      boolean(),
      13,
      "If true, endpoints include pods that are not ready.",
    ),
    sessionAffinityConfig: f(SessionAffinityConfig, 14, "Settings of session affinity."),
    ipFamilies: f(
      list(string({ enum: ["IPv4", "IPv6"] })),
      19,
      "IP families of the service, in order of clusterIPs.",
    ),
    ipFamilyPolicy: f(
      string({ enum: ["PreferDualStack", "RequireDualStack", "SingleStack"] }),
      17,
      "How many IP families the service gets; SingleStack when unset.",
      { pointer: true },
    ),
    allocateLoadBalancerNodePorts: f(
      boolean(),
      20,
      "Whether a LoadBalancer service gets node ports; true when unset.",
      { pointer: true },
    ),
    loadBalancerClass: f(
      string(),
      21,
      "The load balancer implementation for a LoadBalancer service.",
      { pointer: true },
    ),
    internalTrafficPolicy: f(
      string({ enum: ["Cluster", "Local"] }),
      22,
      "Whether traffic from inside the cluster may go to endpoints on other nodes (Cluster) or only local ones.",
      { pointer: true },
    ),
    trafficDistribution: f(
      string(),
      23,
      "A preference for how traffic is spread across endpoints, such as PreferClose.",
      { pointer: true },
    ),
  },
});

const PortStatus = defineType({
  name: `${CORE}.PortStatus`,
  description: "The state of one load balancer port.",
  fields: {
    port: f(int32(), 1, "The port number.", { required: true }),
    protocol: f(string({ enum: PROTOCOLS }), 2, "The port's protocol.", { required: true }),
    error: f(string(), 3, "Why the port is not working, in CamelCase; empty when it works.", {
      pointer: true,
    }),
  },
});

const LoadBalancerIngress = defineType({
  name: `${CORE}.LoadBalancerIngress`,
  description: "One entry point of a load balancer.",
  fields: {
    ip: f(string(), 1, "IP address of the entry point."),
    hostname: f(string(), 2, "DNS name of the entry point."),
    ipMode: f(
      string({ enum: ["Proxy", "VIP"] }),
      3,
      "How traffic to the IP reaches the service: VIP or Proxy.",
      { pointer: true },
    ),
    ports: f(list(PortStatus), 4, "State of the load balancer's ports."),
  },
});

const LoadBalancerStatus = defineType({
  name: `${CORE}.LoadBalancerStatus`,
  description: "The state of a load balancer.",
  fields: {
    ingress: f(list(LoadBalancerIngress), 1, "Entry points of the load balancer."),
  },
});

const ServiceStatus = defineType({
  name: `${CORE}.ServiceStatus`,
  description: "The observed state of a service.",
  fields: {
    loadBalancer: f(LoadBalancerStatus, 1, "State of the service's load balancer, if any."),
    conditions: f(
      keyedList(Condition, ["type"], { mergeKey: "type" }),
      2,
      "Observed conditions of the service.",
    ),
  },
});

defineType({
  name: `${CORE}.Service`,
  description: "A stable name and virtual IP in front of a set of pods.",
  gvk: { group: "", version: "v1", kind: "Service" },
  fields: {
    ...objectFields(),
    spec: f(ServiceSpec, 2, "How the service is exposed and which pods serve it."),
    status: f(ServiceStatus, 3, "The observed state of the service."),
  },
});
