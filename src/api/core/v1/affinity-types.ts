/**
 * Schemas of scheduling constraints (core/v1): node and pod affinity, node selectors, tolerations
 * and topology spread constraints. The Node and PersistentVolume kinds reuse NodeSelector from
 * here.
 */
import { LabelSelector } from "../../meta/v1.js";
import { defineType, f, int32, int64, list, string } from "../../schema.js";

const CORE = "io.k8s.api.core.v1";

export const NodeSelectorRequirement = defineType({
  name: `${CORE}.NodeSelectorRequirement`,
  description: "A requirement on one node label or field: a key, an operator and values.",
  fields: {
    key: f(string(), 1, "The label key or field name the requirement applies to.", {
      required: true,
    }),
    operator: f(
      string({ enum: ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"] }),
      2,
      "How the key relates to the values: In, NotIn, Exists, DoesNotExist, Gt or Lt.",
      { required: true },
    ),
    values: f(
      list(string()),
      3,
      "Values for In and NotIn, one integer for Gt and Lt, none for Exists and DoesNotExist.",
    ),
  },
});

export const NodeSelectorTerm = defineType({
  name: `${CORE}.NodeSelectorTerm`,
  description: "Requirements a node must all meet; an empty term matches no node.",
  mapType: "atomic",
  fields: {
    matchExpressions: f(list(NodeSelectorRequirement), 1, "Requirements on node labels."),
    matchFields: f(list(NodeSelectorRequirement), 2, "Requirements on node fields."),
  },
});

export const NodeSelector = defineType({
  name: `${CORE}.NodeSelector`,
  description: "Terms of which a node must meet at least one.",
  mapType: "atomic",
  fields: {
    nodeSelectorTerms: f(list(NodeSelectorTerm), 1, "The terms, ORed together.", {
      required: true,
    }),
  },
});

export const PreferredSchedulingTerm = defineType({
  name: `${CORE}.PreferredSchedulingTerm`,
  description: "A weighted preference for nodes meeting a term.",
  fields: {
    weight: f(int32(), 1, "Weight of the preference, from 1 to 100.", { required: true }),
    preference: f(NodeSelectorTerm, 2, "The term preferred nodes meet.", { required: true }),
  },
});

export const NodeAffinity = defineType({
  name: `${CORE}.NodeAffinity`,
  description: "Node constraints and preferences of a pod.",
  fields: {
    requiredDuringSchedulingIgnoredDuringExecution: f(
      NodeSelector,
      1,
      "Nodes the pod may be scheduled on; later label changes do not evict it.",
    ),
    preferredDuringSchedulingIgnoredDuringExecution: f(
      list(PreferredSchedulingTerm),
      2,
      "Weighted preferences; the node with the highest total weight is favoured.",
    ),
  },
});

export const PodAffinityTerm = defineType({
  name: `${CORE}.PodAffinityTerm`,
  description: "A set of pods, and the topology domain the pod must share (or avoid) with them.",
  fields: {
    labelSelector: f(LabelSelector, 1, "Labels of the pods; no pods when unset."),
    namespaces: f(
      list(string()),
      2,
      "Namespaces to look for the pods in, besides the namespaceSelector's.",
    ),
    topologyKey: f(string(), 3, "Node label whose value defines the topology domain.", {
      required: true,
    }),
    namespaceSelector: f(LabelSelector, 4, "Labels of the namespaces to look for the pods in."),
    matchLabelKeys: f(
      list(string()),
      5,
      "Label keys whose values on this pod are added to the selector with In.",
    ),
    mismatchLabelKeys: f(
      list(string()),
      6,
      "Label keys whose values on this pod are added to the selector with NotIn.",
    ),
  },
});

export const WeightedPodAffinityTerm = defineType({
  name: `${CORE}.WeightedPodAffinityTerm`,
  description: "A pod affinity term with a weight, as a preference.",
  fields: {
    weight: f(int32(), 1, "Weight of the preference, from 1 to 100.", { required: true }),
    podAffinityTerm: f(PodAffinityTerm, 2, "The preferred term.", { required: true }),
  },
});

export const PodAffinity = defineType({
  name: `${CORE}.PodAffinity`,
  description: "Rules that place the pod near other pods.",
  fields: {
    requiredDuringSchedulingIgnoredDuringExecution: f(
      list(PodAffinityTerm),
      1,
      "Terms that must all hold for a node to be chosen.",
    ),
    preferredDuringSchedulingIgnoredDuringExecution: f(
      list(WeightedPodAffinityTerm),
      2,
      "Weighted preferences for nodes near matching pods.",
    ),
  },
});

export const PodAntiAffinity = defineType({
  name: `${CORE}.PodAntiAffinity`,
  description: "Rules that keep the pod away from other pods.",
  fields: {
    requiredDuringSchedulingIgnoredDuringExecution: f(
      list(PodAffinityTerm),
      1,
      "Terms whose pods the chosen node's domain must not hold.",
    ),
    preferredDuringSchedulingIgnoredDuringExecution: f(
      list(WeightedPodAffinityTerm),
      2,
      "Weighted preferences for nodes away from matching pods.",
    ),
  },
});

export const Affinity = defineType({
  name: `${CORE}.Affinity`,
  description: "Scheduling constraints of a pod relative to nodes and other pods.",
  fields: {
    nodeAffinity: f(NodeAffinity, 1, "Constraints on the nodes the pod runs on."),
    podAffinity: f(PodAffinity, 2, "Placement near other pods."),
    podAntiAffinity: f(PodAntiAffinity, 3, "Placement away from other pods."),
  },
});

export const Toleration = defineType({
  name: `${CORE}.Toleration`,
  description: "Lets the pod be scheduled onto (or stay on) nodes with a matching taint.",
  fields: {
    key: f(string(), 1, "Taint key to match; empty with operator Exists matches every taint."),
    operator: f(
      string({ enum: ["Equal", "Exists", "Gt", "Lt"] }),
      2,
      "Equal (the value must match) or Exists (any value); Equal by default.",
    ),
    value: f(string(), 3, "Taint value to match; empty for operator Exists."),
    effect: f(
      string({ enum: ["NoExecute", "NoSchedule", "PreferNoSchedule"] }),
      4,
      "Taint effect to match; every effect when empty.",
    ),
    tolerationSeconds: f(
      int64(),
      5,
      "For NoExecute taints: how long the pod stays once the taint appears; forever when unset.",
      { pointer: true },
    ),
  },
});

export const TopologySpreadConstraint = defineType({
  name: `${CORE}.TopologySpreadConstraint`,
  description: "How evenly matching pods must be spread across topology domains.",
  fields: {
    maxSkew: f(int32(), 1, "Largest allowed difference in matching pods between two domains.", {
      required: true,
    }),
    topologyKey: f(string(), 2, "Node label whose value defines the domains.", { required: true }),
    whenUnsatisfiable: f(
      string({ enum: ["DoNotSchedule", "ScheduleAnyway"] }),
      3,
      "DoNotSchedule or ScheduleAnyway when the constraint cannot be met.",
      { required: true },
    ),
    labelSelector: f(LabelSelector, 4, "Labels of the pods counted in each domain."),
    minDomains: f(
      int32(),
      5,
      "Least number of eligible domains; fewer count as skew against empty domains.",
      { pointer: true },
    ),
    nodeAffinityPolicy: f(
      string({ enum: ["Honor", "Ignore"] }),
      6,
      "Whether the pod's node affinity limits the domains counted; Honor by default.",
      { pointer: true },
    ),
    nodeTaintsPolicy: f(
      string({ enum: ["Honor", "Ignore"] }),
      7,
      "Whether node taints limit the domains counted; Ignore by default.",
      { pointer: true },
    ),
    matchLabelKeys: f(
      list(string()),
      8,
      "Label keys whose values on this pod narrow the selector.",
    ),
  },
});
