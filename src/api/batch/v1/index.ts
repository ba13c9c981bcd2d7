/** The kinds of the batch group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { cronJobs } from "./cron-job.js";
import { jobs } from "./job.js";

/** The served kinds of batch/v1, in discovery order. */
export const batchV1: ResourceDefinition[] = [cronJobs, jobs];
