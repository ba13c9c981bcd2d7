/**
 * The Endpoints controller's decision: the Endpoints object a service should have, from the pods it
 * selects, and whether the stored one must be created, updated or deleted.
 */
import { isDeepStrictEqual } from "node:util";
import type {
  Endpoints,
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
} from "../../api/core/v1/endpoints.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";
import {
  HEADLESS_LABEL,
  LAST_CHANGE_TRIGGER_TIME_ANNOTATION,
  endpointsFamily,
  findPort,
  hasSelector,
  hostnameFor,
  isExternalName,
  isPodReady,
  isServiceIPSet,
  podIPOfFamily,
  podRef,
  shouldPodBeInEndpoints,
} from "./pod-endpoint.js";
import { formatTriggerTime } from "./trigger-time.js";

/** At most this many addresses (ready and not) are kept in one Endpoints object. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
/** The annotation set to `truncated` when addresses were dropped to stay within capacity. */
export const OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";
/** The label marking Endpoints written by this controller (upstream since 1.33). */
export const ENDPOINTS_MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by";
/** The value of the managed-by label: upstream's controller name. */
export const ENDPOINTS_CONTROLLER_NAME = "endpoint-controller";

/** What to do with a service's Endpoints. */
export type EndpointsAction =
  | { type: "none" }
  | { type: "delete" }
  | { type: "create"; endpoints: Endpoints }
  | { type: "update"; endpoints: Endpoints };

/** Inputs of `planEndpoints`. */
export interface EndpointsInput {
  /** The service, or undefined when it is gone. */
  service: Service | undefined;
  /** The stored Endpoints of the same name, if any. */
  current: Endpoints | undefined;
  /** The pods of the service's namespace its selector matches. */
  pods: readonly Pod[];
  /** The first change this sync reflects (ms), for the trigger-time annotation. */
  triggerTime?: number | undefined;
}

/**
 * Decides the Endpoints of one service. A service that is gone loses its Endpoints (a delete of
 * Endpoints the cache does not know yet is harmless); services without a selector and ExternalName
 * services are left alone: their Endpoints, if any, are the user's.
 */
export function planEndpoints(input: EndpointsInput): EndpointsAction {
  const { service, current } = input;
  if (!service) return { type: "delete" };
  if (isExternalName(service) || !hasSelector(service)) return { type: "none" };

  const { subsets, truncated } = truncateSubsets(repackSubsets(podSubsets(service, input.pods)));
  const labels: Record<string, string> = { ...service.metadata.labels };
  labels[ENDPOINTS_MANAGED_BY_LABEL] = ENDPOINTS_CONTROLLER_NAME;
  if (isServiceIPSet(service)) delete labels[HEADLESS_LABEL];
  else labels[HEADLESS_LABEL] = "";

  if (current) {
    const overCapacity = current.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] !== undefined;
    if (
      overCapacity === truncated &&
      isDeepStrictEqual(current.subsets ?? [], subsets) &&
      isDeepStrictEqual(current.metadata.labels ?? {}, labels)
    ) {
      return { type: "none" };
    }
  }

  const annotations: Record<string, string> = { ...current?.metadata.annotations };
  if (input.triggerTime !== undefined) {
    annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = formatTriggerTime(input.triggerTime);
  } else delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = "truncated";
  else delete annotations[OVER_CAPACITY_ANNOTATION];

  const metadata: Endpoints["metadata"] = current
    ? { ...current.metadata, labels }
    : { name: service.metadata.name ?? "", namespace: service.metadata.namespace ?? "", labels };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const endpoints: Endpoints = { apiVersion: "v1", kind: "Endpoints", metadata };
  if (subsets.length) endpoints.subsets = subsets;
  return current ? { type: "update", endpoints } : { type: "create", endpoints };
}

