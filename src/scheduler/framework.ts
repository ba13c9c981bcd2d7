/**
 * The scheduling cycle: pre-filter, filter a sample of the nodes starting where the last cycle
 * stopped, score the feasible ones, and pick the best (ties broken at random). Pure: it reads the
 * snapshot and changes nothing but its own rotating start index.
 */
import type { Pod } from "../api/core/v1/pod.js";
import { preFilter, runFilters, type FilterCycle } from "./cycle.js";
import { FitError } from "./fit-error.js";
import type { NodeInfo } from "./node-info.js";
import { newPodInfo, type PodInfo } from "./pod-info.js";
import type { FilterPlugin, ScorePlugin } from "./plugin.js";
import { SKIP } from "./plugin.js";
import { balancedAllocationScore } from "./plugins/balanced-allocation.js";
import { imageLocalityScore } from "./plugins/image-locality.js";
import { interPodAffinityFilter, interPodAffinityScore } from "./plugins/inter-pod-affinity.js";
import { nodeAffinityFilter, nodeAffinityScore } from "./plugins/node-affinity.js";
import { nodeName } from "./plugins/node-name.js";
import { nodePorts } from "./plugins/node-ports.js";
import { leastAllocatedScore, nodeResourcesFitFilter } from "./plugins/node-resources-fit.js";
import { nodeUnschedulable } from "./plugins/node-unschedulable.js";
import { podTopologySpreadFilter, podTopologySpreadScore } from "./plugins/pod-topology-spread.js";
import { taintTolerationFilter, taintTolerationScore } from "./plugins/taint-toleration.js";
import { randomInt } from "./random.js";
import type { Snapshot } from "./snapshot.js";
import { failure, type Status } from "./status.js";

/** Below this many nodes every node is evaluated. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The floor of the adaptive percentage. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** Upstream's default filters, in its order. */
export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintTolerationFilter,
  nodeAffinityFilter,
  nodePorts,
  nodeResourcesFitFilter,
  podTopologySpreadFilter,
  interPodAffinityFilter,
];

/** Upstream's default score plugins, with its weights. */
export const DEFAULT_SCORES: readonly ScorePlugin[] = [
  taintTolerationScore,
  nodeAffinityScore,
  leastAllocatedScore(),
  podTopologySpreadScore,
  interPodAffinityScore,
  balancedAllocationScore(),
  imageLocalityScore,
];

/**
 * How many feasible nodes to look for before scoring: all of a small cluster; otherwise the given
 * percentage, or adaptively 50% minus 1% per 125 nodes (at least 5%), and at least 100 nodes.
 */
