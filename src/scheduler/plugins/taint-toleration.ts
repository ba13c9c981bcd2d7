/**
 * TaintToleration: a pod may not go where a NoSchedule or NoExecute taint is not tolerated, and
 * prefers nodes with fewer untolerated PreferNoSchedule taints.
 */
import type { Toleration } from "../../api/core/v1/pod-shapes.js";
import type { FilterPlugin, ScorePlugin } from "../plugin.js";
import { defaultNormalize } from "../plugin.js";
import type { Status } from "../status.js";
import { PluginName } from "../status.js";
import { firstUntolerated, tolerated } from "../taints.js";

/** Upstream's (v1.33) reason, naming the first untolerated taint. */
export function untoleratedTaintReason(key: string, value: string): string {
  return `node(s) had untolerated taint {${key}: ${value}}`;
}

/** Filters out nodes with an untolerated NoSchedule or NoExecute taint. */
export const taintTolerationFilter: FilterPlugin<null> = {
  name: PluginName.TaintToleration,
  preFilter() {
    return { state: null };
  },
  filter(_state, pod, node): Status | null {
    if (node.hardTaints.length === 0) return null;
    const taint = firstUntolerated(node.hardTaints, pod.tolerations);
    if (!taint) return null;
    return {
      code: "UnschedulableAndUnresolvable",
      reasons: [untoleratedTaintReason(taint.key, taint.value ?? "")],
      plugin: PluginName.TaintToleration,
    };
  },
};

/** Scores nodes by how few PreferNoSchedule taints the pod leaves untolerated (weight 3). */
export const taintTolerationScore: ScorePlugin<readonly Toleration[]> = {
  name: PluginName.TaintToleration,
  weight: 3,
  preScore(pod) {
    // Tolerations with no effect apply to every effect, PreferNoSchedule included.
    return pod.tolerations.filter((t) => !t.effect || t.effect === "PreferNoSchedule");
  },
  score(tolerations, _pod, node) {
    let n = 0;
    for (const taint of node.softTaints) if (!tolerated(tolerations, taint)) n++;
    return n;
  },
  normalize(_state, scores) {
    defaultNormalize(scores, true);
  },
};
