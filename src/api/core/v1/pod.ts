/** Pod (core/v1): a group of containers scheduled together onto one node. */
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f } from "../../schema.js";
import {
  check,
  checkDNS1123Subdomain,
  forbidden,
  immutable,
  root,
  type Path,
} from "../../validation.js";
import { items } from "./pod-checks.js";
import { podColumns } from "./pod-columns.js";
import { computeQOSClass } from "./pod-qos.js";
import type { PodAffinityTerm, PodSpec, PodStatus } from "./pod-shapes.js";
import {
  defaultPodOnlyFields,
  defaultPodSpec,
  validatePodOnlyContainers,
  validatePodSpec,
  validatePodSpecUpdate,
} from "./pod-spec.js";
import { PodSpec as PodSpecSchema, PodStatus as PodStatusSchema } from "./pod-spec-types.js";
import { validatePodStatus } from "./pod-status-validation.js";

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

defineType({
  name: "io.k8s.api.core.v1.Pod",
  description:
    "A group of containers that run together on one node and share its network and storage.",
  gvk: { group: "", version: "v1", kind: "Pod" },
  fields: {
    ...objectFields(),
    spec: f(PodSpecSchema, 2, "The desired state of the pod."),
    status: f(
      PodStatusSchema,
      3,
      "The observed state of the pod; written by the system, read-only for users.",
    ),
  },
});

const SCHEDULING_GATED_MESSAGE = "Scheduling is blocked while scheduling gates remain";

function defaultPod(pod: Pod): void {
  if (typeof pod.spec !== "object" || pod.spec === null) pod.spec = {};
  defaultPodOnlyFields(pod.spec);
  defaultPodSpec(pod.spec);
}

/**
 * The status a new pod starts with: Pending, its QoS class, and a PodScheduled=False condition when
 * scheduling gates hold it back. Also applies upstream's create-time mutations of the spec.
 */
function prepareForCreate(pod: Pod): void {
  const spec = pod.spec ?? {};
  const status: PodStatus = { phase: "Pending", qosClass: computeQOSClass(spec) };
  if (items(spec.schedulingGates).length > 0) {
    status.conditions = [
      {
        type: "PodScheduled",
        status: "False",
        reason: "SchedulingGated",
        message: SCHEDULING_GATED_MESSAGE,
      },
    ];
  }
  pod.status = status;

  // A negative grace period would mean "kill at once" to some runtimes; upstream stores 1 instead.
  if (
    typeof spec.terminationGracePeriodSeconds === "number" &&
    spec.terminationGracePeriodSeconds < 0
  ) {
    spec.terminationGracePeriodSeconds = 1;
  }
  applyMatchLabelKeys(spec, pod.metadata.labels ?? {});
}

/**
 * Turns pod affinity terms' matchLabelKeys and mismatchLabelKeys into selector requirements on this
 * pod's labels.
 */
function applyMatchLabelKeys(spec: PodSpec, labels: Record<string, string>): void {
  const terms: PodAffinityTerm[] = [];
  for (const rules of [spec.affinity?.podAffinity, spec.affinity?.podAntiAffinity]) {
    terms.push(...items(rules?.requiredDuringSchedulingIgnoredDuringExecution));
    for (const weighted of items(rules?.preferredDuringSchedulingIgnoredDuringExecution)) {
      if (weighted?.podAffinityTerm) terms.push(weighted.podAffinityTerm);
    }
  }
  for (const term of terms) {
    const selector = term?.labelSelector;
    if (typeof selector !== "object" || selector === null) continue;
    for (const [keys, operator] of [
      [term.matchLabelKeys, "In"],
      [term.mismatchLabelKeys, "NotIn"],
    ] as const) {
      for (const key of items(keys)) {
        const value = labels[key];
        if (value === undefined) continue;
        (selector.matchExpressions ??= []).push({ key, operator, values: [value] });
      }
    }
  }
}

function validatePod(pod: Pod): FieldError[] {
  const spec = pod.spec ?? {};
  const specPath = root("spec");
  const errors = validatePodSpec(spec, specPath, { isPod: true, podMeta: pod.metadata });
  errors.push(...validatePodOnlyContainers(spec, specPath));
  if (!spec.serviceAccountName) errors.push(...tokensWithoutServiceAccount(spec, specPath));
  if (spec.nodeName && items(spec.schedulingGates).length > 0) {
    errors.push(
      forbidden(
        specPath.child("nodeName"),
        "may not be set until every scheduling gate is removed",
      ),
    );
  }
  return errors;
}

/** A projected service account token needs a service account to be issued for. */
function tokensWithoutServiceAccount(spec: PodSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  items(spec.volumes).forEach((volume, i) => {
    items(volume?.projected?.sources).forEach((source, j) => {
      if (source?.serviceAccountToken) {
        const p = path
          .child("volumes")
          .index(i)
          .child("projected")
          .child("sources")
          .index(j)
          .child("serviceAccountToken");
        errors.push(forbidden(p, "may not be set when serviceAccountName is not set"));
      }
    });
  });
  return errors;
}

function validateStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errors = validatePodStatus(
    pod.status ?? {},
    old.status ?? {},
    pod.spec ?? {},
    old.spec ?? {},
    root("status"),
  );
  const nominated = pod.status?.nominatedNodeName;
  if (nominated && nominated !== old.status?.nominatedNodeName) {
    errors.push(
      ...check(root("status").child("nominatedNodeName"), nominated, checkDNS1123Subdomain),
    );
  }
  if ((pod.status?.qosClass ?? "") !== (old.status?.qosClass ?? "")) {
    errors.push(immutable(root("status").child("qosClass"), pod.status?.qosClass ?? ""));
  }
  return errors;
}

const hostNetwork = (pod: Pod): string => String(pod.spec?.hostNetwork === true);

/**
 * The grace period of a pod's deletion: what the client asked for, else the pod's own
 * terminationGracePeriodSeconds. Pods that never reached a node, and pods that already finished, have no
 * containers to stop and go at once.
 */
function gracefulDeletion(pod: Pod, requested: number | undefined): number {
  if (!pod.spec?.nodeName) return 0;
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return 0;
  return requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

export const pods = defineResource<Pod>({
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  shortNames: ["po"],
  categories: ["all"],
  namespaced: true,
  schema: "io.k8s.api.core.v1.Pod",
  statusSubresource: true,
  tracksGeneration: true,
  columns: podColumns(),
  fieldSelectors: {
    "spec.nodeName": (pod) => pod.spec?.nodeName ?? "",
    "spec.restartPolicy": (pod) => pod.spec?.restartPolicy ?? "",
    "spec.schedulerName": (pod) => pod.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (pod) => pod.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": hostNetwork,
    "status.phase": (pod) => pod.status?.phase ?? "",
    "status.podIP": (pod) => items(pod.status?.podIPs)[0]?.ip ?? "",
    "status.nominatedNodeName": (pod) => pod.status?.nominatedNodeName ?? "",
  },
  defaults: defaultPod,
  prepareForCreate,
  validate: validatePod,
  validateUpdate: (pod, old) => validatePodSpecUpdate(pod.spec ?? {}, old.spec ?? {}, root("spec")),
  validateStatusUpdate,
  gracefulDeletion,
  returnDeletedObject: true,
});
