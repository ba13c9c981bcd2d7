/**
 * A pod's quality of service class, computed from its containers' CPU and memory requests and
 * limits (or its pod-level resources, when set), as upstream computes it when the pod is created.
 */
import { addQuantities, compareQuantities, tryQuantity, type Quantity } from "../../quantity.js";
import { items } from "./pod-checks.js";
import type { PodSpec, ResourceList } from "./pod-shapes.js";

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

const QOS_RESOURCES = ["cpu", "memory"] as const;

/** The non-zero CPU and memory amounts of a resource list. */
function qosAmounts(list: ResourceList | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const name of QOS_RESOURCES) {
    const q = tryQuantity(list?.[name]);
    if (q && q.nanos !== 0n) out.set(name, q);
  }
  return out;
}

function sumInto(total: Map<string, Quantity>, add: Map<string, Quantity>): void {
  for (const [name, q] of add) {
    const current = total.get(name);
    total.set(name, current ? addQuantities(current, q) : q);
  }
}

/**
 * Guaranteed when every container limits both CPU and memory and requests equal limits; BestEffort
 * when nothing is requested or limited; Burstable otherwise.
 */
export function computeQOSClass(spec: PodSpec | undefined): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;

  const podLevel = spec?.resources;
  const podRequests = qosAmounts(podLevel?.requests);
  const podLimits = qosAmounts(podLevel?.limits);
  if (podRequests.size > 0 || podLimits.size > 0) {
    sumInto(requests, podRequests);
    sumInto(limits, podLimits);
    guaranteed = podLimits.size === QOS_RESOURCES.length;
  } else {
    for (const c of [...items(spec?.initContainers), ...items(spec?.containers)]) {
      sumInto(requests, qosAmounts(c?.resources?.requests));
      const containerLimits = qosAmounts(c?.resources?.limits);
      sumInto(limits, containerLimits);
      if (containerLimits.size !== QOS_RESOURCES.length) guaranteed = false;
    }
  }

  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit || compareQuantities(limit, request) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
