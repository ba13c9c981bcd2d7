/** The kinds of the coordination.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { leases } from "./lease.js";

/** The served kinds of coordination.k8s.io/v1. */
export const coordinationV1: ResourceDefinition[] = [leases];
