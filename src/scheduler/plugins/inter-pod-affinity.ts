/**
 * InterPodAffinity: required pod affinity (go where matching pods are), required anti-affinity (go
 * where they are not), existing pods' required anti-affinity (do not go where a pod refuses us),
 * and preferred terms of both sides as scores.
 */
import type { NodeInfo } from "../node-info.js";
import { termMatches, type AffinityTerm, type PodInfo } from "../pod-info.js";
import type { FilterPlugin, ScorePlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import type { Snapshot } from "../snapshot.js";
import { failure, MAX_NODE_SCORE, PluginName } from "../status.js";

/** Upstream's reason when the node's topology holds no pod the pod's affinity asks for. */
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
/** Upstream's reason when the node's topology holds a pod the pod's anti-affinity refuses. */
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** Upstream's reason when a pod in the node's topology refuses the pod. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY =
  "node(s) didn't satisfy existing pods anti-affinity rules";

/** Weight given to existing pods' required affinity terms that the pod matches, when scoring. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

const AFFINITY = failure(
  PluginName.InterPodAffinity,
  "UnschedulableAndUnresolvable",
  ERR_REASON_AFFINITY,
);
const ANTI = failure(PluginName.InterPodAffinity, "Unschedulable", ERR_REASON_ANTI_AFFINITY);
const EXISTING = failure(
  PluginName.InterPodAffinity,
  "Unschedulable",
  ERR_REASON_EXISTING_ANTI_AFFINITY,
);

/** Counts per topology key, then per value. */
type TopologyCounts = Map<string, Map<string, number>>;

function bump(m: TopologyCounts, node: NodeInfo, key: string, delta: number): void {
  const value = node.labels[key];
  if (value === undefined) return;
  let byValue = m.get(key);
  if (!byValue) m.set(key, (byValue = new Map()));
  const n = (byValue.get(value) ?? 0) + delta;
  if (n === 0) byValue.delete(value);
  else byValue.set(value, n);
  if (byValue.size === 0) m.delete(key);
}

function countAt(m: TopologyCounts, node: NodeInfo, key: string): number {
  const value = node.labels[key];
  return value === undefined ? 0 : (m.get(key)?.get(value) ?? 0);
}

function matchesAll(terms: readonly AffinityTerm[], p: PodInfo, ns: Snapshot | undefined): boolean {
  for (const t of terms) if (!termMatches(t, p, ns?.namespaceLabels(p.namespace))) return false;
  return true;
}

/** The filter's per-pod state. */
export interface AffinityFilterState {
  existingAnti: TopologyCounts;
  affinity: TopologyCounts;
  anti: TopologyCounts;
  podNamespaceLabels: Readonly<Record<string, string>> | undefined;
  snapshot: Snapshot;
}

function updateForExisting(
  s: AffinityFilterState,
  pod: PodInfo,
  other: PodInfo,
  node: NodeInfo,
  delta: 1 | -1,
): void {
  for (const t of other.requiredAntiAffinityTerms) {
    if (termMatches(t, pod, s.podNamespaceLabels)) bump(s.existingAnti, node, t.topologyKey, delta);
  }
  if (
    pod.requiredAffinityTerms.length > 0 &&
    matchesAll(pod.requiredAffinityTerms, other, s.snapshot)
  ) {
    for (const t of pod.requiredAffinityTerms) bump(s.affinity, node, t.topologyKey, delta);
  }
  const otherNs = s.snapshot.namespaceLabels(other.namespace);
  for (const t of pod.requiredAntiAffinityTerms) {
    if (termMatches(t, other, otherNs)) bump(s.anti, node, t.topologyKey, delta);
  }
}

function cloneCounts(m: TopologyCounts): TopologyCounts {
  return new Map([...m].map(([k, v]) => [k, new Map(v)]));
}

/** Filters nodes by required pod affinity and anti-affinity, the pod's and existing pods'. */
export const interPodAffinityFilter: FilterPlugin<AffinityFilterState> = {
  name: PluginName.InterPodAffinity,
  preFilter(pod, snapshot) {
    const own = pod.requiredAffinityTerms.length > 0 || pod.requiredAntiAffinityTerms.length > 0;
    if (!own && snapshot.withRequiredAntiAffinity().size === 0) return SKIP;
    const s: AffinityFilterState = {
      existingAnti: new Map(),
      affinity: new Map(),
      anti: new Map(),
      podNamespaceLabels: snapshot.namespaceLabels(pod.namespace),
      snapshot,
    };
    for (const node of snapshot.withRequiredAntiAffinity()) {
      if (!node.node) continue;
      for (const other of node.podsWithRequiredAntiAffinity) {
        for (const t of other.requiredAntiAffinityTerms) {
          if (termMatches(t, pod, s.podNamespaceLabels))
            bump(s.existingAnti, node, t.topologyKey, 1);
        }
      }
    }
    if (own) {
      for (const node of snapshot.list()) {
        for (const other of node.pods) {
          if (
            pod.requiredAffinityTerms.length > 0 &&
            matchesAll(pod.requiredAffinityTerms, other, snapshot)
          ) {
            for (const t of pod.requiredAffinityTerms) bump(s.affinity, node, t.topologyKey, 1);
          }
          const otherNs = snapshot.namespaceLabels(other.namespace);
          for (const t of pod.requiredAntiAffinityTerms) {
            if (termMatches(t, other, otherNs)) bump(s.anti, node, t.topologyKey, 1);
          }
        }
      }
    }
    return { state: s };
  },
  filter(s, pod, node) {
    if (!satisfiesAffinity(s, pod, node)) return AFFINITY;
    if (s.anti.size > 0) {
      for (const t of pod.requiredAntiAffinityTerms) {
        if (countAt(s.anti, node, t.topologyKey) > 0) return ANTI;
      }
    }
    if (s.existingAnti.size > 0) {
      for (const key of s.existingAnti.keys())
        if (countAt(s.existingAnti, node, key) > 0) return EXISTING;
    }
    return null;
  },
  cloneState(s) {
    return {
      ...s,
      existingAnti: cloneCounts(s.existingAnti),
      affinity: cloneCounts(s.affinity),
      anti: cloneCounts(s.anti),
    };
  },
  addPod(s, pod, added, node) {
    updateForExisting(s, pod, added, node, 1);
  },
  removePod(s, pod, removed, node) {
    updateForExisting(s, pod, removed, node, -1);
  },
};

function satisfiesAffinity(s: AffinityFilterState, pod: PodInfo, node: NodeInfo): boolean {
  const terms = pod.requiredAffinityTerms;
  if (terms.length === 0) return true;
  let podsExist = true;
  for (const t of terms) {
    if (node.labels[t.topologyKey] === undefined) return false;
    if (countAt(s.affinity, node, t.topologyKey) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group that is affine to itself must be allowed somewhere: when no pod in
  // the cluster matches yet and the pod matches its own terms, any node with the topology will do.
  return s.affinity.size === 0 && matchesAll(terms, pod, s.snapshot);
}

/** The score's per-pod state: summed weights per topology key and value. */
export type AffinityScoreState = TopologyCounts;

function addTerms(
  m: TopologyCounts,
  terms: readonly (AffinityTerm & { weight?: number })[],
  target: PodInfo,
  targetNs: Readonly<Record<string, string>> | undefined,
  node: NodeInfo,
  sign: 1 | -1,
  fixedWeight?: number,
): void {
  for (const t of terms) {
    if (termMatches(t, target, targetNs))
      bump(m, node, t.topologyKey, sign * (fixedWeight ?? t.weight ?? 0));
  }
}

/** Scores nodes by preferred pod affinity and anti-affinity of both sides (weight 2). */
export const interPodAffinityScore: ScorePlugin<AffinityScoreState> = {
  name: PluginName.InterPodAffinity,
  weight: 2,
  preScore(pod, _nodes, snapshot) {
    const hasPreferred =
      pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
    const m: TopologyCounts = new Map();
    const podNs = snapshot.namespaceLabels(pod.namespace);
    const nodes: Iterable<NodeInfo> = hasPreferred ? snapshot.list() : snapshot.withAffinity();
    for (const node of nodes) {
      if (!node.node || Object.keys(node.labels).length === 0) continue;
      for (const other of hasPreferred ? node.pods : node.podsWithAffinity) {
        const otherNs = snapshot.namespaceLabels(other.namespace);
        addTerms(m, pod.preferredAffinityTerms, other, otherNs, node, 1);
        addTerms(m, pod.preferredAntiAffinityTerms, other, otherNs, node, -1);
        addTerms(m, other.requiredAffinityTerms, pod, podNs, node, 1, HARD_POD_AFFINITY_WEIGHT);
        addTerms(m, other.preferredAffinityTerms, pod, podNs, node, 1);
        addTerms(m, other.preferredAntiAffinityTerms, pod, podNs, node, -1);
      }
    }
    return m.size === 0 ? SKIP : m;
  },
  score(m, _pod, node) {
    let score = 0;
    for (const [key, byValue] of m) {
      const value = node.labels[key];
      if (value !== undefined) score += byValue.get(value) ?? 0;
    }
    return score;
  },
  normalize(_m, scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i]! - min) / diff)) : 0;
    }
  },
};
