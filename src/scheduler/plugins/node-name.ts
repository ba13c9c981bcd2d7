/** NodeName: a pod that names its node fits only there. */
import type { FilterPlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { failure, PluginName } from "../status.js";

/** Upstream's reason when a node is not the one the pod names. */
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

const MISMATCH = failure(PluginName.NodeName, "UnschedulableAndUnresolvable", ERR_REASON_NODE_NAME);

/** Rejects every node but `spec.nodeName`, when the pod sets it. */
export const nodeName: FilterPlugin<string> = {
  name: PluginName.NodeName,
  preFilter(pod) {
    const name = pod.pod.spec?.nodeName;
    return name ? { state: name } : SKIP;
  },
  filter(state, _pod, node) {
    return node.name === state ? null : MISMATCH;
  },
};
