/** The kinds of the core group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { configMaps } from "./config-map.js";
import { endpoints } from "./endpoints.js";
import { events } from "./event.js";
import { limitRanges } from "./limit-range.js";
import { namespaces } from "./namespace.js";
import { nodes } from "./node.js";
import { persistentVolumeClaims } from "./persistent-volume-claim.js";
import { persistentVolumes } from "./persistent-volume.js";
import { podTemplates } from "./pod-template.js";
import { pods } from "./pod.js";
import { replicationControllers } from "./replication-controller.js";
import { resourceQuotas } from "./resource-quota.js";
import { secrets } from "./secret.js";
import { serviceAccounts } from "./service-account.js";
import { services } from "./service.js";

export const coreV1: ResourceDefinition[] = [
  configMaps,
  namespaces,
  nodes,
  services,
  endpoints,
  secrets,
  serviceAccounts,
  events,
  persistentVolumes,
  persistentVolumeClaims,
  limitRanges,
  resourceQuotas,
  pods,
  podTemplates,
  replicationControllers,
];

export { BINDING_KIND, validatePodBinding, type Binding, type BindingTarget } from "./binding.js";
