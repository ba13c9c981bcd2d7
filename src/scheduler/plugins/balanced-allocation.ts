/**
 * NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in equal
 * fractions once the pod is placed (1 minus the standard deviation of the fractions, scaled to 100).
 * It counts actual requests, not the scoring defaults.
 */
import type { ScorePlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { MAX_NODE_SCORE, PluginName } from "../status.js";
import {
  allocatableOf,
  DEFAULT_SCORED_RESOURCES,
  podRequestFor,
  requestedWith,
  type ScoredResource,
} from "./node-resources-fit.js";

/** Upstream's balancedResourceScorer over (requested, allocatable) pairs. */
export function balancedScore(
  requested: readonly number[],
  allocatable: readonly number[],
): number {
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] !== 0) fractions.push(Math.min(requested[i]! / allocatable[i]!, 1));
  }
  return scoreOfFractions(fractions);
}

/** 1 minus the standard deviation of the usage fractions, scaled to 100 and truncated. */
function scoreOfFractions(fractions: readonly number[]): number {
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    let total = 0;
    for (const f of fractions) total += f;
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** Builds the BalancedAllocation score plugin (weight 1). */
export function balancedAllocationScore(
  resources: readonly { name: string; weight: number }[] = DEFAULT_SCORED_RESOURCES,
): ScorePlugin<ScoredResource[]> {
  const fractions: number[] = [];
  return {
    name: PluginName.NodeResourcesBalancedAllocation,
    weight: 1,
    preScore(pod) {
      const state = resources.map((r) => ({ ...r, podRequest: podRequestFor(pod, r.name, false) }));
      // A pod that requests nothing would pile onto one node (kubernetes#129138): skip it.
      return state.every((r) => r.podRequest === 0) ? SKIP : state;
    },
    score(state, _pod, node) {
      // The fractions array is reused across nodes: scoring is synchronous and never re-entered.
      fractions.length = 0;
      for (let i = 0; i < state.length; i++) {
        const r = state[i]!;
        const alloc = allocatableOf(node, r);
        if (alloc !== 0) fractions.push(Math.min(requestedWith(node, r, false) / alloc, 1));
      }
      return scoreOfFractions(fractions);
    },
  };
}
