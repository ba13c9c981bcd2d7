/**
 * PodInfo: what the scheduler needs from a pod, computed once (requests, host ports, parsed
 * affinity terms, tolerations), for the pod being scheduled and for every pod already on a node.
 */
import type { Pod } from "../api/core/v1/pod.js";
import type { PodAffinityTerm, Toleration } from "../api/core/v1/pod-shapes.js";
import { computePodRequests, type PodRequests } from "./resources.js";
import { LabelMatcher } from "./selectors.js";

/** A parsed pod affinity term: which pods it selects, and the topology it spans. */
export interface AffinityTerm {
  selector: LabelMatcher;
  /** Namespaces named by the term, or the owning pod's own when it names none and has no selector. */
  namespaces: ReadonlySet<string>;
  /** The namespaceSelector, when given; matched against the candidate pod's namespace labels. */
  namespaceSelector: LabelMatcher | undefined;
  topologyKey: string;
}

/** A parsed preferred term with its weight. */
export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** A host port a container asks for, with its IP and protocol defaulted. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** The scheduler's precomputed view of one pod. */
export interface PodInfo {
  readonly pod: Pod;
  /** The identity the snapshot tracks the pod by: its uid, or namespace/name. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly requests: PodRequests;
  readonly hostPorts: readonly HostPort[];
  readonly tolerations: readonly Toleration[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** Milliseconds since the epoch of status.startTime, or undefined when not started. */
  readonly startTime: number | undefined;
  readonly terminating: boolean;
}

/** The key a pod is tracked by: its uid when set, else namespace/name. */
export function podKey(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? ""}`;
}

function parseTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const own = pod.metadata.namespace ?? "default";
  const named = term.namespaces ?? [];
  const namespaceSelector = term.namespaceSelector
    ? LabelMatcher.compile(term.namespaceSelector)
    : undefined;
  return {
    selector: LabelMatcher.compile(term.labelSelector),
    namespaces: new Set(named.length === 0 && !namespaceSelector ? [own] : named),
    namespaceSelector,
    topologyKey: term.topologyKey ?? "",
  };
}

/** Whether a term selects `pod`, given the labels of the pod's namespace (when known). */
export function termMatches(
  term: AffinityTerm,
  pod: PodInfo,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  const nsOk =
    term.namespaces.has(pod.namespace) ||
    (term.namespaceSelector !== undefined && term.namespaceSelector.matches(namespaceLabels));
  return nsOk && term.selector.matches(pod.labels);
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [
    ...(pod.spec?.containers ?? []),
    // Sidecars keep running beside the main containers, so their ports stay taken too.
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || "0.0.0.0", protocol: p.protocol || "TCP", port: p.hostPort });
    }
  }
  return out;
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Builds the PodInfo of a pod; throws SelectorParseError when an affinity selector is invalid. */
export function newPodInfo(pod: Pod): PodInfo {
  const spec = pod.spec;
  const podAffinity = spec?.affinity?.podAffinity;
  const podAntiAffinity = spec?.affinity?.podAntiAffinity;
  const required = (terms: PodAffinityTerm[] | undefined): readonly AffinityTerm[] =>
    terms?.length ? terms.map((t) => parseTerm(pod, t)) : EMPTY;
  const preferred = (
    terms: { weight?: number; podAffinityTerm?: PodAffinityTerm }[] | undefined,
  ): readonly WeightedAffinityTerm[] =>
    terms?.length
      ? terms.map((t) => ({ ...parseTerm(pod, t.podAffinityTerm ?? {}), weight: t.weight ?? 0 }))
      : EMPTY;
  const start = pod.status?.startTime;
  return {
    pod,
    key: podKey(pod),
    namespace: pod.metadata.namespace ?? "default",
    labels: pod.metadata.labels ?? {},
    priority: spec?.priority ?? 0,
    requests: computePodRequests(pod),
    hostPorts: hostPortsOf(pod),
    tolerations: spec?.tolerations ?? EMPTY,
    requiredAffinityTerms: required(podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: required(
      podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    ),
    preferredAffinityTerms: preferred(podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: preferred(
      podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    startTime: start ? Date.parse(start) : undefined,
    terminating: pod.metadata.deletionTimestamp !== undefined,
  };
}

/** Whether the pod has any pod affinity or anti-affinity term (required or preferred). */
export function hasAffinity(p: PodInfo): boolean {
  return (
    p.requiredAffinityTerms.length > 0 ||
    p.requiredAntiAffinityTerms.length > 0 ||
    p.preferredAffinityTerms.length > 0 ||
    p.preferredAntiAffinityTerms.length > 0
  );
}
