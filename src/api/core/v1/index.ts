/** The kinds of the core group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { configMaps } from "./config-map.js";

export const coreV1: ResourceDefinition[] = [configMaps];
