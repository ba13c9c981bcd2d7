/** The kinds of the policy group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { podDisruptionBudgets } from "./pod-disruption-budget.js";

/** The served kinds of policy/v1. */
export const policyV1: ResourceDefinition[] = [podDisruptionBudgets];
