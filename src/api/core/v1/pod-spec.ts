/**
 * The pod spec as code uses it: TypeScript shapes of pods and pod templates, and upstream's
 * defaulting and validation of them. Kinds that embed a pod template (ReplicationController, the
 * apps/v1 and batch/v1 workloads) import what they need from here; the schemas are in
 * pod-spec-types.ts.
 */
export type {
  Affinity,
  Container,
  ContainerPort,
  ContainerState,
  ContainerStatus,
  EnvVar,
  EphemeralContainer,
  PodCondition,
  PodSecurityContext,
  PodSpec,
  PodStatus,
  PodTemplateSpec,
  Probe,
  ResourceList,
  ResourceRequirements,
  SecurityContext,
  Toleration,
  TopologySpreadConstraint,
  Volume,
  VolumeMount,
} from "./pod-shapes.js";
export {
  defaultPodOnlyFields,
  defaultPodSpec,
  defaultPodTemplateSpec,
} from "./pod-spec-defaults.js";
export { validatePodSpecUpdate } from "./pod-spec-update.js";
export {
  validatePodOnlyContainers,
  validatePodSpec,
  validatePodTemplateSpec,
  type PodSpecValidationOptions,
} from "./pod-spec-validation.js";
