/**
 * Snapshot: every node and the pods placed on them, updated incrementally from informer events and
 * from the scheduler's own assumptions. Scheduling runs synchronously against it, so it serves as
 * both upstream's cache and its per-cycle snapshot.
 *
 * Nodes are listed interleaved by zone (upstream's node tree), so that sampling a fraction of a
 * large cluster still sees every zone.
 */
import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import { NodeInfo } from "./node-info.js";
import { newPodInfo, podKey, type PodInfo } from "./pod-info.js";

const REGION = "topology.kubernetes.io/region";
const ZONE = "topology.kubernetes.io/zone";

/** How many nodes hold an image, and its size. */
export interface ImageState {
  size: number;
  nodes: Set<string>;
}

function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const region = labels[REGION] ?? "";
  const zone = labels[ZONE] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\x00:${zone}`;
}

/** Upstream's image naming: a reference without a tag means `:latest`. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

/** All nodes and pods the scheduler knows, with the indexes its plugins need. */
export class Snapshot {
  readonly #nodes = new Map<string, NodeInfo>();
  /** Which node each pod is on. */
  readonly #podNode = new Map<string, string>();
  readonly #assumed = new Set<string>();
  readonly #zones = new Map<string, string[]>();
  readonly #zoneOf = new Map<string, string>();
  #list: NodeInfo[] | undefined;
  readonly #images = new Map<string, ImageState>();
  #namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  /** Nodes hosting a pod with required anti-affinity. */
  readonly #withAntiAffinity = new Set<NodeInfo>();
  /** Nodes hosting a pod with any pod affinity term. */
  readonly #withAffinity = new Set<NodeInfo>();

  /** Adds or replaces a node. */
  upsertNode(node: Node): void {
    const name = node.metadata.name ?? "";
    let info = this.#nodes.get(name);
    if (info?.node) this.#forgetImages(info);
    if (!info) this.#nodes.set(name, (info = new NodeInfo(name)));
    info.setNode(node);
    this.#rememberImages(info);

    const zone = zoneKey(node);
    const old = this.#zoneOf.get(name);
    if (old !== zone) {
      if (old !== undefined) this.#leaveZone(name, old);
      let members = this.#zones.get(zone);
      if (!members) this.#zones.set(zone, (members = []));
      members.push(name);
      this.#zoneOf.set(name, zone);
      this.#list = undefined;
    }
  }

  /** Removes a node; its pods stay accounted until they are removed themselves. */
  removeNode(name: string): void {
    const info = this.#nodes.get(name);
    if (!info) return;
    if (info.node) this.#forgetImages(info);
    info.node = undefined;
    if (info.pods.length === 0) this.#nodes.delete(name);
    const zone = this.#zoneOf.get(name);
    if (zone !== undefined) this.#leaveZone(name, zone);
    this.#zoneOf.delete(name);
    this.#list = undefined;
  }

  #leaveZone(name: string, zone: string): void {
    const members = this.#zones.get(zone);
    if (!members) return;
    const i = members.indexOf(name);
    if (i >= 0) members.splice(i, 1);
    if (members.length === 0) this.#zones.delete(zone);
  }

  #rememberImages(info: NodeInfo): void {
    for (const image of info.node?.status?.images ?? []) {
      for (const name of image.names ?? []) {
        const key = normalizedImageName(name);
        let state = this.#images.get(key);
        if (!state)
          this.#images.set(key, (state = { size: image.sizeBytes ?? 0, nodes: new Set() }));
        state.nodes.add(info.name);
      }
    }
  }

  #forgetImages(info: NodeInfo): void {
    for (const image of info.node?.status?.images ?? []) {
      for (const name of image.names ?? []) {
        const key = normalizedImageName(name);
        const state = this.#images.get(key);
        state?.nodes.delete(info.name);
        if (state?.nodes.size === 0) this.#images.delete(key);
      }
    }
  }

  /**
   * Adds a pod bound to `spec.nodeName` (or replaces it, when known, e.g. an assumed pod whose
   * binding the informer now reports). Pods without a node are ignored; pods that have finished
   * (Succeeded or Failed) hold no resources and are removed.
   */
  upsertPod(pod: Pod, nodeName = pod.spec?.nodeName): void {
    const key = podKey(pod);
    this.removePod(pod);
    const phase = pod.status?.phase;
    if (!nodeName || phase === "Succeeded" || phase === "Failed") return;
    const p = newPodInfo(pod);
    let info = this.#nodes.get(nodeName);
    if (!info) this.#nodes.set(nodeName, (info = new NodeInfo(nodeName)));
    info.addPod(p);
    this.#podNode.set(key, nodeName);
    this.#index(info);
  }

  /**
   * Places a pod on a node before its binding is confirmed, so the next cycles see the resources
   * taken. `upsertPod` of the bound pod later replaces it; `forgetPod` undoes it when binding fails.
   */
  assumePod(pod: Pod, nodeName: string): void {
    this.upsertPod(pod, nodeName);
    this.#assumed.add(podKey(pod));
  }

  /** Whether the pod is placed by assumption only. */
  isAssumed(pod: Pod): boolean {
    return this.#assumed.has(podKey(pod));
  }

  /** Undoes `assumePod`; a no-op for pods the informer has confirmed meanwhile. */
  forgetPod(pod: Pod): void {
    if (this.#assumed.has(podKey(pod))) this.removePod(pod);
  }

  /** Removes a pod wherever it is. */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    this.#assumed.delete(key);
    const nodeName = this.#podNode.get(key);
    if (nodeName === undefined) return;
    this.#podNode.delete(key);
    const info = this.#nodes.get(nodeName);
    if (!info) return;
    info.removePod(key);
    this.#index(info);
    if (!info.node && info.pods.length === 0) this.#nodes.delete(nodeName);
  }

  #index(info: NodeInfo): void {
    if (info.podsWithRequiredAntiAffinity.length > 0) this.#withAntiAffinity.add(info);
    else this.#withAntiAffinity.delete(info);
    if (info.podsWithAffinity.length > 0) this.#withAffinity.add(info);
    else this.#withAffinity.delete(info);
  }

  /** Sets the labels of namespaces, for affinity terms with a namespaceSelector. */
  setNamespaceLabels(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    if (labels) this.#namespaceLabels.set(name, labels);
    else this.#namespaceLabels.delete(name);
  }

  /** The labels of a namespace, when known. */
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.#namespaceLabels.get(name);
  }

  /** The NodeInfo of a node that exists. */
  get(name: string): NodeInfo | undefined {
    const info = this.#nodes.get(name);
    return info?.node ? info : undefined;
  }

  /** The node a pod is placed on. */
  nodeOf(pod: Pod): string | undefined {
    return this.#podNode.get(podKey(pod));
  }

  /** Every existing node, interleaved by zone; the array is shared and must not be changed. */
  list(): readonly NodeInfo[] {
    if (this.#list) return this.#list;
    const zones = [...this.#zones.values()];
    const out: NodeInfo[] = [];
    for (let i = 0, added = true; added; i++) {
      added = false;
      for (const members of zones) {
        const name = members[i];
        if (name === undefined) continue;
        const info = this.#nodes.get(name);
        if (info?.node) out.push(info);
        added = true;
      }
    }
    return (this.#list = out);
  }

  /** Nodes hosting at least one pod with required anti-affinity. */
  withRequiredAntiAffinity(): ReadonlySet<NodeInfo> {
    return this.#withAntiAffinity;
  }

  /** Nodes hosting at least one pod with pod affinity or anti-affinity terms. */
  withAffinity(): ReadonlySet<NodeInfo> {
    return this.#withAffinity;
  }

  /** The state of an image (normalized name) across nodes. */
  image(name: string): ImageState | undefined {
    return this.#images.get(name);
  }

  /** Whether any node reports images. */
  hasImages(): boolean {
    return this.#images.size > 0;
  }

  /** Builds a snapshot from plain lists (pods without a node are skipped). */
  static of(nodes: readonly Node[], pods: readonly Pod[] = []): Snapshot {
    const s = new Snapshot();
    for (const n of nodes) s.upsertNode(n);
    for (const p of pods) s.upsertPod(p);
    return s;
  }

  /** The PodInfos of a node's pods. */
  podsOn(name: string): readonly PodInfo[] {
    return this.#nodes.get(name)?.pods ?? [];
  }
}
