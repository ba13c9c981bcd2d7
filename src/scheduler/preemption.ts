/**
 * Preemption (upstream's DefaultPreemption post-filter), as a pure decision: for a pod no node
 * fits, find the node where evicting lower-priority pods makes it fit, evicting as few and as
 * unimportant pods as possible and preferring not to break PodDisruptionBudgets.
 */
import type { Pod } from "../api/core/v1/pod.js";
import type { PodDisruptionBudget } from "../api/policy/v1/pod-disruption-budget.js";
import { cloneCycle, notifyPod, preFilter, runFilters, type FilterCycle } from "./cycle.js";
import { FitError } from "./fit-error.js";
import type { Scheduler } from "./framework.js";
import type { NodeInfo } from "./node-info.js";
import { newPodInfo, type PodInfo } from "./pod-info.js";
import { randomInt } from "./random.js";
import { LabelMatcher } from "./selectors.js";
import type { Snapshot } from "./snapshot.js";
import { failure, PluginName, type Status } from "./status.js";

/** Upstream's reason for nodes where evicting pods cannot help. */
export const ERR_REASON_NOT_HELPFUL = "Preemption is not helpful for scheduling";
/** Upstream's reason for nodes without lower-priority pods. */
export const ERR_REASON_NO_VICTIMS = "No preemption victims found for incoming pod";

const NOT_HELPFUL = failure(
  PluginName.DefaultPreemption,
  "UnschedulableAndUnresolvable",
  ERR_REASON_NOT_HELPFUL,
);
const NO_VICTIMS = failure(
  PluginName.DefaultPreemption,
  "UnschedulableAndUnresolvable",
  ERR_REASON_NO_VICTIMS,
);

/** Dry runs stop once this share of the candidate nodes (or the absolute floor) has a candidate. */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
/** The floor on how many candidates to gather before picking one. */
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** A node where preemption works, with what it costs. */
export interface PreemptionCandidate {
  node: string;
  /** Pods to evict, most important first. */
  victims: Pod[];
  /** How many of them a PodDisruptionBudget does not allow to go. */
  pdbViolations: number;
}

/** The outcome of preemption: a nominated node and its victims, or why there is none. */
export type PreemptionResult =
  | { nominatedNode: string; victims: Pod[] }
  | {
      /** Upstream's post-filter message, `preemption: ...`, for FitError.postFilterMessage. */
      message: string;
    };

/** Settings of one preemption attempt. */
export interface PreemptOptions {
  /** The budgets of the cluster (only those in a victim's namespace matter). */
  pdbs?: readonly PodDisruptionBudget[];
  /** "Now" in milliseconds, for pods that have not started (upstream uses the current time). */
  now?: number;
}

/** Upstream's eligibility check: returns why the pod may not preempt, or undefined. */
export function preemptionIneligibility(pod: Pod, snapshot: Snapshot): string | undefined {
  if (pod.spec?.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const priority = pod.spec?.priority ?? 0;
    // Victims chosen earlier are still terminating there: wait for them instead of preempting more.
    for (const p of snapshot.podsOn(nominated)) {
      if (p.terminating && p.priority < priority) {
        return "not eligible due to a terminating pod on the nominated node.";
      }
    }
  }
  return undefined;
}

/** More important: higher priority, then earlier start. */
function moreImportant(a: PodInfo, b: PodInfo, now: number): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return (a.startTime ?? now) - (b.startTime ?? now);
}

interface CompiledPDB {
  namespace: string;
  selector: LabelMatcher;
  allowed: number;
  disrupted: Readonly<Record<string, string>>;
}

function compilePDBs(pdbs: readonly PodDisruptionBudget[]): CompiledPDB[] {
  const out: CompiledPDB[] = [];
  for (const pdb of pdbs) {
    let selector: LabelMatcher;
    try {
      selector = LabelMatcher.compile(pdb.spec?.selector);
    } catch {
      // Upstream skips a budget whose selector does not parse.
      continue;
    }
    // An empty selector selects nothing here, as upstream treats it for preemption.
    if (selector.isEverything()) continue;
    out.push({
      namespace: pdb.metadata.namespace ?? "default",
      selector,
      allowed: pdb.status?.disruptionsAllowed ?? 0,
      disrupted: pdb.status?.disruptedPods ?? {},
    });
  }
  return out;
}

/** Splits pods (most important first) into those whose eviction breaks a budget and the rest. */
function splitByPDB(
  pods: readonly PodInfo[],
  pdbs: readonly CompiledPDB[],
): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) => p.allowed);
  const violating: PodInfo[] = [];
  const other: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (pdb.namespace !== p.namespace || !pdb.selector.matches(p.labels)) return;
        // Pods the budget already counts as disrupted do not use it up again.
        if (Object.hasOwn(pdb.disrupted, p.pod.metadata.name ?? "")) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : other).push(p);
  }
  return [violating, other];
}

/**
 * Finds the fewest, least important victims on one node: remove every lower-priority pod; if the
 * pod then fits, put pods back one by one (budget-violating ones first, most important first),
 * keeping each that still lets it fit.
 */
