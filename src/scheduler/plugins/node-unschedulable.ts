/** NodeUnschedulable: cordoned nodes take no new pods unless the pod tolerates the cordon. */
import type { FilterPlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { failure, PluginName } from "../status.js";
import { tolerated } from "../taints.js";

/** Upstream's reason for a cordoned node. */
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
const CORDONED = failure(
  PluginName.NodeUnschedulable,
  "UnschedulableAndUnresolvable",
  ERR_REASON_UNSCHEDULABLE,
);

/** Rejects nodes with `spec.unschedulable` for pods without the unschedulable toleration. */
export const nodeUnschedulable: FilterPlugin<true> = {
  name: PluginName.NodeUnschedulable,
  preFilter(pod) {
    return tolerated(pod.tolerations, UNSCHEDULABLE_TAINT) ? SKIP : { state: true };
  },
  filter(_state, _pod, node) {
    return node.node?.spec?.unschedulable === true ? CORDONED : null;
  },
};
