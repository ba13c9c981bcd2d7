/** Validation of pod and container security contexts. */
import type { FieldError } from "../../errors.js";
import {
  check,
  checkDNS1123Subdomain,
  duplicate,
  invalid,
  required,
  type Path,
} from "../../validation.js";
import { checkID, isSet, items, oneOf, relativeDescendingPath } from "./pod-checks.js";
import type {
  PodSecurityContext,
  SeccompProfile,
  SecurityContext,
  WindowsSecurityContextOptions,
} from "./pod-shapes.js";

const PROFILE_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"];
const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
const MAX_SYSCTL_NAME = 253;

function ids(sc: { runAsUser?: number; runAsGroup?: number }, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ["runAsUser", "runAsGroup"] as const) {
    const v = sc[field];
    if (isSet(v)) errors.push(...checkID(v).map((m) => invalid(path.child(field), v, m)));
  }
  return errors;
}

/**
 * Validates a container's security context. `hostUsers` is whether the pod shares the node's users.
 */
export function validateContainerSecurityContext(
  sc: SecurityContext | undefined,
  hostUsers: boolean,
  path: Path,
): FieldError[] {
  if (!isSet(sc) || typeof sc !== "object") return [];
  const errors = ids(sc, path);
  if (isSet(sc.procMount)) {
    errors.push(...oneOf(sc.procMount, ["Default", "Unmasked"], path.child("procMount")));
    if (hostUsers && sc.procMount === "Unmasked") {
      errors.push(
        invalid(path.child("procMount"), sc.procMount, "`hostUsers` must be false to use Unmasked"),
      );
    }
  }
  errors.push(...validateProfile(sc.seccompProfile, "seccomp", path.child("seccompProfile")));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errors.push(
        invalid(
          path,
          sc,
          "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
        ),
      );
    }
    if (items(sc.capabilities?.add).includes("CAP_SYS_ADMIN")) {
      errors.push(
        invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and add CAP_SYS_ADMIN"),
      );
    }
  }
  errors.push(...validateWindowsOptions(sc.windowsOptions, path.child("windowsOptions")));
  errors.push(...validateProfile(sc.appArmorProfile, "AppArmor", path.child("appArmorProfile")));
  return errors;
}

/**
 * Validates a pod's security context. The host namespaces live in the pod spec, so the spec's
 * `hostNetwork`, `hostPID` and `hostIPC` are passed in.
 */
export function validatePodSecurityContext(
  sc: PodSecurityContext | undefined,
  host: {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    shareProcessNamespace?: boolean;
  },
  path: Path,
): FieldError[] {
  if (!isSet(sc) || typeof sc !== "object") return [];
  const errors = ids(sc, path);
  if (isSet(sc.fsGroup))
    errors.push(...checkID(sc.fsGroup).map((m) => invalid(path.child("fsGroup"), sc.fsGroup, m)));
  items(sc.supplementalGroups).forEach((gid, i) => {
    errors.push(
      ...checkID(gid).map((m) => invalid(path.child("supplementalGroups").index(i), gid, m)),
    );
  });
  if (host.shareProcessNamespace === true && host.hostPID === true) {
    errors.push(
      invalid(
        path.child("shareProcessNamespace"),
        true,
        "shareProcessNamespace and hostPID may not both be true",
      ),
    );
  }
  errors.push(...validateSysctls(sc.sysctls, host, path.child("sysctls")));
  errors.push(
    ...oneOf(
      sc.fsGroupChangePolicy,
      ["Always", "OnRootMismatch"],
      path.child("fsGroupChangePolicy"),
    ),
  );
  errors.push(...validateProfile(sc.seccompProfile, "seccomp", path.child("seccompProfile")));
  errors.push(...validateWindowsOptions(sc.windowsOptions, path.child("windowsOptions")));
  errors.push(...validateProfile(sc.appArmorProfile, "AppArmor", path.child("appArmorProfile")));
  errors.push(
    ...oneOf(
      sc.supplementalGroupsPolicy,
      ["Merge", "Strict"],
      path.child("supplementalGroupsPolicy"),
    ),
  );
  errors.push(
    ...oneOf(
      sc.seLinuxChangePolicy,
      ["MountOption", "Recursive"],
      path.child("seLinuxChangePolicy"),
    ),
  );
  return errors;
}

