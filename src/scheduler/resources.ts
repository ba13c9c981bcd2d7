/**
 * Resource amounts as the scheduler adds and compares them: plain numbers (CPU in millicores,
 * everything else in whole units), computed once per pod and per node from the API's quantities.
 */
import type { Pod } from "../api/core/v1/pod.js";
import type { Container, ResourceList } from "../api/core/v1/pod-shapes.js";
import { milliValue, tryQuantity, wholeValue } from "../api/quantity.js";

/** CPU assumed for a container that requests none, when scoring (upstream's 100m). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Memory assumed for a container that requests none, when scoring (upstream's 200Mi). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Amounts of every resource the scheduler accounts for. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended, hugepages and other scalar resources, by name; absent when there are none. */
  scalar: Map<string, number> | undefined;
}

/** A pod's requests: what it reserves, and the CPU and memory with defaults for scoring. */
export interface PodRequests {
  requests: Resources;
  /** CPU with 100m assumed for each container that names no CPU request. */
  nonZeroMilliCPU: number;
  /** Memory with 200Mi assumed for each container that names no memory request. */
  nonZeroMemory: number;
}

/** Empty resource amounts. */
export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: undefined };
}

/**
 * Whether a resource is a scalar one (extended, `kubernetes.io/`-prefixed, hugepages or attachable
 * volumes), which the scheduler tracks by name.
 */
export function isScalarResourceName(name: string): boolean {
  return (
    name.includes("/") || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-")
  );
}

/** Whether a resource is an extended one (a domain-qualified name outside `kubernetes.io/`). */
export function isExtendedResourceName(name: string): boolean {
  return name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
}

/**
 * Converts a resource list to amounts; `pods` and unknown unprefixed names are ignored, and an
 * unparsable quantity counts as zero (validation rejects those before they are stored).
 */
export function resourcesFromList(list: ResourceList | undefined): Resources {
  const out = emptyResources();
  if (!list) return out;
  for (const name in list) {
    const q = tryQuantity(list[name]);
    if (!q) continue;
    if (name === "cpu") out.milliCPU = Number(milliValue(q));
    else if (name === "memory") out.memory = Number(wholeValue(q));
    else if (name === "ephemeral-storage") out.ephemeralStorage = Number(wholeValue(q));
    else if (isScalarResourceName(name)) {
      (out.scalar ??= new Map()).set(name, Number(wholeValue(q)));
    }
  }
  return out;
}

/** The `pods` entry of a node's allocatable resources. */
export function allowedPodNumber(list: ResourceList | undefined): number {
  const q = tryQuantity(list?.["pods"]);
  return q ? Number(wholeValue(q)) : 0;
}

type Amounts = Map<string, bigint>;

function addList(into: Amounts, from: Amounts): void {
  for (const [name, v] of from) into.set(name, (into.get(name) ?? 0n) + v);
}

function maxList(into: Amounts, from: Amounts): void {
  for (const [name, v] of from) {
    const cur = into.get(name);
    if (cur === undefined || v > cur) into.set(name, v);
  }
}

/** A container's requests in nano units; `defaults` fills CPU and memory when they are missing. */
function containerAmounts(c: Container, defaults: boolean): Amounts {
  const out: Amounts = new Map();
  const requests = c.resources?.requests;
  if (requests) {
    for (const name in requests) {
      const q = tryQuantity(requests[name]);
      if (q) out.set(name, q.nanos);
    }
  }
  if (defaults) {
    if (!out.has("cpu")) out.set("cpu", BigInt(DEFAULT_MILLI_CPU_REQUEST) * 1_000_000n);
    if (!out.has("memory")) out.set("memory", BigInt(DEFAULT_MEMORY_REQUEST) * 1_000_000_000n);
  }
  return out;
}

/**
 * Upstream's pod request arithmetic: the containers' sum; sidecars (init containers that restart
 * Always) add to it and to every later init container; the result is the larger of that and the
 * largest init container; overhead is added last.
 */
function podAmounts(pod: Pod, defaults: boolean): Amounts {
  const spec = pod.spec;
  const total: Amounts = new Map();
  for (const c of spec?.containers ?? []) addList(total, containerAmounts(c, defaults));

  const sidecars: Amounts = new Map();
  const initMax: Amounts = new Map();
  for (const c of spec?.initContainers ?? []) {
    const own = containerAmounts(c, defaults);
    if (c.restartPolicy === "Always") {
      addList(total, own);
      addList(sidecars, own);
      maxList(initMax, sidecars);
    } else {
      addList(own, sidecars);
      maxList(initMax, own);
    }
  }
  maxList(total, initMax);

  if (spec?.overhead) {
    for (const name in spec.overhead) {
      const q = tryQuantity(spec.overhead[name]);
      if (q) total.set(name, (total.get(name) ?? 0n) + q.nanos);
    }
  }
  return total;
}

function toMilli(nanos: bigint): number {
  return Number(milliValue({ nanos, format: "DecimalSI" }));
}

function toWhole(nanos: bigint): number {
  return Number(wholeValue({ nanos, format: "DecimalSI" }));
}

/** Computes a pod's requests as the scheduler accounts for them. */
export function computePodRequests(pod: Pod): PodRequests {
  const amounts = podAmounts(pod, false);
  const requests = emptyResources();
  for (const [name, nanos] of amounts) {
    if (name === "cpu") requests.milliCPU = toMilli(nanos);
    else if (name === "memory") requests.memory = toWhole(nanos);
    else if (name === "ephemeral-storage") requests.ephemeralStorage = toWhole(nanos);
    else if (isScalarResourceName(name)) (requests.scalar ??= new Map()).set(name, toWhole(nanos));
  }
  const nonZero = podAmounts(pod, true);
  return {
    requests,
    nonZeroMilliCPU: toMilli(nonZero.get("cpu") ?? 0n),
    nonZeroMemory: toWhole(nonZero.get("memory") ?? 0n),
  };
}

/** Adds (sign 1) or subtracts (sign -1) `delta` into `into`. */
export function accumulate(into: Resources, delta: Resources, sign: 1 | -1): void {
  into.milliCPU += sign * delta.milliCPU;
  into.memory += sign * delta.memory;
  into.ephemeralStorage += sign * delta.ephemeralStorage;
  if (delta.scalar) {
    const scalar = (into.scalar ??= new Map());
    for (const [name, v] of delta.scalar) scalar.set(name, (scalar.get(name) ?? 0) + sign * v);
  }
}
