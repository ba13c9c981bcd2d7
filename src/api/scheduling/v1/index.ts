/** The kinds of the scheduling.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { priorityClasses } from "./priority-class.js";

/** The served kinds of scheduling.k8s.io/v1. */
export const schedulingV1: ResourceDefinition[] = [priorityClasses];
