/**
 * Service (core/v1): a stable virtual IP and DNS name in front of the pods its selector matches. This file
 * holds its defaults, its create and update preparation and its table columns; validation is in
 * service-validation.ts. Allocating cluster IPs and node ports is the API server's job: it must run after
 * prepareForCreate/prepareForUpdate and before validation, as upstream's service storage does.
 */
import { ageColumn, formatLabels } from "../../columns.js";
import { defineResource } from "../../resource.js";
import { checkDNS1035Label } from "../../validation.js";
import { sameValue } from "./same-value.js";
import {
  validateService,
  validateServiceStatus,
  validateServiceUpdate,
} from "./service-validation.js";
import {
  CLUSTER_IP_NONE,
  type Service,
  type ServicePort,
  type ServiceSpec,
} from "./service-types.js";

export * from "./service-types.js";

/** Seconds a client stays with one endpoint under ClientIP affinity when the service does not say. */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;

/** The service's cluster IPs: clusterIPs, or clusterIP alone for objects written by old clients. */
export function serviceClusterIPs(svc: Service): string[] {
  const spec = svc.spec ?? {};
  if (spec.clusterIPs?.length) return [...spec.clusterIPs];
  return spec.clusterIP ? [spec.clusterIP] : [];
}

/** True when the service has no virtual IP (clusterIP None): DNS answers with endpoint addresses. */
export function isHeadless(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === CLUSTER_IP_NONE;
}

/** True when nodes accept traffic for the service from outside the cluster. */
export function isExternallyAccessible(spec: ServiceSpec): boolean {
  return (
    spec.type === "LoadBalancer" ||
    spec.type === "NodePort" ||
    (spec.type === "ClusterIP" && (spec.externalIPs?.length ?? 0) > 0)
  );
}

/** True when the service gets a cluster IP (every type but ExternalName). */
export function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== "ExternalName";
}

/** True when the service's ports get node ports. */
export function needsNodePorts(spec: ServiceSpec): boolean {
  if (spec.type === "NodePort") return true;
  return spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false;
}

/** True when the service gets a health-check node port (LoadBalancer with Local external traffic). */
export function needsHealthCheckNodePort(spec: ServiceSpec): boolean {
  return spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";
}

function defaults(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (
    spec.sessionAffinity === "ClientIP" &&
    spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined
  ) {
    spec.sessionAffinityConfig = {
      clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT_SECONDS },
    };
  }
  spec.type ||= "ClusterIP";
  for (const port of spec.ports ?? []) {
    port.protocol ||= "TCP";
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === "") {
      port.targetPort = port.port;
    }
  }
  if (isExternallyAccessible(spec)) spec.externalTrafficPolicy ||= "Cluster";
  if (spec.internalTrafficPolicy === undefined && spec.type !== "ExternalName") {
    spec.internalTrafficPolicy = "Cluster";
  }
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type === "LoadBalancer") {
    for (const ingress of svc.status?.loadBalancer?.ingress ?? [])
      if (ingress.ip) ingress.ipMode ??= "VIP";
  }
}

/**
 * Defaults the IP family policy where the API server would before allocating: a headless service without
 * selector may carry addresses of both families, every other service with a cluster IP gets one family.
 */
function defaultIPFamilyPolicy(svc: Service): void {
  const spec = svc.spec ?? {};
  if (!needsClusterIP(spec) || spec.ipFamilyPolicy !== undefined) return;
  const selectorless = Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy = isHeadless(svc) && selectorless ? "RequireDualStack" : "SingleStack";
}

/**
 * Keeps clusterIP and clusterIPs in step: old clients send only clusterIP, new ones send both. On update,
 * clearing or changing clusterIP while leaving clusterIPs as it was also changes clusterIPs.
 */
export function normalizeClusterIPs(svc: Service, old?: Service): void {
  const spec = (svc.spec ??= {});
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const before = old.spec ?? {};
  const pluralUnchanged = sameValue(spec.clusterIPs, before.clusterIPs);
  if (before.clusterIP && !spec.clusterIP) {
    if (pluralUnchanged) delete spec.clusterIPs;
    return;
  }
  if (
    before.clusterIP &&
    spec.clusterIP &&
    spec.clusterIP !== before.clusterIP &&
    pluralUnchanged
  ) {
    spec.clusterIPs = [spec.clusterIP];
  }
}

/**
 * Copies allocated values (cluster IPs, node ports, health-check port) that an update left out, so that
 * `kubectl replace` or `apply` of a manifest without them keeps what the server allocated.
 */
