/**
 * The EndpointSlice mirroring controller's decision, after upstream's: the Endpoints a user wrote
 * for a Service without a selector become EndpointSlices, so that proxies and DNS, which read only
 * slices, see them. After repacking, every subset and address type gets one slice of at most
 * `maxPerSubset` endpoints (the rest is skipped and reported); a slice is rewritten only when its
 * endpoints, labels or annotations differ, and extra slices of the same kind are deleted.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { EndpointAddress, Endpoints } from "../../api/core/v1/endpoints.js";
import {
  SERVICE_NAME_LABEL,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
} from "../../api/discovery/v1/endpoint-slice.js";
import { repackSubsets } from "./endpoints-decision.js";
import { LAST_CHANGE_TRIGGER_TIME_ANNOTATION } from "./pod-endpoint.js";
import { MANAGED_BY_LABEL, endpointKey, portsKey } from "./slice-decision.js";

/** The managed-by value of mirrored slices. */
export const MIRROR_CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
/** The label that keeps an Endpoints object from being mirrored. */
export const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
/** The annotation leader election once kept on Endpoints; such objects are not mirrored. */
export const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
/** Upstream's default `--mirroring-max-endpoints-per-subset`. */
export const MAX_MIRRORED_PER_SUBSET = 1000;

/** kubectl's annotation, which is not copied to the slices. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Whether an Endpoints object is one to mirror at all (its service is checked apart). */
export function shouldMirror(endpoints: Endpoints): boolean {
  if (endpoints.metadata.labels?.[SKIP_MIRROR_LABEL] === "true") return false;
  return endpoints.metadata.annotations?.[LEADER_ANNOTATION] === undefined;
}

/** What `planMirror` decided. */
export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Addresses that are not IPs. */
  invalid: number;
  /** Addresses left out, invalid ones and those past the per-subset maximum. */
  skipped: number;
}

/** An IP as the slice carries it (IPv4 without leading zeros, IPv6 in lower case); else undefined. */
export function normalizeIP(text: string): { ip: string; type: "IPv4" | "IPv6" } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { ip: parts.join("."), type: "IPv4" };
  }
  if (isIPv6(text)) return { ip: text.toLowerCase(), type: "IPv6" };
  return isIPv4(text) ? { ip: text, type: "IPv4" } : undefined;
}

function toEndpoint(address: EndpointAddress, ip: string, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [ip], conditions: { ready } };
  if (address.targetRef) ep.targetRef = address.targetRef;
  if (address.nodeName !== undefined) ep.nodeName = address.nodeName;
  if (address.hostname) ep.hostname = address.hostname;
  return ep;
}

/** The labels and annotations of the slices mirrored from `endpoints`. */
function mirroredMeta(endpoints: Endpoints): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = { ...endpoints.metadata.labels };
  labels[SERVICE_NAME_LABEL] = endpoints.metadata.name ?? "";
  labels[MANAGED_BY_LABEL] = MIRROR_CONTROLLER_NAME;
  const annotations: Record<string, string> = { ...endpoints.metadata.annotations };
  delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
  delete annotations[LAST_APPLIED];
  return { labels, annotations };
}

function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  const ra = a.targetRef;
  const rb = b.targetRef;
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    ra?.kind === rb?.kind &&
    ra?.namespace === rb?.namespace &&
    ra?.name === rb?.name &&
    ra?.uid === rb?.uid
  );
}

/** Whether `slice` already holds exactly `wanted`, in their wanted state. */
function holdsExactly(slice: EndpointSlice, wanted: Map<string, Endpoint>): boolean {
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length !== wanted.size) return false;
  return endpoints.every((ep) => {
    const want = wanted.get(endpointKey(ep));
    return want !== undefined && sameEndpoint(want, ep);
  });
}

