/** The kinds of the storage.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { storageClasses } from "./storage-class.js";

/** The served kinds of storage.k8s.io/v1. */
export const storageV1: ResourceDefinition[] = [storageClasses];
