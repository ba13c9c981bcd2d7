/**
 * Plugin results. Success is `null` so the filter loop allocates nothing for nodes that fit; a
 * failure names its plugin and carries upstream's reason strings.
 */

/**
 * `Unschedulable`: evicting pods might help (preemption considers the node).
 * `UnschedulableAndUnresolvable`: nothing on the node can change that (preemption skips it).
 */
export type FailureCode = "Unschedulable" | "UnschedulableAndUnresolvable";

/** Why a plugin rejected a node (or, from a pre-filter, every node). */
export interface Status {
  readonly code: FailureCode;
  readonly reasons: readonly string[];
  readonly plugin: string;
}

/** A frozen status, for failures whose reasons never vary (shared across nodes). */
export function failure(plugin: string, code: FailureCode, ...reasons: string[]): Status {
  return Object.freeze({ code, reasons: Object.freeze(reasons), plugin });
}

/** Plugin names, as upstream's configuration spells them. */
export const PluginName = {
  NodeName: "NodeName",
  NodeUnschedulable: "NodeUnschedulable",
  TaintToleration: "TaintToleration",
  NodeAffinity: "NodeAffinity",
  NodePorts: "NodePorts",
  NodeResourcesFit: "NodeResourcesFit",
  PodTopologySpread: "PodTopologySpread",
  InterPodAffinity: "InterPodAffinity",
  NodeResourcesBalancedAllocation: "NodeResourcesBalancedAllocation",
  ImageLocality: "ImageLocality",
  VolumeBinding: "VolumeBinding",
  DefaultPreemption: "DefaultPreemption",
} as const;

/** The highest score a plugin gives a node, before its weight. */
export const MAX_NODE_SCORE = 100;
