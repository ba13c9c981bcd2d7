/**
 * Where a DaemonSet's pods belong: whether a node should run one (its nodeName, nodeSelector and
 * required node affinity fit, and no NoSchedule or NoExecute taint is left untolerated), whether a
 * pod already there may go on running (only an untolerated NoExecute taint evicts it), the
 * tolerations every daemon pod gets, and the node a daemon pod is meant for.
 */
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import type { Node, Taint } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Affinity, PodSpec, Toleration } from "../../api/core/v1/pod-shapes.js";
import { RequiredNodeAffinity } from "../../scheduler/selectors.js";
import { toleratesTaint } from "../../scheduler/taints.js";

/** The node field daemon pods are pinned to through required node affinity. */
export const NODE_NAME_FIELD = "metadata.name";

/**
 * The tolerations the controller adds to every daemon pod, so that node problems neither keep it
 * off a node nor evict it: not-ready and unreachable without a time limit, the pressure and cordon
 * taints, and network-unavailable for pods on the host network.
 */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const out: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (hostNetwork) {
    out.push({
      key: "node.kubernetes.io/network-unavailable",
      operator: "Exists",
      effect: "NoSchedule",
    });
  }
  return out;
}

/** Same key, operator, value and effect: the same toleration but for its time limit. */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? "") === (b.key ?? "") &&
    (a.operator ?? "") === (b.operator ?? "") &&
    (a.value ?? "") === (b.value ?? "") &&
    (a.effect ?? "") === (b.effect ?? "")
  );
}

/**
 * The pod's tolerations with the daemon tolerations added. A toleration of the pod that matches
 * one of them (a not-ready toleration with `tolerationSeconds`, say) is replaced by it, as
 * upstream does, so a daemon pod is never evicted for node problems.
 */
export function withDaemonTolerations(spec: PodSpec | undefined): Toleration[] {
  let out = [...(spec?.tolerations ?? [])];
  for (const t of daemonPodTolerations(spec?.hostNetwork === true)) {
    let found = false;
    out = out.map((existing) => {
      if (!sameToleration(existing, t)) return existing;
      found = true;
      return t;
    });
    if (!found) out.push(t);
  }
  return out;
}

/** `affinity` with its required node affinity replaced by one term: `metadata.name In [node]`. */
export function affinityForNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = {
    nodeSelectorTerms: [
      { matchFields: [{ key: NODE_NAME_FIELD, operator: "In", values: [nodeName] }] },
    ],
  };
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: required,
    },
  };
}

/**
 * The node a daemon pod is meant for: its `spec.nodeName` once bound, else the one name of the
 * first `metadata.name In` field requirement of its required node affinity. Undefined when it
 * names none, or more than one.
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const r of term.matchFields ?? []) {
      if (r.key !== NODE_NAME_FIELD || r.operator !== "In") continue;
      return r.values?.length === 1 ? r.values[0] : undefined;
    }
  }
  return undefined;
}

/** What a node means for a DaemonSet. */
export interface NodePlacement {
  /** A daemon pod should be started on the node when it has none. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

const NOWHERE: NodePlacement = { shouldRun: false, shouldContinueRunning: false };
const EVERYWHERE: NodePlacement = { shouldRun: true, shouldContinueRunning: true };
const STAYS: NodePlacement = { shouldRun: false, shouldContinueRunning: true };

function untolerated(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: readonly string[],
): boolean {
  return taints.some(
    (taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)),
  );
}

/**
 * The placement rules of one DaemonSet, compiled once per sync: the template's node name, its
 * nodeSelector and required node affinity, and its tolerations plus the daemon tolerations.
 */
export class DaemonPlacement {
  readonly #nodeName: string;
  readonly #affinity: RequiredNodeAffinity;
  readonly #tolerations: readonly Toleration[];

  constructor(ds: DaemonSet) {
    const spec = ds.spec?.template?.spec;
    this.#nodeName = spec?.nodeName ?? "";
    this.#affinity = new RequiredNodeAffinity({ spec: spec ?? {} } as Pod);
    this.#tolerations = withDaemonTolerations(spec);
  }

  /** Whether `node` should run the daemon pod, and whether a pod there may stay. */
  forNode(node: Node): NodePlacement {
    const name = node.metadata.name ?? "";
    if (this.#nodeName && this.#nodeName !== name) return NOWHERE;
    if (!this.#affinity.matches(node)) return NOWHERE;
    const taints = node.spec?.taints ?? [];
    if (!untolerated(taints, this.#tolerations, ["NoSchedule", "NoExecute"])) return EVERYWHERE;
    return untolerated(taints, this.#tolerations, ["NoExecute"]) ? NOWHERE : STAYS;
  }
}
