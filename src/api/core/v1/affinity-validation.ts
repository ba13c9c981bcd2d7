/**
 * Validation of scheduling constraints: affinity, node selectors, tolerations and topology spread.
 */
import type { FieldError } from "../../errors.js";
import type { LabelSelector } from "../../meta/types.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkLabelValue,
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  validateLabelSelector,
  type Path,
} from "../../validation.js";
import { isSet, items, oneOf } from "./pod-checks.js";
import type {
  Affinity,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinityRules,
  PodAffinityTerm,
  Toleration,
  TopologySpreadConstraint,
} from "./pod-shapes.js";

const EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

/** Validates a pod's affinity. */
export function validateAffinity(affinity: Affinity | undefined, path: Path): FieldError[] {
  if (!isSet(affinity) || typeof affinity !== "object") return [];
  const errors: FieldError[] = [];
  const node = affinity.nodeAffinity;
  if (isSet(node)) {
    const np = path.child("nodeAffinity");
    const hard = node?.requiredDuringSchedulingIgnoredDuringExecution;
    if (isSet(hard))
      errors.push(
        ...validateNodeSelector(
          hard ?? {},
          np.child("requiredDuringSchedulingIgnoredDuringExecution"),
        ),
      );
    items(node?.preferredDuringSchedulingIgnoredDuringExecution).forEach((term, i) => {
      const p = np.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
      errors.push(...weight(term?.weight, p.child("weight")));
      // Preferences may name label values that are not valid: they can only fail to match.
      errors.push(
        ...validateNodeSelectorTerm(term?.preference ?? {}, p.child("preference"), false),
      );
    });
  }
  errors.push(...validatePodAffinityRules(affinity.podAffinity, path.child("podAffinity")));
  errors.push(...validatePodAffinityRules(affinity.podAntiAffinity, path.child("podAntiAffinity")));
  return errors;
}

/** Validates a NodeSelector: at least one term, each with valid requirements. */
export function validateNodeSelector(selector: NodeSelector, path: Path): FieldError[] {
  const terms = items(selector.nodeSelectorTerms);
  const termsPath = path.child("nodeSelectorTerms");
  if (terms.length === 0) return [required(termsPath, "must have at least one node selector term")];
  return terms.flatMap((term, i) => validateNodeSelectorTerm(term ?? {}, termsPath.index(i), true));
}

function validateNodeSelectorTerm(
  term: NodeSelectorTerm,
  path: Path,
  checkValues: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  items(term.matchExpressions).forEach((req, i) => {
    errors.push(
      ...validateNodeSelectorRequirement(
        req ?? {},
        path.child("matchExpressions").index(i),
        checkValues,
      ),
    );
  });
  items(term.matchFields).forEach((req, i) => {
    errors.push(...validateNodeFieldRequirement(req ?? {}, path.child("matchFields").index(i)));
  });
  return errors;
}

function validateNodeSelectorRequirement(
  req: NodeSelectorRequirement,
  path: Path,
  checkValues: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const values = items(req.values);
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0)
        errors.push(required(path.child("values"), "must be set when `operator` is In or NotIn"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0)
        errors.push(
          forbidden(
            path.child("values"),
            "may not be set when `operator` is Exists or DoesNotExist",
          ),
        );
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1)
        errors.push(
          required(path.child("values"), "must hold exactly one value when `operator` is Gt or Lt"),
        );
      break;
    default:
      errors.push(
        invalid(path.child("operator"), req.operator ?? "", "not a valid selector operator"),
      );
  }
  errors.push(...check(path.child("key"), req.key ?? "", checkQualifiedName));
  if (checkValues) {
    values.forEach((v, i) =>
      errors.push(...check(path.child("values").index(i), String(v), checkLabelValue)),
    );
  }
  return errors;
}

