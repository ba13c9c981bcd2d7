/**
 * The plugin contracts. A scheduling cycle calls every filter plugin's `preFilter` once per pod,
 * then `filter` per node until enough nodes fit; then every score plugin's `preScore` once over the
 * feasible nodes, `score` per feasible node, and `normalize` over all of them.
 */
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import type { Snapshot } from "./snapshot.js";
import type { Status } from "./status.js";

/** Returned by `preFilter` or `preScore` when the plugin has nothing to do for this pod. */
export const SKIP: unique symbol = Symbol("skip");

/** What `preFilter` may return besides SKIP and a state. */
export interface PreFilterOutcome<S> {
  state: S;
  /** Only these nodes can fit (upstream's PreFilterResult); others are not evaluated. */
  nodeNames?: ReadonlySet<string>;
}

/**
 * A filter: decides whether a pod may go on a node. `filter` must not change the state or the
 * node, and returns null when the node fits. The add/remove hooks keep the state true when
 * preemption removes pods from a node in a dry run; plugins whose state only depends on the node
 * being filtered need none.
 */
export interface FilterPlugin<S = unknown> {
  readonly name: string;
  /** Precomputes per-pod state; a Status rejects every node at once. */
  preFilter(pod: PodInfo, snapshot: Snapshot): PreFilterOutcome<S> | typeof SKIP | Status;
  filter(state: S, pod: PodInfo, node: NodeInfo): Status | null;
  /** A copy of the state that `addPod`/`removePod` can change. */
  cloneState?(state: S): S;
  addPod?(state: S, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod?(state: S, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

/**
 * A score plugin: rates each feasible node from 0 to 100 after `normalize`; the framework
 * multiplies by `weight` and sums over plugins.
 */
export interface ScorePlugin<S = unknown> {
  readonly name: string;
  readonly weight: number;
  preScore(pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): S | typeof SKIP;
  score(state: S, pod: PodInfo, node: NodeInfo): number;
  /** Rescales raw scores in place (index i is nodes[i]). */
  normalize?(state: S, scores: Float64Array, nodes: readonly NodeInfo[]): void;
}

/**
 * Upstream's DefaultNormalizeScore: scales scores so the largest becomes 100 (and, when
 * `reverse`, subtracts from 100); all zero gives 0, or 100 when reversed.
 */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === 0) {
    if (reverse) scores.fill(100);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((100 * scores[i]!) / max);
    scores[i] = reverse ? 100 - s : s;
  }
}
