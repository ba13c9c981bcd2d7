/** The kinds of the events.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { eventsV1Events } from "./event.js";

/** The served kinds of events.k8s.io/v1. */
export const eventsV1: ResourceDefinition[] = [eventsV1Events];
