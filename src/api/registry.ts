/**
 * Every kind the API serves, by group and version. The order of groups is the order discovery lists them.
 */
import { coreV1 } from "./core/v1/index.js";
import type { ResourceDefinition } from "./resource.js";

/** All resource definitions, core group first. */
export const allResources: readonly ResourceDefinition[] = [...coreV1];
