/**
 * FitError: why no node fits a pod, summarised as upstream's FailedScheduling message:
 * `0/5 nodes are available: 2 Insufficient cpu, 3 node(s) were unschedulable. preemption: ...`.
 */
import type { Status } from "./status.js";

/** Upstream's message when the cluster has no nodes at all. */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

/** The per-node outcome of a failed scheduling (or preemption) attempt. */
export class FitError {
  /** The message of the post-filter (preemption) step, when it ran; appended to the message. */
  postFilterMessage = "";

  /**
   * @param numAllNodes nodes in the cluster.
   * @param nodeToStatus why each evaluated node was rejected.
   * @param absentStatus the status of nodes that are not in `nodeToStatus` (set when a pre-filter
   *   narrowed the candidates or rejected every node).
   * @param preFilterMessage the message of a pre-filter that rejected every node.
   */
  constructor(
    readonly numAllNodes: number,
    readonly nodeToStatus: ReadonlyMap<string, Status>,
    readonly absentStatus?: Status,
    readonly preFilterMessage = "",
  ) {}

  /** The status of a node: its own, or the absent-node status. */
  statusOf(node: string): Status | undefined {
    return this.nodeToStatus.get(node) ?? this.absentStatus;
  }

  /** How many nodes gave each reason, as `"<count> <reason>"` strings sorted as upstream does. */
  reasonHistogram(): string[] {
    const counts = new Map<string, number>();
    for (const status of this.nodeToStatus.values()) {
      for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    const absent = this.numAllNodes - this.nodeToStatus.size;
    if (absent > 0 && this.absentStatus) {
      for (const r of this.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    }
    // Upstream sorts the formatted strings, counts included (so "10 x" sorts before "2 y").
    return [...counts].map(([r, n]) => `${n} ${r}`).sort();
  }

  /** The plugins that rejected at least one node. */
  unschedulablePlugins(): Set<string> {
    const out = new Set<string>();
    for (const s of this.nodeToStatus.values()) out.add(s.plugin);
    if (this.absentStatus) out.add(this.absentStatus.plugin);
    return out;
  }

  /** Upstream's FitError text (the FailedScheduling event message and PodScheduled condition). */
  message(): string {
    if (this.numAllNodes === 0 && this.nodeToStatus.size === 0 && this.preFilterMessage === "") {
      return NO_NODES_AVAILABLE;
    }
    let msg = `0/${this.numAllNodes} nodes are available:`;
    if (this.preFilterMessage !== "") msg += ` ${this.preFilterMessage}.`;
    else {
      const reasons = this.reasonHistogram();
      if (reasons.length > 0) msg += ` ${reasons.join(", ")}.`;
    }
    if (this.postFilterMessage !== "") msg += ` ${this.postFilterMessage}`;
    return msg;
  }
}
