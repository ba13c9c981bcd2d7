/** The kinds of the apps group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
// The scale subresources of these kinds answer with autoscaling/v1 Scale.
import "../../autoscaling/v1/index.js";
import { controllerRevisions } from "./controller-revision.js";
import { daemonSets } from "./daemon-set.js";
import { deployments } from "./deployment.js";
import { replicaSets } from "./replica-set.js";
import { statefulSets } from "./stateful-set.js";

/** The served kinds of apps/v1, in discovery order. */
export const appsV1: ResourceDefinition[] = [
  controllerRevisions,
  daemonSets,
  deployments,
  replicaSets,
  statefulSets,
];