export function patchAllocatedValues(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const before = old.spec ?? {};
  if (needsClusterIP(before) && needsClusterIP(spec)) {
    if (!spec.clusterIP && before.clusterIP) spec.clusterIP = before.clusterIP;
    if (!spec.clusterIPs?.length && before.clusterIPs?.length)
      spec.clusterIPs = [...before.clusterIPs];
  }
  if (needsNodePorts(before) && needsNodePorts(spec)) {
    const inUse = new Set(
      (spec.ports ?? []).map((p) => p.nodePort).filter((n) => n !== undefined && n !== 0),
    );
    const byName = new Map((before.ports ?? []).map((p) => [p.name ?? "", p.nodePort ?? 0]));
    for (const port of spec.ports ?? []) {
      if (port.nodePort) continue;
      const previous = byName.get(port.name ?? "") ?? 0;
      if (previous && !inUse.has(previous)) port.nodePort = previous;
    }
  }
  if (
    needsHealthCheckNodePort(before) &&
    needsHealthCheckNodePort(spec) &&
    !spec.healthCheckNodePort
  ) {
    if (before.healthCheckNodePort) spec.healthCheckNodePort = before.healthCheckNodePort;
  }
}

/**
 * Clears fields the new type no longer uses, but only those the client left as they were: a value the
 * client changed is kept so that validation can refuse it.
 */
function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const before = old.spec ?? {};
  if (needsClusterIP(before) && !needsClusterIP(spec)) {
    if (sameValue(spec.clusterIPs, before.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameValue(spec.ipFamilies, before.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === before.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(before) && !needsNodePorts(spec) && sameNodePorts(spec.ports, before.ports)) {
    for (const port of spec.ports ?? []) delete port.nodePort;
  }
  if (needsHealthCheckNodePort(before) && !needsHealthCheckNodePort(spec)) {
    if (spec.healthCheckNodePort === before.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (before.type === "LoadBalancer" && spec.type !== "LoadBalancer") {
    if (spec.allocateLoadBalancerNodePorts === before.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (spec.loadBalancerClass === before.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (isExternallyAccessible(before) && !isExternallyAccessible(spec)) {
    if (spec.externalTrafficPolicy === before.externalTrafficPolicy)
      delete spec.externalTrafficPolicy;
  }
  if (spec.type !== "LoadBalancer" && svc.status?.loadBalancer) svc.status.loadBalancer = {};
}

function sameNodePorts(a: ServicePort[] | undefined, b: ServicePort[] | undefined): boolean {
  const ports = (list: ServicePort[] | undefined) => (list ?? []).map((p) => p.nodePort ?? 0);
  return sameValue(ports(a), ports(b));
}

/** The PORT(S) column: `80/TCP`, or `80:30080/TCP` with a node port, comma separated. */
export function formatServicePorts(ports: readonly ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) =>
      p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ""}` : `${p.port}/${p.protocol ?? ""}`,
    )
    .join(",");
}

/** Load balancer width in the narrow table, as kubectl clips it. */
const LOAD_BALANCER_WIDTH = 16;

/** The EXTERNAL-IP column, as kubectl prints it for each service type. */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = loadBalancerAddresses(svc);
      const all = lb ? [...lb.split(","), ...external] : external;
      if (all.length) return all.join(",");
      return "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

/**
 * The load balancer's addresses, sorted and clipped to 16 characters. The server builds tables for every
 * output mode at once, so the narrow form is the one served, as upstream's server does.
 */
function loadBalancerAddresses(svc: Service): string {
  const addresses = new Set<string>();
  for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip) addresses.add(ingress.ip);
    else if (ingress.hostname) addresses.add(ingress.hostname);
  }
  const text = [...addresses].sort().join(",");
  return text.length > LOAD_BALANCER_WIDTH ? `${text.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : text;
}

export const services = defineResource<Service>({
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  singular: "service",
  shortNames: ["svc"],
  categories: ["all"],
  namespaced: true,
  schema: "io.k8s.api.core.v1.Service",
  // Service names become DNS labels of their own, so they must start with a letter.
  checkName: checkDNS1035Label,
  statusSubresource: true,
  columns: [
    {
      name: "Type",
      type: "string",
      description: "How the service is exposed.",
      priority: 0,
      cell: (svc) => svc.spec?.type ?? "",
    },
    {
      name: "Cluster-IP",
      type: "string",
      description: "The virtual IP of the service.",
      priority: 0,
      cell: (svc) => svc.spec?.clusterIPs?.[0] ?? "<none>",
    },
    {
      name: "External-IP",
      type: "string",
      description: "Addresses that reach the service from outside the cluster.",
      priority: 0,
      cell: serviceExternalIP,
    },
    {
      name: "Port(s)",
      type: "string",
      description: "Ports the service exposes.",
      priority: 0,
      cell: (svc) => formatServicePorts(svc.spec?.ports) || "<none>",
    },
    ageColumn(),
    {
      name: "Selector",
      type: "string",
      description: "Labels of the pods that serve the service.",
      priority: 1,
      cell: (svc) => formatLabels(svc.spec?.selector) || "<none>",
    },
  ],
  fieldSelectors: {
    "spec.clusterIP": (svc) => svc.spec?.clusterIP ?? "",
    "spec.type": (svc) => svc.spec?.type ?? "",
  },
  defaults,
  prepareForCreate: (svc) => {
    normalizeClusterIPs(svc);
    defaultIPFamilyPolicy(svc);
  },
  prepareForUpdate: (svc, old) => {
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    dropTypeDependentFields(svc, old);
    defaultIPFamilyPolicy(svc);
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  validateStatusUpdate: validateServiceStatus,
});
