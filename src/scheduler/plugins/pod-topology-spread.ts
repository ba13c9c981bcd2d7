/**
 * PodTopologySpread: keeps matching pods spread across topology domains. DoNotSchedule constraints
 * filter (a domain may not exceed the emptiest one by more than maxSkew); ScheduleAnyway
 * constraints score (fewer matching pods in the node's domains scores higher).
 */
import type { TopologySpreadConstraint } from "../../api/core/v1/pod-shapes.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import type { FilterPlugin, ScorePlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { LabelMatcher, RequiredNodeAffinity } from "../selectors.js";
import { failure, MAX_NODE_SCORE, PluginName } from "../status.js";
import { firstUntolerated } from "../taints.js";

/** Upstream's reason when placing the pod would exceed a constraint's maxSkew. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH =
  "node(s) didn't match pod topology spread constraints";
/** Upstream's reason when the node lacks a constraint's topology label. */
export const ERR_REASON_NODE_LABEL_NOT_MATCH =
  "node(s) didn't match pod topology spread constraints (missing required label)";

const HOSTNAME = "kubernetes.io/hostname";
const SKEWED = failure(
  PluginName.PodTopologySpread,
  "Unschedulable",
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
);
const NO_LABEL = failure(
  PluginName.PodTopologySpread,
  "UnschedulableAndUnresolvable",
  ERR_REASON_NODE_LABEL_NOT_MATCH,
);

/** A parsed constraint. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelMatcher;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

/** Parses the pod's constraints with the given whenUnsatisfiable, merging matchLabelKeys. */
export function spreadConstraints(pod: PodInfo, action: string): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of pod.pod.spec?.topologySpreadConstraints ?? []) {
    if ((c.whenUnsatisfiable ?? "DoNotSchedule") !== action) continue;
    out.push(parseConstraint(c, pod));
  }
  return out;
}

function parseConstraint(c: TopologySpreadConstraint, pod: PodInfo): SpreadConstraint {
  const extra: { key: string; in: string }[] = [];
  for (const key of c.matchLabelKeys ?? []) {
    const value = pod.labels[key];
    if (value !== undefined) extra.push({ key, in: value });
  }
  return {
    maxSkew: c.maxSkew ?? 1,
    topologyKey: c.topologyKey ?? "",
    selector: LabelMatcher.compile(c.labelSelector, extra),
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
    honorNodeTaints: (c.nodeTaintsPolicy ?? "Ignore") === "Honor",
  };
}

function hasAllKeys(node: NodeInfo, constraints: readonly SpreadConstraint[]): boolean {
  const labels = node.labels;
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** Whether a node takes part in a constraint's counting under its inclusion policies. */
function included(
  c: SpreadConstraint,
  pod: PodInfo,
  node: NodeInfo,
  affinity: RequiredNodeAffinity,
): boolean {
  if (c.honorNodeAffinity && !(node.node && affinity.matches(node.node))) return false;
  if (c.honorNodeTaints && firstUntolerated(node.hardTaints, pod.tolerations)) return false;
  return true;
}

/** Pods on the node that count for a constraint: same namespace, not terminating, selected. */
function countMatching(
  pods: readonly PodInfo[],
  selector: LabelMatcher,
  namespace: string,
): number {
  let n = 0;
  for (const p of pods) {
    if (p.terminating || p.namespace !== namespace) continue;
    if (selector.matches(p.labels)) n++;
  }
  return n;
}

/** The filter's per-pod state. */
export interface SpreadFilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: matching pods per topology value, over the nodes that count. */
  counts: Map<string, number>[];
  affinity: RequiredNodeAffinity;
}

function minMatch(state: SpreadFilterState, i: number): number {
  const counts = state.counts[i]!;
  if (counts.size < state.constraints[i]!.minDomains) return 0;
  let min = Infinity;
  for (const v of counts.values()) if (v < min) min = v;
  return min === Infinity ? 0 : min;
}