function validateSysctls(
  sysctls: PodSecurityContext["sysctls"],
  host: { hostNetwork?: boolean; hostIPC?: boolean },
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  items(sysctls).forEach((s, i) => {
    const p = path.index(i).child("name");
    const name = s?.name ?? "";
    if (!name) errors.push(required(p));
    else if (name.length > MAX_SYSCTL_NAME || !SYSCTL_NAME.test(name)) {
      errors.push(
        invalid(
          p,
          name,
          `must have at most ${MAX_SYSCTL_NAME} characters and match the sysctl name format (such as kernel.shm_rmid_forced)`,
        ),
      );
    } else if (names.has(name)) errors.push(duplicate(p, name));
    names.add(name);
    // Namespaced sysctls would change the node's own settings when the namespace is the node's.
    const normalized = name.replaceAll("/", ".");
    if (host.hostNetwork === true && normalized.startsWith("net.")) {
      errors.push(invalid(p, name, "may not be set when hostNetwork is true"));
    }
    const ipc =
      normalized.startsWith("kernel.shm") ||
      normalized.startsWith("kernel.msg") ||
      normalized === "kernel.sem" ||
      normalized.startsWith("fs.mqueue.");
    if (host.hostIPC === true && ipc)
      errors.push(invalid(p, name, "may not be set when hostIPC is true"));
  });
  return errors;
}

function validateProfile(
  profile: SeccompProfile | undefined,
  what: "seccomp" | "AppArmor",
  path: Path,
): FieldError[] {
  if (!isSet(profile) || typeof profile !== "object") return [];
  const errors: FieldError[] = [];
  if (!profile.type)
    errors.push(required(path.child("type"), `type is required when a ${what} profile is set`));
  else errors.push(...oneOf(profile.type, PROFILE_TYPES, path.child("type")));
  if (profile.type === "Localhost") {
    const local = profile.localhostProfile;
    if (!isSet(local) || (what === "AppArmor" && local?.trim() === "")) {
      errors.push(
        required(path.child("localhostProfile"), `must be set when the ${what} type is Localhost`),
      );
    } else if (what === "seccomp") {
      errors.push(...relativeDescendingPath(local ?? "", path.child("localhostProfile")));
    } else if (local !== local?.trim()) {
      errors.push(
        invalid(path.child("localhostProfile"), local, "must not be padded with whitespace"),
      );
    }
  } else if (isSet(profile.localhostProfile)) {
    errors.push(
      invalid(
        path.child("localhostProfile"),
        profile.localhostProfile,
        `may only be set when the ${what} type is Localhost`,
      ),
    );
  }
  return errors;
}

function validateWindowsOptions(
  options: WindowsSecurityContextOptions | undefined,
  path: Path,
): FieldError[] {
  if (!isSet(options) || typeof options !== "object") return [];
  const errors: FieldError[] = [];
  if (isSet(options.gmsaCredentialSpecName)) {
    errors.push(
      ...check(
        path.child("gmsaCredentialSpecName"),
        options.gmsaCredentialSpecName ?? "",
        checkDNS1123Subdomain,
      ),
    );
  }
  if (options.gmsaCredentialSpec === "") {
    errors.push(invalid(path.child("gmsaCredentialSpec"), "", "may not be an empty string"));
  } else if ((options.gmsaCredentialSpec ?? "").length > 64 * 1024) {
    errors.push(invalid(path.child("gmsaCredentialSpec"), "", "must be smaller than 64 KiB"));
  }
  const user = options.runAsUserName;
  if (user === "")
    errors.push(invalid(path.child("runAsUserName"), user, "may not be an empty string"));
  // eslint-disable-next-line no-control-regex
  else if (isSet(user) && /[\x00-\x1f\x7f]/.test(user ?? "")) {
    errors.push(invalid(path.child("runAsUserName"), user, "may not contain control characters"));
  }
  return errors;
}