export function numFeasibleNodesToFind(
  percentage: number | undefined,
  numAllNodes: number,
): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let p = percentage ?? 0;
  if (p >= 100) return numAllNodes;
  if (p <= 0) {
    p = 50 - Math.trunc(numAllNodes / 125);
    if (p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * p) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** Settings of a Scheduler. */
export interface SchedulerOptions {
  filters?: readonly FilterPlugin[];
  scores?: readonly ScorePlugin[];
  /** Upstream's percentageOfNodesToScore; unset or 0 means adaptive. */
  percentageOfNodesToScore?: number;
  /** Random source for tie-breaks and preemption offsets (seed it in tests). */
  random?: () => number;
  /** Return every feasible node's total score with the result (for tests and debugging). */
  recordScores?: boolean;
}

/** Where a pod should go, and how the decision was reached. */
export interface ScheduleSuccess {
  node: string;
  /** Nodes filtered (feasible plus rejected). */
  evaluatedNodes: number;
  feasibleNodes: number;
  /** Total weighted score per feasible node, when scoring ran. */
  scores?: ReadonlyMap<string, number>;
}

/** The outcome of one scheduling cycle. */
export type ScheduleResult = ScheduleSuccess | { unschedulable: FitError };

/** Runs scheduling cycles; holds the rotating start index that spreads sampling over nodes. */
export class Scheduler {
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly ScorePlugin[];
  readonly percentageOfNodesToScore: number | undefined;
  readonly random: () => number;
  readonly recordScores: boolean;
  /** Where the next cycle starts filtering (upstream's nextStartNodeIndex). */
  nextStartNodeIndex = 0;

  constructor(opts: SchedulerOptions = {}) {
    this.filters = opts.filters ?? DEFAULT_FILTERS;
    this.scores = opts.scores ?? DEFAULT_SCORES;
    this.percentageOfNodesToScore = opts.percentageOfNodesToScore;
    this.random = opts.random ?? Math.random;
    this.recordScores = opts.recordScores ?? false;
  }

  /**
   * Picks a node for the pod, or explains why none fits. Throws SelectorParseError when the pod's
   * affinity selectors are invalid (the API rejects those on create).
   */
  schedule(pod: Pod, snapshot: Snapshot): ScheduleResult {
    return this.scheduleInfo(newPodInfo(pod), snapshot);
  }

  /** `schedule` for a pod whose PodInfo is already built. */
  scheduleInfo(pod: PodInfo, snapshot: Snapshot): ScheduleResult {
    const all = snapshot.list();
    if (all.length === 0) return { unschedulable: new FitError(0, new Map()) };

    const cycle = preFilter(pod, snapshot, this.filters);
    if (cycle.failed) {
      const reasons = cycle.failed.reasons.join(", ");
      return { unschedulable: new FitError(all.length, new Map(), cycle.failed, reasons) };
    }

    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const node = snapshot.get(nominated);
      if (
        node &&
        (!cycle.nodeNames || cycle.nodeNames.has(nominated)) &&
        !runFilters(cycle, node)
      ) {
        return { node: nominated, evaluatedNodes: 1, feasibleNodes: 1 };
      }
    }

    let nodes = all;
    let absent: Status | undefined;
    if (cycle.nodeNames) {
      nodes = [...cycle.nodeNames].flatMap((n) => snapshot.get(n) ?? []);
      absent = failure(
        cycle.restrictedBy[0] ?? "",
        "UnschedulableAndUnresolvable",
        `node(s) didn't satisfy plugin(s) [${[...new Set(cycle.restrictedBy)].sort().join(" ")}]`,
      );
    }

    const { feasible, statuses } = this.#findFeasible(cycle, nodes);
    if (feasible.length === 0) {
      return { unschedulable: new FitError(all.length, statuses, absent) };
    }
    const evaluatedNodes = feasible.length + statuses.size;
    if (feasible.length === 1) {
      return { node: feasible[0]!.name, evaluatedNodes, feasibleNodes: 1 };
    }

    const totals = this.#score(pod, feasible, snapshot);
    const best = this.#selectHost(totals);
    const result: ScheduleSuccess = {
      node: feasible[best]!.name,
      evaluatedNodes,
      feasibleNodes: feasible.length,
    };
    if (this.recordScores) result.scores = new Map(feasible.map((n, i) => [n.name, totals[i]!]));
    return result;
  }

  /** Filters nodes from the rotating start until enough fit, recording why others did not. */
  #findFeasible(
    cycle: FilterCycle,
    nodes: readonly NodeInfo[],
  ): { feasible: NodeInfo[]; statuses: Map<string, Status> } {
    const n = nodes.length;
    const want = numFeasibleNodesToFind(this.percentageOfNodesToScore, n);
    const feasible: NodeInfo[] = [];
    const statuses = new Map<string, Status>();
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % n]!;
      const status = runFilters(cycle, node);
      if (status === null) feasible.push(node);
      else statuses.set(node.name, status);
    }
    if (n > 0) this.nextStartNodeIndex = (start + processed) % n;
    return { feasible, statuses };
  }

  /** Weighted sum of the normalized scores of every score plugin, per feasible node. */
  #score(pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Float64Array {
    const totals = new Float64Array(nodes.length);
    const scores = new Float64Array(nodes.length);
    for (const plugin of this.scores) {
      const state = plugin.preScore(pod, nodes, snapshot);
      if (state === SKIP) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalize?.(state, scores, nodes);
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * plugin.weight;
    }
    return totals;
  }

  /** The index of a highest total; ties are broken uniformly at random (reservoir sampling). */
  #selectHost(totals: Float64Array): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (randomInt(this.random, ties) === 0) best = i;
      }
    }
    return best;
  }
}