function validateNodeFieldRequirement(req: NodeSelectorRequirement, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const values = items(req.values);
  if (req.operator === "In" || req.operator === "NotIn") {
    if (values.length !== 1) {
      errors.push(
        required(
          path.child("values"),
          "must hold exactly one value when `operator` is In or NotIn for a node field",
        ),
      );
    }
  } else {
    errors.push(
      invalid(path.child("operator"), req.operator ?? "", "not a valid selector operator"),
    );
  }
  if (req.key !== "metadata.name")
    errors.push(invalid(path.child("key"), req.key ?? "", "not a valid field selector key"));
  else
    values.forEach((v, i) =>
      errors.push(...check(path.child("values").index(i), String(v), checkDNS1123Subdomain)),
    );
  return errors;
}

function weight(value: unknown, path: Path): FieldError[] {
  return typeof value === "number" && value >= 1 && value <= 100
    ? []
    : [invalid(path, value ?? 0, "must be from 1 to 100")];
}

function validatePodAffinityRules(rules: PodAffinityRules | undefined, path: Path): FieldError[] {
  if (!isSet(rules) || typeof rules !== "object") return [];
  const errors: FieldError[] = [];
  items(rules.requiredDuringSchedulingIgnoredDuringExecution).forEach((term, i) => {
    errors.push(
      ...validatePodAffinityTerm(
        term ?? {},
        path.child("requiredDuringSchedulingIgnoredDuringExecution").index(i),
      ),
    );
  });
  items(rules.preferredDuringSchedulingIgnoredDuringExecution).forEach((term, i) => {
    const p = path.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
    errors.push(...weight(term?.weight, p.child("weight")));
    errors.push(
      ...validatePodAffinityTerm(term?.podAffinityTerm ?? {}, p.child("podAffinityTerm")),
    );
  });
  return errors;
}

function validatePodAffinityTerm(term: PodAffinityTerm, path: Path): FieldError[] {
  const errors = validateLabelSelector(term.labelSelector, path.child("labelSelector"));
  errors.push(...validateLabelSelector(term.namespaceSelector, path.child("namespaceSelector")));
  for (const ns of items(term.namespaces))
    errors.push(...check(path.child("namespace"), String(ns), checkDNS1123Label));
  errors.push(
    ...validateLabelKeys(term.matchLabelKeys, term.labelSelector, path.child("matchLabelKeys")),
  );
  errors.push(
    ...validateLabelKeys(
      term.mismatchLabelKeys,
      term.labelSelector,
      path.child("mismatchLabelKeys"),
    ),
  );
  const mismatch = new Set(items(term.mismatchLabelKeys));
  items(term.matchLabelKeys).forEach((key, i) => {
    if (mismatch.has(key))
      errors.push(
        invalid(
          path.child("matchLabelKeys").index(i),
          key,
          "is in both matchLabelKeys and mismatchLabelKeys",
        ),
      );
  });
  if (!term.topologyKey) errors.push(required(path.child("topologyKey"), "may not be empty"));
  errors.push(...check(path.child("topologyKey"), term.topologyKey ?? "", checkQualifiedName));
  return errors;
}

function selectorKeys(selector: LabelSelector | undefined): Set<string> {
  const keys = new Set(Object.keys(selector?.matchLabels ?? {}));
  for (const req of items(selector?.matchExpressions)) keys.add(req?.key ?? "");
  return keys;
}

/**
 * matchLabelKeys and mismatchLabelKeys: label names, only with a label selector that does not use
 * them.
 */
function validateLabelKeys(
  keys: readonly string[] | undefined,
  selector: LabelSelector | undefined,
  path: Path,
): FieldError[] {
  const list = items(keys);
  if (list.length === 0) return [];
  if (!isSet(selector)) return [forbidden(path, "may not be set when labelSelector is not set")];
  const used = selectorKeys(selector);
  const errors: FieldError[] = [];
  list.forEach((key, i) => {
    errors.push(...check(path.index(i), String(key), checkQualifiedName));
    if (used.has(key))
      errors.push(invalid(path.index(i), key, "is in both matchLabelKeys and labelSelector"));
  });
  return errors;
}

