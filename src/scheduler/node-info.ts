/**
 * NodeInfo: one node as the scheduler sees it: the Node, its allocatable resources, the pods on it
 * (bound or assumed) with their summed requests, the host ports they hold, and its taints split by
 * effect. Kept current incrementally as pods come and go.
 */
import type { Node, Taint } from "../api/core/v1/node.js";
import { hasAffinity, type HostPort, type PodInfo } from "./pod-info.js";
import {
  accumulate,
  allowedPodNumber,
  emptyResources,
  resourcesFromList,
  type Resources,
} from "./resources.js";

const ANY_IP = "0.0.0.0";

/** The scheduler's view of one node and the pods placed on it. */
export class NodeInfo {
  /** The Node; undefined for a node deleted while pods still point at it. */
  node: Node | undefined;
  /** The node's name (kept for a deleted node whose pods remain). */
  readonly name: string;
  /** status.allocatable (capacity when unset, as the API defaults it). */
  allocatable: Resources = emptyResources();
  /** The `pods` entry of allocatable. */
  allowedPods = 0;
  /** NoSchedule and NoExecute taints, in the node's order. */
  hardTaints: readonly Taint[] = [];
  /** PreferNoSchedule taints. */
  softTaints: readonly Taint[] = [];

  readonly pods: PodInfo[] = [];
  /** Pods with any pod affinity or anti-affinity term. */
  readonly podsWithAffinity: PodInfo[] = [];
  /** Pods with required anti-affinity terms. */
  readonly podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** Sum of the pods' requests. */
  readonly requested: Resources = emptyResources();
  /** Sum of the pods' CPU requests with upstream's 100m default per container. */
  nonZeroMilliCPU = 0;
  /** Sum of the pods' memory requests with upstream's 200Mi default per container. */
  nonZeroMemory = 0;
  /** Host ports in use: `ip` → `protocol/port` → how many pods hold it. */
  readonly usedPorts = new Map<string, Map<string, number>>();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  /** The node's labels (empty when absent). */
  get labels(): Readonly<Record<string, string>> {
    return this.node?.metadata.labels ?? {};
  }

  /** Replaces the Node object, recomputing what derives from it. */
  setNode(node: Node): void {
    this.node = node;
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    this.allocatable = resourcesFromList(alloc);
    this.allowedPods = allowedPodNumber(alloc);
    const taints = node.spec?.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    this.softTaints = taints.filter((t) => t.effect === "PreferNoSchedule");
  }

  /** Adds a pod's requests, ports and affinity bookkeeping. */
  addPod(p: PodInfo): void {
    this.pods.push(p);
    if (hasAffinity(p)) this.podsWithAffinity.push(p);
    if (p.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity.push(p);
    this.#account(p, 1);
  }

  /** Removes a pod by key; returns false when it is not on this node. */
  removePod(key: string): boolean {
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return false;
    const p = this.pods[i]!;
    this.pods.splice(i, 1);
    removeByKey(this.podsWithAffinity, key);
    removeByKey(this.podsWithRequiredAntiAffinity, key);
    this.#account(p, -1);
    return true;
  }

  #account(p: PodInfo, sign: 1 | -1): void {
    accumulate(this.requested, p.requests.requests, sign);
    this.nonZeroMilliCPU += sign * p.requests.nonZeroMilliCPU;
    this.nonZeroMemory += sign * p.requests.nonZeroMemory;
    for (const hp of p.hostPorts) {
      let byIP = this.usedPorts.get(hp.ip);
      if (!byIP) this.usedPorts.set(hp.ip, (byIP = new Map()));
      const k = `${hp.protocol}/${hp.port}`;
      const n = (byIP.get(k) ?? 0) + sign;
      if (n > 0) byIP.set(k, n);
      else byIP.delete(k);
    }
  }

  /** Whether a host port clashes with one in use (0.0.0.0 clashes with every IP). */
  portConflicts(hp: HostPort): boolean {
    const k = `${hp.protocol}/${hp.port}`;
    if (hp.ip === ANY_IP) {
      for (const byIP of this.usedPorts.values()) if (byIP.has(k)) return true;
      return false;
    }
    return (
      (this.usedPorts.get(ANY_IP)?.has(k) ?? false) || (this.usedPorts.get(hp.ip)?.has(k) ?? false)
    );
  }

  /** A copy whose pod lists and sums can change without touching this one (for preemption). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.allocatable = this.allocatable;
    c.allowedPods = this.allowedPods;
    c.hardTaints = this.hardTaints;
    c.softTaints = this.softTaints;
    for (const p of this.pods) c.addPod(p);
    return c;
  }
}

function removeByKey(list: PodInfo[], key: string): void {
  const i = list.findIndex((p) => p.key === key);
  if (i >= 0) list.splice(i, 1);
}
