/**
 * What the workload kinds (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob) share:
 * checks of their selector and pod template, counts that may not be negative, and the Table cells
 * that show a template's containers and a selector.
 */
// The workload schemas refer to core/v1 PodTemplateSpec by name; this defines it.
import "../../core/v1/pod-spec-types.js";
import { validatePodTemplateSpec, type PodTemplateSpec } from "../../core/v1/pod-spec.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject, LabelSelector } from "../../meta/types.js";
import type { TableColumn } from "../../resource.js";
import {
  formatLabelSelector,
  labelSelectorFromObject,
  SelectorParseError,
} from "../../selectors/label-selector.js";
import {
  forbidden,
  immutable,
  invalid,
  notSupported,
  required,
  validateLabelSelector,
  type Path,
} from "../../validation.js";

/** Checks a count that may be absent but not negative (upstream's ValidateNonnegativeField). */
export function validateNonNegative(value: unknown, path: Path): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "number" || !Number.isInteger(value))
    return [invalid(path, value, "must be an integer")];
  return value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
}

/**
 * Checks the selector of a kind that must have one that selects something: present, well formed and
 * not empty. `kindWord` names the kind in the message, as upstream words it (`deployment`).
 */
export function validateRequiredSelector(
  selector: LabelSelector | undefined,
  path: Path,
  kindWord: string,
): FieldError[] {
  if (selector === undefined || selector === null) return [required(path)];
  const errors = validateLabelSelector(selector, path);
  if (
    Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length ===
    0
  ) {
    errors.push(invalid(path, selector, `empty selector is invalid for ${kindWord}`));
  }
  return errors;
}

/**
 * Checks that the template's labels satisfy the selector, so that the workload selects the pods it
 * makes. An absent selector selects nothing, so it never matches. A selector that cannot be read
 * gets an error at `paths.selector` with `badSelectorDetail` as its detail, or none when that is
 * null (the selector's own checks report it).
 */
export function validateSelectorMatchesTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  paths: { selector: Path; template: Path },
  badSelectorDetail: string | null = "invalid label selector",
): FieldError[] {
  let matches: boolean;
  try {
    matches = labelSelectorFromObject(selector).matches(template?.metadata?.labels);
  } catch (err) {
    if (!(err instanceof SelectorParseError)) throw err;
    return badSelectorDetail === null ? [] : [invalid(paths.selector, selector, badSelectorDetail)];
  }
  if (matches) return [];
  const labelsPath = paths.template.child("metadata").child("labels");
  return [
    invalid(
      labelsPath,
      template?.metadata?.labels ?? null,
      "`selector` does not match template `labels`",
    ),
  ];
}

/**
 * Checks the pod template of a kind whose pods run for ever: the template itself, a restart policy
 * of `Always`, and no active deadline. `kind` names the kind in the deadline message
 * (`ReplicaSet`).
 */
export function validateAlwaysRunningTemplate(
  template: PodTemplateSpec | undefined,
  path: Path,
  kind: string,
): FieldError[] {
  if (!template) return [required(path)];
  const errors = validatePodTemplateSpec(template, path);
  errors.push(...validateAlwaysRestart(template, path, kind));
  return errors;
}

/** The restart-policy and deadline checks of `validateAlwaysRunningTemplate` alone. */
export function validateAlwaysRestart(
  template: PodTemplateSpec,
  path: Path,
  kind: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const spec = path.child("spec");
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== "Always") {
    errors.push(notSupported(spec.child("restartPolicy"), restartPolicy ?? "", ["Always"]));
  }
  if (
    template.spec?.activeDeadlineSeconds !== undefined &&
    template.spec?.activeDeadlineSeconds !== null
  ) {
    errors.push(
      forbidden(
        spec.child("activeDeadlineSeconds"),
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errors;
}

/** The immutability check of `spec.selector` that apps/v1 and batch/v1 apply on update. */
export function validateSelectorUnchanged(
  selector: LabelSelector | undefined,
  old: LabelSelector | undefined,
  path: Path,
): FieldError[] {
  return sameValue(selector, old) ? [] : [immutable(path, selector ?? null)];
}

/** Checks that a status's collision count did not go down (or vanish) in an update. */
export function validateCollisionCount(
  count: number | undefined,
  old: number | undefined,
  path: Path,
): FieldError[] {
  if (old === undefined || old === null) return [];
  if (count === undefined || count === null || count < old) {
    return [invalid(path, count ?? 0, "cannot be decremented")];
  }
  return [];
}

/**
 * Checks that each named count is at most `max`, with the detail upstream uses
 * (`cannot be greater than status.replicas`).
 */
export function validateNotAbove<S extends object>(
  status: S,
  names: readonly (keyof S & string)[],
  max: number,
  path: Path,
  detail: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of names) {
    const value: unknown = status[name];
    if (typeof value === "number" && value > max)
      errors.push(invalid(path.child(name), value, detail));
  }
  return errors;
}

/**
 * Container names and images of a template, each joined with commas, as the wide columns show them.
 */
export function containerCells(template: PodTemplateSpec | undefined): {
  names: string;
  images: string;
} {
  const containers = template?.spec?.containers ?? [];
  return {
    names: containers.map((c) => c.name ?? "").join(","),
    images: containers.map((c) => c.image ?? "").join(","),
  };
}

/** The wide CONTAINERS and IMAGES columns of a kind whose pod template `templateOf` finds. */
export function containerColumns<T extends KubeObject>(
  templateOf: (obj: T) => PodTemplateSpec | undefined,
): TableColumn<T>[] {
  return [
    {
      name: "Containers",
      type: "string",
      description: "Names of the containers in the pod template.",
      priority: 1,
      cell: (obj) => containerCells(templateOf(obj)).names,
    },
    {
      name: "Images",
      type: "string",
      description: "Images of the containers in the pod template.",
      priority: 1,
      cell: (obj) => containerCells(templateOf(obj)).images,
    },
  ];
}

/**
 * The wide SELECTOR column, rendered as kubectl's FormatLabelSelector does (`<none>` when empty).
 */
export function selectorColumn<T extends KubeObject>(
  selectorOf: (obj: T) => LabelSelector | undefined,
  description: string,
): TableColumn<T> {
  return {
    name: "Selector",
    type: "string",
    description,
    priority: 1,
    cell: (obj) => formatLabelSelector(selectorOf(obj)),
  };
}

/** A count cell: the number, or 0 when the field is unset (as Go's zero values print). */
export function count(value: number | undefined): number {
  return typeof value === "number" ? value : 0;
}