/** Validates a pod's tolerations. */
export function validateTolerations(
  tolerations: readonly Toleration[] | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  items(tolerations).forEach((t, i) => {
    const p = path.index(i);
    const key = t?.key ?? "";
    const operator = t?.operator ?? "";
    const value = t?.value ?? "";
    if (key) errors.push(...check(p.child("key"), key, checkQualifiedName));
    if (!key && operator !== "Exists") {
      errors.push(
        invalid(
          p.child("operator"),
          operator,
          "must be Exists when `key` is empty, which matches every key and value",
        ),
      );
    }
    if (isSet(t?.tolerationSeconds) && t?.effect !== "NoExecute") {
      errors.push(
        invalid(
          p.child("effect"),
          t?.effect ?? "",
          "must be NoExecute when `tolerationSeconds` is set",
        ),
      );
    }
    if (operator === "Equal" || operator === "") {
      const problems = checkLabelValue(value);
      if (problems.length) errors.push(invalid(p.child("operator"), value, problems.join("; ")));
    } else if (operator === "Exists") {
      if (value)
        errors.push(
          invalid(p.child("operator"), value, "value must be empty when `operator` is Exists"),
        );
    } else {
      errors.push(notSupported(p.child("operator"), operator, ["Equal", "Exists"]));
    }
    if (t?.effect) errors.push(...oneOf(t.effect, EFFECTS, p.child("effect")));
  });
  return errors;
}

/** Validates a pod's topology spread constraints. */
export function validateTopologySpreadConstraints(
  constraints: readonly TopologySpreadConstraint[] | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const list = items(constraints);
  list.forEach((c, i) => {
    const p = path.index(i);
    const maxSkew = c?.maxSkew;
    if (typeof maxSkew !== "number" || maxSkew <= 0)
      errors.push(invalid(p.child("maxSkew"), maxSkew ?? 0, "must be greater than 0"));
    if (!c?.topologyKey) errors.push(required(p.child("topologyKey"), "may not be empty"));
    errors.push(
      ...oneOf(
        c?.whenUnsatisfiable ?? "",
        ["DoNotSchedule", "ScheduleAnyway"],
        p.child("whenUnsatisfiable"),
        { required: true },
      ),
    );
    const repeated = list
      .slice(i + 1)
      .some(
        (o) => o?.topologyKey === c?.topologyKey && o?.whenUnsatisfiable === c?.whenUnsatisfiable,
      );
    if (repeated) {
      errors.push(
        duplicate(
          p.child("{topologyKey, whenUnsatisfiable}"),
          `{${c?.topologyKey ?? ""}, ${c?.whenUnsatisfiable ?? ""}}`,
        ),
      );
    }
    if (isSet(c?.minDomains)) {
      const minDomains = c?.minDomains;
      if (typeof minDomains !== "number" || minDomains <= 0)
        errors.push(invalid(p.child("minDomains"), minDomains, "must be greater than 0"));
      if (c?.whenUnsatisfiable !== "DoNotSchedule") {
        errors.push(
          invalid(
            p.child("minDomains"),
            minDomains,
            `may only be set when whenUnsatisfiable is DoNotSchedule, not ${c?.whenUnsatisfiable ?? ""}`,
          ),
        );
      }
    }
    errors.push(
      ...oneOf(c?.nodeAffinityPolicy, ["Honor", "Ignore"], p.child("nodeAffinityPolicy")),
    );
    errors.push(...oneOf(c?.nodeTaintsPolicy, ["Honor", "Ignore"], p.child("nodeTaintsPolicy")));
    const keys = items(c?.matchLabelKeys);
    if (keys.length > 0) {
      if (!isSet(c?.labelSelector))
        errors.push(
          forbidden(p.child("matchLabelKeys"), "may not be set when labelSelector is not set"),
        );
      const used = selectorKeys(c?.labelSelector);
      keys.forEach((key, j) => {
        errors.push(...check(p.child("matchLabelKeys").index(j), String(key), checkQualifiedName));
        if (used.has(key))
          errors.push(
            invalid(
              p.child("matchLabelKeys").index(j),
              key,
              "is in both matchLabelKeys and labelSelector",
            ),
          );
      });
    }
    errors.push(...validateLabelSelector(c?.labelSelector, p.child("labelSelector")));
  });
  return errors;
}
