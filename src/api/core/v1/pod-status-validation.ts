/**
 * Validation of writes to a pod's status: conditions, addresses and container state transitions.
 */
import { isIP } from "node:net";
import type { FieldError } from "../../errors.js";
import {
  check,
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  type Path,
} from "../../validation.js";
import { items, validIP } from "./pod-checks.js";
import type { ContainerStatus, PodSpec, PodStatus } from "./pod-shapes.js";

const SYSTEM_CONDITIONS = new Set(["PodScheduled", "Ready", "Initialized"]);

/** Validates a new pod status against the old one; `path` is `status`. */
export function validatePodStatus(
  status: PodStatus,
  old: PodStatus,
  spec: PodSpec,
  oldSpec: PodSpec,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  items(status.conditions).forEach((c, i) => {
    const type = c?.type ?? "";
    if (!SYSTEM_CONDITIONS.has(type))
      errors.push(
        ...check(path.child("conditions").index(i).child("type"), type, checkQualifiedName),
      );
  });

  const restartPolicy = oldSpec.restartPolicy ?? "Always";
  const sidecars = new Set(
    items(oldSpec.initContainers)
      .filter((c) => c?.restartPolicy === "Always")
      .map((c) => c?.name ?? ""),
  );
  errors.push(
    ...stateTransitions(
      status.containerStatuses,
      old.containerStatuses,
      restartPolicy,
      new Set(),
      path.child("containerStatuses"),
    ),
  );
  errors.push(
    ...stateTransitions(
      status.initContainerStatuses,
      old.initContainerStatuses,
      restartPolicy,
      sidecars,
      path.child("initContainerStatuses"),
    ),
  );
  // Ephemeral containers are never restarted.
  errors.push(
    ...stateTransitions(
      status.ephemeralContainerStatuses,
      old.ephemeralContainerStatuses,
      "Never",
      new Set(),
      path.child("ephemeralContainerStatuses"),
    ),
  );

  errors.push(
    ...validateIPs(
      items(status.podIPs).map((p) => p?.ip),
      path.child("podIPs"),
    ),
  );
  const hostIPs = items(status.hostIPs).map((p) => p?.ip);
  if (hostIPs.length > 0) {
    if ((status.hostIP ?? "") !== hostIPs[0]) {
      errors.push(
        invalid(
          path.child("hostIPs").index(0).child("ip"),
          hostIPs[0] ?? "",
          "must equal `hostIP`",
        ),
      );
    }
    errors.push(...validateIPs(hostIPs, path.child("hostIPs")));
  }
  const claims = new Set(items(spec.resourceClaims).map((c) => c?.name ?? ""));
  items(status.resourceClaimStatuses).forEach((s, i) => {
    if (!claims.has(s?.name ?? "")) {
      errors.push(
        invalid(
          path.child("resourceClaimStatuses").index(i).child("name"),
          s?.name ?? "",
          "must be the name of an entry in spec.resourceClaims",
        ),
      );
    }
  });
  return errors;
}

/** A container that ended for good may not be reported running again. */
function stateTransitions(
  now: readonly ContainerStatus[] | undefined,
  before: readonly ContainerStatus[] | undefined,
  restartPolicy: string,
  restartable: ReadonlySet<string>,
  path: Path,
): FieldError[] {
  if (restartPolicy === "Always") return [];
  const errors: FieldError[] = [];
  items(before).forEach((old, i) => {
    const terminated = old?.state?.terminated;
    if (!terminated) return;
    if ((terminated.exitCode ?? 0) !== 0 && restartPolicy === "OnFailure") return;
    if (restartable.has(old?.name ?? "")) return;
    for (const current of items(now)) {
      if (current?.name === old?.name && !current?.state?.terminated) {
        errors.push(
          forbidden(
            path.index(i).child("state"),
            "may not change from terminated to another state",
          ),
        );
      }
    }
  });
  return errors;
}

/** Valid addresses, at most one per IP family, none twice. */
function validateIPs(ips: readonly (string | undefined)[], path: Path): FieldError[] {
  const errors: FieldError[] = [];
  ips.forEach((ip, i) => errors.push(...validIP(ip, path.index(i))));
  if (ips.length > 1) {
    const families = ips.map((ip) => isIP(ip ?? ""));
    const dualStack = ips.length === 2 && families.includes(4) && families.includes(6);
    if (!dualStack)
      errors.push(
        invalid(
          path,
          ips.map((ip) => ({ ip })),
          "may hold at most one address of each IP family",
        ),
      );
    const seen = new Set<string>();
    ips.forEach((ip, i) => {
      if (seen.has(ip ?? "")) errors.push(duplicate(path.index(i), { ip }));
      seen.add(ip ?? "");
    });
  }
  return errors;
}
