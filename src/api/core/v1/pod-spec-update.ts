/**
 * What an update may change in a pod's spec: container images, the active deadline (down only),
 * tolerations (added only), the scheduling gates (removed only), a negative grace period (to 1)
 * and, while the pod is gated, node selectors (added only). Everything else is fixed once the pod
 * exists.
 */
import type { FieldError } from "../../errors.js";
import { forbidden, invalid, required, type Path } from "../../validation.js";
import { validateTolerations } from "./affinity-validation.js";
import { MAX_INT32, isSet, items } from "./pod-checks.js";
import type { Container, PodSpec, Toleration } from "./pod-shapes.js";
import { sameValue } from "./same-value.js";
import { copyJson } from "../../../util/json-copy.js";

const MUTABLE_FIELDS =
  "spec.containers[*].image, spec.initContainers[*].image, spec.activeDeadlineSeconds (lowered only), " +
  "spec.tolerations (added only), spec.schedulingGates (removed only), " +
  "spec.terminationGracePeriodSeconds (only from a negative value to 1)";

/**
 * Validates an update of a pod's spec from `old` to `spec`; `path` is where the spec sits (`spec`).
 */
export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of ["containers", "initContainers"] as const) {
    const [now, before] = [items(spec[list]), items(old[list])];
    if (now.length !== before.length) {
      return [
        ...errors,
        forbidden(path.child(list), "pod updates may not add or remove containers"),
      ];
    }
    now.forEach((c, i) => {
      if (!c?.image) errors.push(required(path.child(list).index(i).child("image")));
    });
  }

  errors.push(
    ...validateDeadlineUpdate(
      spec.activeDeadlineSeconds,
      old.activeDeadlineSeconds,
      path.child("activeDeadlineSeconds"),
    ),
  );
  errors.push(
    ...validateOnlyAddedTolerations(spec.tolerations, old.tolerations, path.child("tolerations")),
  );
  errors.push(
    ...validateOnlyRemovedGates(
      spec.schedulingGates,
      old.schedulingGates,
      path.child("schedulingGates"),
    ),
  );
  if (sameValue(spec, old)) return errors;

  // Put back what may change, then anything still different is a forbidden change.
  const munged: PodSpec = copyJson(spec);
  const restoreImages = (
    list: Container[] | undefined,
    from: Container[] | undefined,
  ): Container[] | undefined =>
    list?.map((c, i) =>
      typeof c === "object" && c !== null ? { ...c, image: from?.[i]?.image as string } : c,
    );
  setOrDelete(munged, "containers", restoreImages(munged.containers, old.containers));
  setOrDelete(munged, "initContainers", restoreImages(munged.initContainers, old.initContainers));
  setOrDelete(munged, "activeDeadlineSeconds", old.activeDeadlineSeconds);
  setOrDelete(munged, "schedulingGates", old.schedulingGates);
  setOrDelete(munged, "tolerations", old.tolerations);
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === "number" && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  if (items(old.schedulingGates).length > 0 && !sameValue(munged.nodeSelector, old.nodeSelector)) {
    errors.push(
      ...validateNodeSelectorAdditions(
        munged.nodeSelector,
        old.nodeSelector,
        path.child("nodeSelector"),
      ),
    );
    setOrDelete(munged, "nodeSelector", old.nodeSelector);
  }

  const changed = Object.keys({ ...munged, ...old }).filter(
    (k) => !sameValue(munged[k as keyof PodSpec], old[k as keyof PodSpec]),
  );
  if (changed.length > 0) {
    const fields = changed.map((k) => `spec.${k}`).join(", ");
    errors.push(
      forbidden(
        path,
        `pod updates may change only ${MUTABLE_FIELDS}; this update also changes ${fields}`,
      ),
    );
  }
  return errors;
}

function setOrDelete<K extends keyof PodSpec>(
  spec: PodSpec,
  key: K,
  value: PodSpec[K] | undefined,
): void {
  if (value === undefined) delete spec[key];
  else spec[key] = value;
}

function validateDeadlineUpdate(
  now: number | undefined,
  before: number | undefined,
  path: Path,
): FieldError[] {
  if (isSet(now)) {
    if (typeof now !== "number" || now < 0 || now > MAX_INT32) {
      return [invalid(path, now, `must be between 0 and ${MAX_INT32}, inclusive`)];
    }
    if (typeof before === "number" && before < now) {
      return [invalid(path, now, "must be less than or equal to the previous value")];
    }
    return [];
  }
  return isSet(before) ? [invalid(path, now ?? null, "may not be removed once set")] : [];
}

function validateOnlyAddedTolerations(
  now: readonly Toleration[] | undefined,
  before: readonly Toleration[] | undefined,
  path: Path,
): FieldError[] {
  const withoutSeconds = (t: Toleration | undefined): Toleration => {
    const { tolerationSeconds: _ignored, ...rest } = t ?? {};
    return rest;
  };
  for (const old of items(before)) {
    const kept = items(now).some((t) => sameValue(withoutSeconds(t), withoutSeconds(old)));
    if (!kept)
      return [
        forbidden(path, "existing tolerations may not be changed, except their tolerationSeconds"),
      ];
  }
  return validateTolerations(now, path);
}

function validateOnlyRemovedGates(
  now: PodSpec["schedulingGates"],
  before: PodSpec["schedulingGates"],
  path: Path,
): FieldError[] {
  const old = new Set(items(before).map((g) => g?.name ?? ""));
  const errors: FieldError[] = [];
  items(now).forEach((gate, i) => {
    const name = gate?.name ?? "";
    if (!old.has(name)) {
      errors.push(
        forbidden(
          path.index(i).child("name"),
          `scheduling gates may only be removed, but '${name}' is new`,
        ),
      );
    }
  });
  return errors;
}

function validateNodeSelectorAdditions(
  now: Record<string, string> | undefined,
  before: Record<string, string> | undefined,
  path: Path,
): FieldError[] {
  for (const [key, value] of Object.entries(before ?? {})) {
    if (now?.[key] !== value) {
      return [
        invalid(
          path,
          now ?? null,
          "entries may only be added to spec.nodeSelector, never changed or removed",
        ),
      ];
    }
  }
  return [];
}
