/**
 * The EndpointSlice controller's decision, after upstream's reconciler: the endpoints a service
 * should publish, grouped by address type and by the ports they resolve to, and the fewest slice
 * writes that get the stored slices there. Per address type and port set:
 *   1. existing slices keep the endpoints still wanted (in their new state) and lose the others;
 *      a slice left empty is deleted, a changed one updated;
 *   2. new endpoints first fill the slices being updated anyway, fullest first;
 *   3. what remains goes into the unchanged slice it fills best, else into new slices;
 * slices of port sets or address types no longer wanted are deleted, a create and a delete of the
 * same address type become one update, and a service with no endpoints keeps one empty placeholder.
 */
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";
import {
  SERVICE_NAME_LABEL,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
} from "../../api/discovery/v1/endpoint-slice.js";
import type { OwnerReference } from "../../api/meta/types.js";
import {
  HEADLESS_LABEL,
  LAST_CHANGE_TRIGGER_TIME_ANNOTATION,
  findPort,
  hostnameFor,
  isPodReady,
  isServiceIPSet,
  podIPOfFamily,
  podRef,
  shouldPodBeInEndpoints,
  sliceAddressTypes,
} from "./pod-endpoint.js";
import { hintPolicy, needsHints, withHints } from "./traffic-hints.js";
import { formatTriggerTime } from "./trigger-time.js";

/** The label naming the controller that manages a slice. */
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
/** This controller's value of the managed-by label. */
export const SLICE_CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/** Upstream's default `--max-endpoints-per-slice`. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** The node label a slice endpoint's zone comes from. */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** Labels the controller owns on its slices; a service's own labels of these names are ignored. */
const RESERVED_LABELS = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

/** Endpoints sharing one port set: the content of one or more slices. */
export interface EndpointGroup {
  ports: EndpointPort[];
  /** By endpoint key (`endpointKey`), in pod order. */
  endpoints: Map<string, Endpoint>;
}

/** What `desiredEndpoints` found for one address type. */
export interface DesiredEndpoints {
  /** By `portsKey(ports)`. */
  groups: Map<string, EndpointGroup>;
  /** Messages for pods left out because their node is unknown: the sync must be retried. */
  skipped: string[];
}

/**
 * The identity of a slice endpoint: its addresses, hostname and pod, as upstream hashes it. Other
 * fields (conditions, node, zone) are updated in place.
 */
export function endpointKey(ep: Endpoint): string {
  const addresses = [...(ep.addresses ?? [])].sort().join(",");
  const ref = ep.targetRef;
  return `${addresses}\u0000${ep.hostname ?? ""}\u0000${ref?.namespace ?? ""}/${ref?.name ?? ""}`;
}

/** The identity of a port set, order-insensitive. */
export function portsKey(ports: readonly EndpointPort[] | undefined): string {
  const keys = (ports ?? []).map(
    (p) =>
      `${p.name ?? ""}\u0000${p.port ?? ""}\u0000${p.protocol ?? "TCP"}\u0000${p.appProtocol ?? ""}`,
  );
  return keys.sort().join("\u0001");
}

/** The ports one pod serves for a service: the service ports whose target resolves on it. */
function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: EndpointPort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    ports.push(p);
  }
  return ports;
}

/**
 * The endpoints of one address type a service should publish, from its pods (terminating ones
 * included, with their conditions) and the nodes they run on.
 */
export function desiredEndpoints(
  service: Service,
  pods: readonly Pod[],
  nodeOf: (name: string) => Node | undefined,
  addressType: "IPv4" | "IPv6",
): DesiredEndpoints {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, EndpointGroup>();
  const skipped: string[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));

    const nodeName = pod.spec?.nodeName ?? "";
    const node = nodeOf(nodeName);
    if (!node && !publishNotReady) {
      // Left out rather than blocking the whole service; the sync is retried until the node shows.
      skipped.push(
        `skipping Pod ${pod.metadata.name ?? ""} for Service ${service.metadata.namespace ?? ""}/${service.metadata.name ?? ""}: Node ${nodeName} Not Found`,
      );
      continue;
    }
    const ip = podIPOfFamily(pod, addressType);
    if (!ip) continue;

    const serving = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    // A terminating pod is never ready unless the service publishes every address anyway.
    const ep: Endpoint = {
      addresses: [ip],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
    };
    const hostname = hostnameFor(pod, service);
    if (hostname) ep.hostname = hostname;
    ep.targetRef = podRef(pod);
    if (nodeName) ep.nodeName = nodeName;
    const zone = node?.metadata.labels?.[ZONE_LABEL];
    if (zone) ep.zone = zone;
    group.endpoints.set(endpointKey(ep), ep);
  }
  return { groups, skipped };
}

/** The slice writes of one sync. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods left out for now (their node is unknown): the controller retries the sync. */
  skipped: string[];
}

