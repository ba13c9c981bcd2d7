/** NodePorts: a host port (IP, protocol, port) can be held by one pod per node. */
import type { FilterPlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { failure, PluginName } from "../status.js";

/** Upstream's reason for a host port clash. */
export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

const CLASH = failure(PluginName.NodePorts, "Unschedulable", ERR_REASON_PORTS);

/** Rejects nodes where one of the pod's host ports is taken. */
export const nodePorts: FilterPlugin<null> = {
  name: PluginName.NodePorts,
  preFilter(pod) {
    return pod.hostPorts.length === 0 ? SKIP : { state: null };
  },
  filter(_state, pod, node) {
    if (node.usedPorts.size === 0) return null;
    for (const hp of pod.hostPorts) if (node.portConflicts(hp)) return CLASH;
    return null;
  },
};
