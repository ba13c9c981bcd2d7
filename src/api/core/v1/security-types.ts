/** Schemas of the security settings of pods and containers (core/v1). */
import { boolean, defineType, f, int64, list, string } from "../../schema.js";

const CORE = "io.k8s.api.core.v1";
const PROFILE_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"];

export const SELinuxOptions = defineType({
  name: `${CORE}.SELinuxOptions`,
  description: "The SELinux label applied to a container.",
  fields: {
    user: f(string(), 1, "SELinux user of the label."),
    role: f(string(), 2, "SELinux role of the label."),
    type: f(string(), 3, "SELinux type of the label."),
    level: f(string(), 4, "SELinux level of the label."),
  },
});

export const WindowsSecurityContextOptions = defineType({
  name: `${CORE}.WindowsSecurityContextOptions`,
  description: "Settings that apply to Windows containers only.",
  fields: {
    gmsaCredentialSpecName: f(string(), 1, "Name of the GMSACredentialSpec object to use.", {
      pointer: true,
    }),
    gmsaCredentialSpec: f(
      string(),
      2,
      "Contents of the GMSA credential spec, filled in by a webhook.",
      { pointer: true },
    ),
    runAsUserName: f(string(), 3, "Windows user name to run the entrypoint as.", { pointer: true }),
    hostProcess: f(
      boolean(),
      4,
      "Whether the container runs as a host process; all containers must agree.",
      { pointer: true },
    ),
  },
});

export const SeccompProfile = defineType({
  name: `${CORE}.SeccompProfile`,
  description: "The seccomp profile a container runs under.",
  fields: {
    type: f(
      string({ enum: PROFILE_TYPES }),
      1,
      "Kind of profile: Localhost, RuntimeDefault or Unconfined.",
      {
        required: true,
      },
    ),
    localhostProfile: f(string(), 2, "Path of the profile on the node, for type Localhost only.", {
      pointer: true,
    }),
  },
});

export const AppArmorProfile = defineType({
  name: `${CORE}.AppArmorProfile`,
  description: "The AppArmor profile a container runs under.",
  fields: {
    type: f(
      string({ enum: PROFILE_TYPES }),
      1,
      "Kind of profile: Localhost, RuntimeDefault or Unconfined.",
      {
        required: true,
      },
    ),
    localhostProfile: f(
      string(),
      2,
      "Name of a profile loaded on the node, for type Localhost only.",
      { pointer: true },
    ),
  },
});

export const Sysctl = defineType({
  name: `${CORE}.Sysctl`,
  description: "A kernel parameter set for the pod.",
  fields: {
    name: f(string(), 1, "Name of the parameter, such as `net.ipv4.ip_local_port_range`.", {
      required: true,
    }),
    value: f(string(), 2, "Value to set.", { required: true }),
  },
});

export const Capabilities = defineType({
  name: `${CORE}.Capabilities`,
  description: "Linux capabilities added to or dropped from the runtime's default set.",
  fields: {
    add: f(list(string()), 1, "Capabilities to add."),
    drop: f(list(string()), 2, "Capabilities to drop."),
  },
});

export const SecurityContext = defineType({
  name: `${CORE}.SecurityContext`,
  description: "Security settings of one container; they override the pod's where both are set.",
  fields: {
    capabilities: f(Capabilities, 1, "Capabilities to add or drop."),
    privileged: f(boolean(), 2, "Whether the container runs privileged, like root on the host.", {
      pointer: true,
    }),
    seLinuxOptions: f(SELinuxOptions, 3, "SELinux label of the container."),
    windowsOptions: f(WindowsSecurityContextOptions, 10, "Windows-specific settings."),
    runAsUser: f(int64(), 4, "UID the entrypoint runs as; the image's user when unset.", {
      pointer: true,
    }),
    runAsGroup: f(int64(), 8, "GID the entrypoint runs as; the runtime's default when unset.", {
      pointer: true,
    }),
    runAsNonRoot: f(
      boolean(),
      5,
      "Whether the kubelet must refuse to start the container as UID 0.",
      { pointer: true },
    ),
    readOnlyRootFilesystem: f(boolean(), 6, "Whether the root filesystem is mounted read-only.", {
      pointer: true,
    }),
    allowPrivilegeEscalation: f(
      boolean(),
      7,
      "Whether a process may gain more privileges than its parent.",
      { pointer: true },
    ),
    procMount: f(
      string({ enum: ["Default", "Unmasked"] }),
      9,
      "How /proc is mounted: Default or Unmasked.",
      { pointer: true },
    ),
    seccompProfile: f(SeccompProfile, 11, "Seccomp profile of the container."),
    appArmorProfile: f(AppArmorProfile, 12, "AppArmor profile of the container."),
  },
});

export const PodSecurityContext = defineType({
  name: `${CORE}.PodSecurityContext`,
  description: "Security settings shared by all containers of a pod.",
  fields: {
    seLinuxOptions: f(SELinuxOptions, 1, "SELinux label of every container."),
    windowsOptions: f(
      WindowsSecurityContextOptions,
      8,
      "Windows-specific settings of every container.",
    ),
    runAsUser: f(int64(), 2, "UID every container's entrypoint runs as.", { pointer: true }),
    runAsGroup: f(int64(), 6, "GID every container's entrypoint runs as.", { pointer: true }),
    runAsNonRoot: f(
      boolean(),
      3,
      "Whether the kubelet must refuse to start any container as UID 0.",
      { pointer: true },
    ),
    supplementalGroups: f(
      list(int64()),
      4,
      "Extra groups for the first process of each container.",
    ),
    supplementalGroupsPolicy: f(
      string({ enum: ["Merge", "Strict"] }),
      12,
      "How supplemental groups are computed: Merge (with the image's) or Strict.",
      { pointer: true },
    ),
    fsGroup: f(int64(), 5, "Group that owns the pod's volumes and is added to every container.", {
      pointer: true,
    }),
    sysctls: f(list(Sysctl), 7, "Namespaced kernel parameters set for the pod."),
    fsGroupChangePolicy: f(
      string({ enum: ["Always", "OnRootMismatch"] }),
      9,
      "When volume ownership is changed to fsGroup: Always or OnRootMismatch.",
      { pointer: true },
    ),
    seccompProfile: f(SeccompProfile, 10, "Seccomp profile of every container."),
    appArmorProfile: f(AppArmorProfile, 11, "AppArmor profile of every container."),
    seLinuxChangePolicy: f(
      string(),
      13,
      "How the SELinux label is applied to volumes: Recursive or MountOption.",
      { pointer: true },
    ),
  },
});