/** Inputs of `planSlices`. */
export interface SliceInput {
  service: Service;
  /** The pods of the service's namespace its selector matches. */
  pods: readonly Pod[];
  nodeOf: (name: string) => Node | undefined;
  /** This controller's slices of the service (by the two labels), not being deleted. */
  existing: readonly EndpointSlice[];
  /** The first change this sync reflects (ms), for the trigger-time annotation. */
  triggerTime?: number | undefined;
  maxPerSlice?: number;
}

/**
 * The labels a slice of `service` carries: the service's own labels (but the reserved ones), the
 * headless label when it has no cluster IP, the service name and the managed-by label. The flag
 * says whether the slice's non-reserved labels differ from the service's.
 */
export function sliceLabels(
  slice: EndpointSlice | undefined,
  service: Service,
): { labels: Record<string, string>; changed: boolean } {
  const own = (labels: Record<string, string> | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels ?? {})) if (!RESERVED_LABELS.has(k)) out[k] = v;
    return out;
  };
  const labels = own(service.metadata.labels);
  const changed = !sameStrings(own(slice?.metadata.labels), labels);
  if (!isServiceIPSet(service)) labels[HEADLESS_LABEL] = "";
  labels[SERVICE_NAME_LABEL] = service.metadata.name ?? "";
  labels[MANAGED_BY_LABEL] = SLICE_CONTROLLER_NAME;
  return { labels, changed };
}

function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** The controller reference every slice of `service` carries. */
export function serviceOwnerRef(service: Service): OwnerReference {
  return {
    apiVersion: "v1",
    kind: "Service",
    name: service.metadata.name ?? "",
    uid: service.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether the slice belongs to this very service (not an earlier one of the same name). */
export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (o) => o.uid === service.metadata.uid && o.kind === "Service" && o.apiVersion === "v1",
  );
}

function newSlice(service: Service, addressType: string, ports: EndpointPort[]): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: `${service.metadata.name ?? ""}-`,
      namespace: service.metadata.namespace ?? "",
      labels: sliceLabels(undefined, service).labels,
      ownerReferences: [serviceOwnerRef(service)],
    },
    addressType,
    endpoints: [],
  };
  // No ports (a placeholder, a headless service without ports) is no `ports` field, as upstream.
  if (ports.length) slice.ports = ports;
  return slice;
}

/** Whether two endpoints with the same key also agree on what is updated in place. */
function sameBeyondKey(a: Endpoint, b: Endpoint): boolean {
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

/** Decides the slice writes of one sync of `input.service`. */
export function planSlices(input: SliceInput): SlicePlan {
  const { service } = input;
  const types = sliceAddressTypes(service);
  const plan: SlicePlan = { create: [], update: [], delete: [], skipped: [] };
  const byType = new Map<string, EndpointSlice[]>();
  for (const slice of input.existing) {
    const type = slice.addressType ?? "";
    if (!(types as string[]).includes(type)) {
      plan.delete.push(slice);
      continue;
    }
    const list = byType.get(type);
    if (list) list.push(slice);
    else byType.set(type, [slice]);
  }
  for (const type of types) {
    const part = planAddressType(input, type, byType.get(type) ?? []);
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
    for (const s of part.skipped) if (!plan.skipped.includes(s)) plan.skipped.push(s);
  }
  return plan;
}

function planAddressType(
  input: SliceInput,
  addressType: "IPv4" | "IPv6",
  existing: readonly EndpointSlice[],
): SlicePlan {
  const { service } = input;
  const max = input.maxPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  let toCreate: EndpointSlice[] = [];
  const toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      toDelete.push(slice);
      continue;
    }
    const key = portsKey(slice.ports);
    const list = existingByPorts.get(key);
    if (list) list.push(slice);
    else existingByPorts.set(key, [slice]);
  }

  const desired = desiredEndpoints(service, input.pods, input.nodeOf, addressType);
  for (const [key, group] of desired.groups) {
    const part = planPortSet(service, existingByPorts.get(key) ?? [], group, addressType, max);
    toCreate.push(...part.create);
    toUpdate.push(...part.update);
    toDelete.push(...part.delete);
  }
  for (const [key, slices] of existingByPorts) {
    if (!desired.groups.has(key)) toDelete.push(...slices);
  }

  // Hints: written slices get the service's hints; unchanged ones are rewritten only if stale.
  const policy = hintPolicy(service);
  const touched = new Set([...toUpdate, ...toDelete].map((sl) => sl.metadata.name));
  for (const slice of existing) {
    if (touched.has(slice.metadata.name) || !ownedBy(slice, service)) continue;
    if (needsHints(slice, policy)) toUpdate.push(slice);
  }
  toCreate = toCreate.map((sl) => withHints(sl, policy));
  toUpdate.splice(0, toUpdate.length, ...toUpdate.map((sl) => withHints(sl, policy)));

  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newSlice(service, addressType, []);
    const only = toDelete[0];
    if (toDelete.length === 1 && only && isPlaceholderOf(only, placeholder)) toDelete.length = 0;
    else toCreate.push(placeholder);
  }

  // A create and a delete of the same address type become one update of the slice to delete.
  for (let i = 0; i < toDelete.length && toCreate.length > 0;) {
    const old = toDelete[i]!;
    const fresh = toCreate[toCreate.length - 1]!;
    if (old.addressType !== fresh.addressType || !ownedBy(old, service)) {
      i++;
      continue;
    }
    const { generateName: _generateName, ...metadata } = fresh.metadata;
    toCreate.pop();
    toDelete.splice(i, 1);
    toUpdate.push({
      ...fresh,
      metadata: {
        ...metadata,
        name: old.metadata.name ?? "",
        ...(old.metadata.uid ? { uid: old.metadata.uid } : {}),
        ...(old.metadata.resourceVersion ? { resourceVersion: old.metadata.resourceVersion } : {}),
      },
    });
  }

  // New slices would race the garbage collector of a service being deleted.
  if (service.metadata.deletionTimestamp) toCreate = [];
  const annotate = (slice: EndpointSlice): EndpointSlice => {
    const annotations: Record<string, string> = { ...slice.metadata.annotations };
    if (input.triggerTime !== undefined) {
      annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = formatTriggerTime(input.triggerTime);
    } else delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
    const metadata = { ...slice.metadata };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    else delete metadata.annotations;
    return { ...slice, metadata };
  };
  return {
    create: toCreate.map(annotate),
    update: toUpdate.map(annotate),
    delete: toDelete,
    skipped: desired.skipped,
  };
}

