/**
 * The kinds of autoscaling/v1. None is served yet (HorizontalPodAutoscaler comes later); importing
 * this module defines the Scale type that the `scale` subresources of other groups answer with.
 */
import type { ResourceDefinition } from "../../resource.js";
import "./scale.js";

export type { Scale, ScaleSpec, ScaleStatus } from "./scale.js";

/** The served kinds of autoscaling/v1: none yet. */
export const autoscalingV1: ResourceDefinition[] = [];
