/**
 * What both endpoint controllers read from pods and services: whether a pod belongs in a service's
 * endpoints at all, its readiness, its address of a family, the port a service port resolves to on
 * it, and the hostname published for it.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service, ServicePort } from "../../api/core/v1/service.js";

/** The annotation carrying the time of the first change a write of endpoints reflects. */
export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION =
  "endpoints.kubernetes.io/last-change-trigger-time";
/** The label both controllers put on the objects of headless services. */
export const HEADLESS_LABEL = "service.kubernetes.io/headless";

/** Whether a pod has finished for good (its containers will not run again). */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/**
 * Whether a pod appears in a service's endpoints at all: it has an IP, has not finished, and is not
 * being deleted unless terminating pods are included.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Whether an address is IPv6 (anything with a colon) rather than IPv4. */
export function ipFamilyOf(ip: string): "IPv4" | "IPv6" {
  return ip.includes(":") ? "IPv6" : "IPv4";
}

/** Whether the service has a cluster IP (it is neither headless nor without one, as ExternalName). */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return ip !== undefined && ip !== "" && ip !== "None";
}

/** Whether the service is an ExternalName alias, which gets no endpoints from the controllers. */
export function isExternalName(service: Service): boolean {
  return service.spec?.type === "ExternalName";
}

/**
 * The IP families a service's EndpointSlices are written for: its `ipFamilies`; without them
 * (objects from before dual stack) the family of its cluster IP, or both for a headless service.
 */
export function sliceAddressTypes(service: Service): ("IPv4" | "IPv6")[] {
  const families = (service.spec?.ipFamilies ?? []).filter(
    (f): f is "IPv4" | "IPv6" => f === "IPv4" || f === "IPv6",
  );
  if (families.length) return [...new Set(families)];
  const ip = service.spec?.clusterIP;
  if (isServiceIPSet(service) && ip) return [ipFamilyOf(ip)];
  return ["IPv4", "IPv6"];
}

/**
 * The one IP family an Endpoints object lists for a service: its primary family; without
 * `ipFamilies`, its cluster IP's family, or for a headless service the family of the pod's IP.
 */
export function endpointsFamily(service: Service, pod: Pod): "IPv4" | "IPv6" {
  const primary = service.spec?.ipFamilies?.[0];
  if (primary === "IPv4" || primary === "IPv6") return primary;
  const ip = service.spec?.clusterIP;
  if (isServiceIPSet(service) && ip) return ipFamilyOf(ip);
  return ipFamilyOf(pod.status?.podIP ?? "");
}

/** The pod's IP of `family`, if it has one. */
export function podIPOfFamily(pod: Pod, family: "IPv4" | "IPv6"): string | undefined {
  const ips = pod.status?.podIPs?.length
    ? pod.status.podIPs.map((p) => p.ip ?? "")
    : [pod.status?.podIP ?? ""];
  return ips.find((ip) => ip !== "" && ipFamilyOf(ip) === family);
}

/**
 * The pod port a service port sends to: a number as is, a name looked up among the container ports
 * (regular and restartable init containers) with the same protocol. Undefined when the name is
 * not found: the pod then has no endpoint for that port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  const protocol = servicePort.protocol ?? "TCP";
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
  ];
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? "TCP") === protocol) {
        return port.containerPort;
      }
    }
  }
  return undefined;
}

/** Whether the pod's own hostname is published: it names the service as its subdomain. */
export function hostnameFor(pod: Pod, service: Service): string | undefined {
  const spec = pod.spec;
  if (!spec?.hostname || spec.subdomain !== service.metadata.name) return undefined;
  return pod.metadata.namespace === service.metadata.namespace ? spec.hostname : undefined;
}

/** A reference to a pod as endpoints carry it. */
export function podRef(pod: Pod): { kind: string; namespace: string; name: string; uid: string } {
  return {
    kind: "Pod",
    namespace: pod.metadata.namespace ?? "",
    name: pod.metadata.name ?? "",
    uid: pod.metadata.uid ?? "",
  };
}

/**
 * Whether a service gets endpoints from the controllers: it has a selector. An empty selector counts
 * as none, as upstream, where an empty map does not survive the round trip through storage.
 */
export function hasSelector(service: Service): boolean {
  const selector = service.spec?.selector;
  return !!selector && Object.keys(selector).length > 0;
}

/** Whether the pod's labels satisfy the service's selector (every pair present). */
export function selectsPod(service: Service, pod: Pod): boolean {
  const selector = service.spec?.selector;
  if (!selector || !hasSelector(service)) return false;
  if (pod.metadata.namespace !== service.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

/**
 * Whether a pod change can change endpoints: its IP, readiness, labels, node, hostname, phase or
 * deletion; status noise (container restarts, say) does not.
 */
export function podEndpointChanged(old: Pod, pod: Pod): boolean {
  if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return false;
  return (
    old.status?.podIP !== pod.status?.podIP ||
    JSON.stringify(old.status?.podIPs) !== JSON.stringify(pod.status?.podIPs) ||
    isPodReady(old) !== isPodReady(pod) ||
    old.status?.phase !== pod.status?.phase ||
    !old.metadata.deletionTimestamp !== !pod.metadata.deletionTimestamp ||
    old.spec?.nodeName !== pod.spec?.nodeName ||
    old.spec?.hostname !== pod.spec?.hostname ||
    old.spec?.subdomain !== pod.spec?.subdomain ||
    JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels) ||
    JSON.stringify((old.spec?.containers ?? []).map((c) => c.ports)) !==
      JSON.stringify((pod.spec?.containers ?? []).map((c) => c.ports))
  );
}