/** Whether `slice` is the placeholder this controller would write now (names aside). */
function isPlaceholderOf(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  const refs = (s: EndpointSlice) =>
    JSON.stringify(
      (s.metadata.ownerReferences ?? []).map((o) => [
        o.apiVersion,
        o.kind,
        o.name,
        o.uid,
        o.controller ?? null,
        o.blockOwnerDeletion ?? null,
      ]),
    );
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    sameStrings(slice.metadata.labels ?? {}, placeholder.metadata.labels ?? {}) &&
    refs(slice) === refs(placeholder) &&
    slice.addressType === placeholder.addressType &&
    (slice.ports ?? []).length === 0 &&
    (slice.endpoints ?? []).length === 0
  );
}

/** Steps 1 to 3 of the reconciler for the slices of one address type and port set. */
function planPortSet(
  service: Service,
  existing: readonly EndpointSlice[],
  group: EndpointGroup,
  addressType: string,
  max: number,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const wanted = new Map(group.endpoints);
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete: EndpointSlice[] = [];

  // 1. Keep what is still wanted, in its wanted state.
  for (const slice of existing) {
    const name = slice.metadata.name ?? "";
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = wanted.get(key);
      if (!want) continue;
      kept.push(want);
      if (!sameBeyondKey(want, ep)) changed = true;
      wanted.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, service);
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(slice);
      else {
        byName.set(name, { ...slice, metadata: { ...slice.metadata, labels }, endpoints: kept });
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...slice, metadata: { ...slice.metadata, labels } });
      toUpdate.add(name);
    } else unchanged.add(name);
  }

  const pending = [...wanted.values()];
  const fill = (slice: EndpointSlice): EndpointSlice => {
    const endpoints = [...(slice.endpoints ?? [])];
    while (pending.length && endpoints.length < max) endpoints.push(pending.shift()!);
    return { ...slice, endpoints };
  };

  // 2. Fill the slices written anyway, fullest first.
  if (pending.length && toUpdate.size) {
    const order = [...toUpdate]
      .map((name) => byName.get(name)!)
      .sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
    for (const slice of order) byName.set(slice.metadata.name ?? "", fill(slice));
  }

  // 3. The rest goes into the unchanged slice it fills best, else into new slices.
  const create: EndpointSlice[] = [];
  while (pending.length) {
    let target: EndpointSlice | undefined;
    if (pending.length < max && unchanged.size) {
      target = sliceToFill(
        [...unchanged].map((n) => byName.get(n)!),
        pending.length,
        max,
      );
    }
    if (!target) {
      create.push(fill(newSlice(service, addressType, group.ports)));
      continue;
    }
    const name = target.metadata.name ?? "";
    byName.set(name, fill(target));
    unchanged.delete(name);
    toUpdate.add(name);
  }

  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: toDelete };
}

/** The slice that `count` more endpoints bring closest to full without overflowing it. */
function sliceToFill(
  slices: readonly EndpointSlice[],
  count: number,
  max: number,
): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const slice of slices) {
    const room = max - (count + (slice.endpoints ?? []).length);
    if (room >= 0 && room < bestRoom) {
      best = slice;
      bestRoom = room;
      if (room === 0) break;
    }
  }
  return best;
}
