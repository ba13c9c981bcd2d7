/** The kinds of the discovery.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { endpointSlices } from "./endpoint-slice.js";

/** The served kinds of discovery.k8s.io/v1. */
export const discoveryV1: ResourceDefinition[] = [endpointSlices];
