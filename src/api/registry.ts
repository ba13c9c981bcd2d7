/**
 * Every kind the API serves, by group and version. The order of groups is the order discovery lists
 * them: upstream's, by descending group priority (core, apps, events.k8s.io, authorization.k8s.io, ...,
 * discovery.k8s.io).
 */
import { appsV1 } from "./apps/v1/index.js";
import { authorizationV1 } from "./authorization/v1/index.js";
import { batchV1 } from "./batch/v1/index.js";
import { coordinationV1 } from "./coordination/v1/index.js";
import { coreV1 } from "./core/v1/index.js";
import { discoveryV1 } from "./discovery/v1/index.js";
import { eventsV1 } from "./events/v1/index.js";
import { networkingV1 } from "./networking/v1/index.js";
import { policyV1 } from "./policy/v1/index.js";
import type { ResourceDefinition } from "./resource.js";
import { schedulingV1 } from "./scheduling/v1/index.js";
import { storageV1 } from "./storage/v1/index.js";

/** All resource definitions, core group first. */
export const allResources: readonly ResourceDefinition[] = [
  ...coreV1,
  ...appsV1,
  ...eventsV1,
  ...authorizationV1,
  ...batchV1,
  ...networkingV1,
  ...policyV1,
  ...storageV1,
  ...schedulingV1,
  ...coordinationV1,
  ...discoveryV1,
];
