/**
 * NodeAffinity: the pod's nodeSelector and required node affinity decide where it may go; its
 * preferred terms add their weights to the nodes they match.
 */
import type { PodInfo } from "../pod-info.js";
import type { FilterPlugin, ScorePlugin } from "../plugin.js";
import { defaultNormalize, SKIP } from "../plugin.js";
import { isEmptyTerm, NodeSelectorTermMatcher, RequiredNodeAffinity } from "../selectors.js";
import { failure, PluginName } from "../status.js";

/** Upstream's reason when a node fails the pod's nodeSelector or required node affinity. */
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
/** Upstream's reason when each required term names nodes the others exclude. */
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

const MISMATCH = failure(
  PluginName.NodeAffinity,
  "UnschedulableAndUnresolvable",
  ERR_REASON_NODE_AFFINITY,
);

/**
 * The node names the required terms restrict the pod to through `metadata.name In`, or undefined
 * when some term allows any node.
 */
function nodeNamesOfTerms(pod: PodInfo): Set<string> | undefined {
  const terms =
    pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== "metadata.name" || r.operator !== "In") continue;
      const s = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    // Terms are ORed: one without a name restriction lets every node through.
    if (!termNames) return undefined;
    names ??= new Set();
    for (const n of termNames) names.add(n);
  }
  return names;
}

/** Filters nodes by the pod's nodeSelector and required node affinity. */
export const nodeAffinityFilter: FilterPlugin<RequiredNodeAffinity> = {
  name: PluginName.NodeAffinity,
  preFilter(pod) {
    const affinity = new RequiredNodeAffinity(pod.pod);
    if (affinity.isEmpty()) return SKIP;
    const names = nodeNamesOfTerms(pod);
    if (names && names.size === 0) {
      return failure(PluginName.NodeAffinity, "UnschedulableAndUnresolvable", ERR_REASON_CONFLICT);
    }
    return names ? { state: affinity, nodeNames: names } : { state: affinity };
  },
  filter(affinity, _pod, node) {
    return node.node && affinity.matches(node.node) ? null : MISMATCH;
  },
};

interface Preferred {
  weight: number;
  term: NodeSelectorTermMatcher;
}

/** Scores nodes by the summed weights of the preferred terms they match (weight 2). */
export const nodeAffinityScore: ScorePlugin<readonly Preferred[]> = {
  name: PluginName.NodeAffinity,
  weight: 2,
  preScore(pod) {
    const terms =
      pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const out: Preferred[] = [];
    for (const t of terms) {
      if (!t.weight || isEmptyTerm(t.preference)) continue;
      out.push({ weight: t.weight, term: new NodeSelectorTermMatcher(t.preference ?? {}) });
    }
    return out.length === 0 ? SKIP : out;
  },
  score(terms, _pod, node) {
    let sum = 0;
    if (!node.node) return 0;
    for (const t of terms) if (t.term.matches(node.node)) sum += t.weight;
    return sum;
  },
  normalize(_state, scores) {
    defaultNormalize(scores, false);
  },
};