function adjust(
  state: SpreadFilterState,
  pod: PodInfo,
  other: PodInfo,
  node: NodeInfo,
  delta: 1 | -1,
): void {
  if (other.terminating || other.namespace !== pod.namespace) return;
  if (!hasAllKeys(node, state.constraints)) return;
  state.constraints.forEach((c, i) => {
    if (!included(c, pod, node, state.affinity) || !c.selector.matches(other.labels)) return;
    const value = node.labels[c.topologyKey]!;
    const counts = state.counts[i]!;
    counts.set(value, (counts.get(value) ?? 0) + delta);
  });
}

/** Filters nodes by the pod's DoNotSchedule constraints. */
export const podTopologySpreadFilter: FilterPlugin<SpreadFilterState> = {
  name: PluginName.PodTopologySpread,
  preFilter(pod, snapshot) {
    const constraints = spreadConstraints(pod, "DoNotSchedule");
    if (constraints.length === 0) return SKIP;
    const affinity = new RequiredNodeAffinity(pod.pod);
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of snapshot.list()) {
      if (!hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(c, pod, node, affinity)) return;
        const value = node.labels[c.topologyKey]!;
        const m = counts[i]!;
        m.set(value, (m.get(value) ?? 0) + countMatching(node.pods, c.selector, pod.namespace));
      });
    }
    return { state: { constraints, counts, affinity } };
  },
  filter(state, pod, node) {
    const labels = node.labels;
    for (let i = 0; i < state.constraints.length; i++) {
      const c = state.constraints[i]!;
      const value = labels[c.topologyKey];
      if (value === undefined) return NO_LABEL;
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (state.counts[i]!.get(value) ?? 0) + self - minMatch(state, i);
      if (skew > c.maxSkew) return SKEWED;
    }
    return null;
  },
  cloneState(state) {
    return { ...state, counts: state.counts.map((m) => new Map(m)) };
  },
  addPod(state, pod, added, node) {
    adjust(state, pod, added, node, 1);
  },
  removePod(state, pod, removed, node) {
    adjust(state, pod, removed, node, -1);
  },
};

/** The score's per-pod state. */
export interface SpreadScoreState {
  constraints: SpreadConstraint[];
  ignored: Set<string>;
  /** Per constraint: matching pods per topology value (hostname counts are taken per node). */
  counts: Map<string, number>[];
  weights: number[];
}

/** Scores nodes by the pod's ScheduleAnyway constraints (weight 2). */
export const podTopologySpreadScore: ScorePlugin<SpreadScoreState> = {
  name: PluginName.PodTopologySpread,
  weight: 2,
  preScore(pod, nodes, snapshot) {
    const constraints = spreadConstraints(pod, "ScheduleAnyway");
    if (constraints.length === 0 || nodes.length === 0) return SKIP;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of nodes) {
      if (!hasAllKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey !== HOSTNAME) counts[i]!.set(node.labels[c.topologyKey]!, 0);
      });
    }
    const weights = constraints.map((c, i) =>
      Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i]!.size) + 2),
    );
    const affinity = new RequiredNodeAffinity(pod.pod);
    for (const node of snapshot.list()) {
      if (!hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(c, pod, node, affinity)) return;
        const value = node.labels[c.topologyKey]!;
        const m = counts[i]!;
        const current = m.get(value);
        // Only domains of candidate nodes matter; hostname is counted during score.
        if (current === undefined) return;
        m.set(value, current + countMatching(node.pods, c.selector, pod.namespace));
      });
    }
    return { constraints, ignored, counts, weights };
  },
  score(state, pod, node) {
    if (state.ignored.has(node.name)) return 0;
    let score = 0;
    state.constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey];
      if (value === undefined) return;
      const count =
        c.topologyKey === HOSTNAME
          ? countMatching(node.pods, c.selector, pod.namespace)
          : (state.counts[i]!.get(value) ?? 0);
      score += count * state.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(state, scores, nodes) {
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < scores.length; i++) {
      if (state.ignored.has(nodes[i]!.name)) continue;
      min = Math.min(min, scores[i]!);
      max = Math.max(max, scores[i]!);
    }
    for (let i = 0; i < scores.length; i++) {
      if (state.ignored.has(nodes[i]!.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    }
  },
};