/** One subset per pod and resolved port, before repacking. */
function podSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts = service.spec?.ports ?? [];
  const out: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podIPOfFamily(pod, endpointsFamily(service, pod));
    if (!ip) continue;

    const address: EndpointAddress = { ip };
    const hostname = hostnameFor(pod, service);
    if (hostname) address.hostname = hostname;
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    address.targetRef = podRef(pod);
    const ready = publishNotReady || isPodReady(pod);
    const subset = (ports?: EndpointPort[]): EndpointSubset => {
      const s: EndpointSubset = ready ? { addresses: [address] } : { notReadyAddresses: [address] };
      if (ports) s.ports = ports;
      return s;
    };

    if (servicePorts.length === 0) {
      // Only a headless service may have no ports; it still publishes its pods' addresses.
      if (service.spec?.clusterIP === "None") out.push(subset());
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? "TCP" };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      out.push(subset([ep]));
    }
  }
  return out;
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ""}\u0000${p.port}\u0000${p.protocol ?? ""}\u0000${p.appProtocol ?? ""}`;
}

/** Two addresses are the same endpoint when IP and pod agree, as upstream's repacking keys them. */
function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ""}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byAddress(a: EndpointAddress, b: EndpointAddress): number {
  return compareText(a.ip, b.ip) || compareText(a.targetRef?.uid ?? "", b.targetRef?.uid ?? "");
}

/** The key of "no ports": headless services' addresses are kept under it. */
const NO_PORT = "";

/**
 * Regroups subsets into the canonical form: ports that are served by exactly the same addresses,
 * with the same readiness, share one subset. An address that is not ready for a port in any input
 * subset is not ready for that port. Output is sorted (subsets, then addresses by IP and pod UID,
 * ports by name, number, protocol) so that equal inputs compare equal.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  const note = (a: EndpointAddress, ready: boolean, port: EndpointPort | undefined): void => {
    const key = addressKey(a);
    if (!addresses.has(key)) addresses.set(key, a);
    const pk = port ? portKey(port) : NO_PORT;
    let entry = byPort.get(pk);
    if (!entry) {
      entry = port ? { port, ready: new Map() } : { ready: new Map() };
      byPort.set(pk, entry);
    }
    if (entry.ready.get(key) !== false) entry.ready.set(key, ready);
  };
  for (const s of subsets) {
    const ports: (EndpointPort | undefined)[] = s.ports?.length ? s.ports : [undefined];
    for (const port of ports) {
      for (const a of s.addresses ?? []) note(a, true, port);
      for (const a of s.notReadyAddresses ?? []) note(a, false, port);
    }
  }

  const groups = new Map<string, { ports: EndpointPort[]; ready: Map<string, boolean> }>();
  for (const entry of byPort.values()) {
    const setKey = [...entry.ready]
      .map(([k, r]) => `${k}\u0002${r ? 1 : 0}`)
      .sort(compareText)
      .join("\u0001");
    let group = groups.get(setKey);
    if (!group) groups.set(setKey, (group = { ports: [], ready: entry.ready }));
    if (entry.port) group.ports.push(entry.port);
  }

  const out: { key: string; subset: EndpointSubset }[] = [];
  for (const [setKey, group] of groups) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of group.ready) (r ? ready : notReady).push(addresses.get(k)!);
    const ports = group.ports.sort((a, b) => compareText(portKey(a), portKey(b)));
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready.sort(byAddress);
    if (notReady.length) subset.notReadyAddresses = notReady.sort(byAddress);
    if (ports.length) subset.ports = ports;
    out.push({ key: `${ports.map(portKey).join("\u0001")}\u0003${setKey}`, subset });
  }
  return out.sort((a, b) => compareText(a.key, b.key)).map((o) => o.subset);
}

/**
 * Keeps at most `capacity` addresses, as upstream truncates: when the ready addresses fit, only
 * not-ready ones are cut; otherwise every not-ready address goes and ready ones are cut. Each
 * subset keeps its share of the room, rounded up, until the room is used up. Subsets left empty
 * are dropped (an empty subset is not a valid one).
 */
export function truncateSubsets(
  subsets: EndpointSubset[],
  capacity = MAX_ENDPOINTS_CAPACITY,
): { subsets: EndpointSubset[]; truncated: boolean } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= capacity) return { subsets, truncated: false };

  const cutReady = ready > capacity;
  const room = cutReady ? capacity : capacity - ready;
  const total = cutReady ? ready : notReady;
  let left = room;
  const out = subsets.map((s) => {
    const list = (cutReady ? s.addresses : s.notReadyAddresses) ?? [];
    const share = Math.min(Math.ceil((list.length / total) * room), left);
    const kept = list.slice(0, share);
    left -= kept.length;
    const next: EndpointSubset = { ...s };
    if (cutReady) delete next.notReadyAddresses;
    const field = cutReady ? "addresses" : "notReadyAddresses";
    if (kept.length) next[field] = kept;
    else delete next[field];
    return next;
  });
  return {
    subsets: out.filter((s) => s.addresses?.length || s.notReadyAddresses?.length),
    truncated: true,
  };
}