/** Decides the mirrored slices of one Endpoints object, given the ones mirrored before. */
export function planMirror(
  endpoints: Endpoints,
  existing: readonly EndpointSlice[],
  maxPerSubset = MAX_MIRRORED_PER_SUBSET,
): MirrorPlan {
  const plan: MirrorPlan = { create: [], update: [], delete: [], invalid: 0, skipped: 0 };
  const desired = new Map<
    string,
    { type: "IPv4" | "IPv6"; ports: EndpointPort[]; endpoints: Map<string, Endpoint> }
  >();
  for (const subset of repackSubsets(endpoints.subsets ?? [])) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => {
      const port: EndpointPort = {
        name: p.name ?? "",
        port: p.port,
        protocol: p.protocol ?? "TCP",
      };
      if (p.appProtocol !== undefined) port.appProtocol = p.appProtocol;
      return port;
    });
    for (const type of ["IPv4", "IPv6"] as const) {
      const key = `${type}\u0003${portsKey(ports)}`;
      if (!desired.has(key)) desired.set(key, { type, ports, endpoints: new Map() });
    }
    const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    let added = 0;
    const addresses: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    for (const [address, ready] of addresses) {
      if (added >= maxPerSubset) break;
      const parsed = normalizeIP(address.ip ?? "");
      if (!parsed) {
        plan.invalid++;
        continue;
      }
      const ep = toEndpoint(address, parsed.ip, ready);
      desired.get(`${parsed.type}\u0003${portsKey(ports)}`)!.endpoints.set(endpointKey(ep), ep);
      added++;
    }
    plan.skipped += total - added;
  }

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const key = `${slice.addressType ?? ""}\u0003${portsKey(slice.ports)}`;
    const list = existingByKey.get(key);
    if (list) list.push(slice);
    else existingByKey.set(key, [slice]);
  }

  const { labels, annotations } = mirroredMeta(endpoints);
  for (const [key, want] of desired) {
    const slices = existingByKey.get(key) ?? [];
    if (want.endpoints.size === 0) {
      plan.delete.push(...slices);
      continue;
    }
    const [first, ...extra] = slices;
    plan.delete.push(...extra);
    if (
      first &&
      holdsExactly(first, want.endpoints) &&
      sameStrings(first.metadata.labels ?? {}, labels) &&
      sameStrings(first.metadata.annotations ?? {}, annotations)
    ) {
      continue;
    }
    const slice = mirroredSlice(endpoints, want.type, want.ports, labels, annotations);
    slice.endpoints = [...want.endpoints.values()].slice(0, maxPerSubset);
    if (first) plan.update.push(withIdentityOf(slice, first));
    else plan.create.push(slice);
  }
  for (const [key, slices] of existingByKey) if (!desired.has(key)) plan.delete.push(...slices);

  // A create and a delete of the same address type become one update of the slice to delete.
  for (const fresh of [...plan.create]) {
    const index = plan.delete.findIndex((s) => s.addressType === fresh.addressType);
    if (index < 0) continue;
    const [old] = plan.delete.splice(index, 1) as [EndpointSlice];
    plan.create.splice(plan.create.indexOf(fresh), 1);
    plan.update.push(withIdentityOf(fresh, old));
  }
  if (endpoints.metadata.deletionTimestamp) plan.create = [];
  return plan;
}

function mirroredSlice(
  endpoints: Endpoints,
  addressType: string,
  ports: EndpointPort[],
  labels: Record<string, string>,
  annotations: Record<string, string>,
): EndpointSlice {
  const metadata: EndpointSlice["metadata"] = {
    generateName: `${endpoints.metadata.name ?? ""}-`,
    namespace: endpoints.metadata.namespace ?? "",
    labels: { ...labels },
    ownerReferences: [
      {
        apiVersion: "v1",
        kind: "Endpoints",
        name: endpoints.metadata.name ?? "",
        uid: endpoints.metadata.uid ?? "",
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
  if (Object.keys(annotations).length) metadata.annotations = { ...annotations };
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata,
    addressType,
    endpoints: [],
    ports,
  };
}

/** `slice` written over `old`: its name, UID and resourceVersion instead of a generated name. */
function withIdentityOf(slice: EndpointSlice, old: EndpointSlice): EndpointSlice {
  const { generateName: _generateName, ...metadata } = slice.metadata;
  return {
    ...slice,
    metadata: {
      ...metadata,
      name: old.metadata.name ?? "",
      ...(old.metadata.uid ? { uid: old.metadata.uid } : {}),
      ...(old.metadata.resourceVersion ? { resourceVersion: old.metadata.resourceVersion } : {}),
    },
  };
}