function selectVictims(
  cycle: FilterCycle,
  original: NodeInfo,
  pdbs: readonly CompiledPDB[],
  now: number,
): { victims: PodInfo[]; pdbViolations: number } | Status {
  const node = original.clone();
  const c = cloneCycle(cycle);
  const potential: PodInfo[] = [];
  for (const p of original.pods) {
    if (p.priority >= cycle.pod.priority) continue;
    potential.push(p);
    node.removePod(p.key);
    notifyPod(c, p, node, "remove");
  }
  if (potential.length === 0) return NO_VICTIMS;
  const status = runFilters(c, node);
  if (status) return status;

  potential.sort((a, b) => moreImportant(a, b, now));
  const [violating, other] = splitByPDB(potential, pdbs);
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    node.addPod(p);
    notifyPod(c, p, node, "add");
    if (runFilters(c, node) === null) return true;
    node.removePod(p.key);
    notifyPod(c, p, node, "remove");
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) pdbViolations++;
  for (const p of other) reprieve(p);
  if (violating.length > 0 && other.length > 0) victims.sort((a, b) => moreImportant(a, b, now));
  return { victims, pdbViolations };
}

/** The earliest start among the highest-priority victims (upstream's GetEarliestPodStartTime). */
function earliestStartOfTopPriority(victims: readonly PodInfo[], now: number): number {
  let top = victims[0]!.priority;
  let earliest = victims[0]!.startTime ?? now;
  for (const v of victims) {
    const start = v.startTime ?? now;
    if (v.priority === top) earliest = Math.min(earliest, start);
    else if (v.priority > top) {
      top = v.priority;
      earliest = start;
    }
  }
  return earliest;
}

interface InternalCandidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

/**
 * Upstream's pickOneNodeForPreemption: fewest budget violations, then the lowest highest-priority
 * victim, then the smallest sum of priorities, then the fewest victims, then the latest start of
 * the top-priority victims; the first candidate left wins.
 */
export function pickCandidate<C extends InternalCandidate>(
  candidates: readonly C[],
  now: number,
): C | undefined {
  for (const c of candidates) if (c.victims.length === 0) return c;
  const criteria: ((c: C) => number)[] = [
    (c) => -c.pdbViolations,
    (c) => -c.victims[0]!.priority,
    // Offsetting by 2^31 keeps every term positive, so more pods never sum to less.
    (c) => -c.victims.reduce((sum, v) => sum + v.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => earliestStartOfTopPriority(c.victims, now),
  ];
  let left = [...candidates];
  for (const score of criteria) {
    let best = -Infinity;
    let kept: C[] = [];
    for (const c of left) {
      const s = score(c);
      if (s > best) {
        best = s;
        kept = [c];
      } else if (s === best) kept.push(c);
    }
    if (kept.length === 1) return kept[0];
    left = kept;
  }
  return left[0];
}

/** How many candidates to gather before picking: 10% of the nodes, at least 100, at most all. */
export function numCandidates(numNodes: number): number {
  const n = Math.max(
    Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100),
    MIN_CANDIDATE_NODES_ABSOLUTE,
  );
  return Math.min(n, numNodes);
}

/**
 * Tries preemption for a pod that `scheduler.schedule` found no node for. `fitError` is that
 * cycle's error; on failure, set its `postFilterMessage` to the returned message.
 */
export function preempt(
  scheduler: Scheduler,
  pod: Pod,
  snapshot: Snapshot,
  fitError: FitError,
  opts: PreemptOptions = {},
): PreemptionResult {
  const ineligible = preemptionIneligibility(pod, snapshot);
  if (ineligible) return { message: `preemption: ${ineligible}` };

  const now = opts.now ?? Date.now();
  const info = newPodInfo(pod);
  const all = snapshot.list();
  const statuses = new Map<string, Status>();
  const potential: NodeInfo[] = [];
  for (const node of all) {
    if (fitError.statusOf(node.name)?.code === "UnschedulableAndUnresolvable") {
      statuses.set(node.name, NOT_HELPFUL);
    } else potential.push(node);
  }

  const cycle = preFilter(info, snapshot, scheduler.filters);
  const candidates: InternalCandidate[] = [];
  if (!cycle.failed && potential.length > 0) {
    const pdbs = compilePDBs(opts.pdbs ?? []);
    const want = numCandidates(potential.length);
    const offset = randomInt(scheduler.random, potential.length);
    let nonViolating = 0;
    for (let i = 0; i < potential.length; i++) {
      const node = potential[(offset + i) % potential.length]!;
      if (cycle.nodeNames && !cycle.nodeNames.has(node.name)) continue;
      const r = selectVictims(cycle, node, pdbs, now);
      if ("code" in r) {
        statuses.set(node.name, r);
        continue;
      }
      candidates.push({ node: node.name, ...r });
      if (r.pdbViolations === 0) nonViolating++;
      if (nonViolating > 0 && candidates.length >= want) break;
    }
  }

  // Candidates without budget violations come first, as upstream lists them.
  candidates.sort((a, b) => Number(a.pdbViolations > 0) - Number(b.pdbViolations > 0));
  const chosen = pickCandidate(candidates, now);
  if (!chosen) {
    const err = new FitError(all.length, statuses, NOT_HELPFUL);
    return { message: `preemption: ${err.message()}` };
  }
  return { nominatedNode: chosen.node, victims: chosen.victims.map((v) => v.pod) };
}
