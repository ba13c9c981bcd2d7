/** CronJob (batch/v1): creates Jobs on a repeating schedule. */
import { age, ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, int32, int64, list, ref, string, time } from "../../schema.js";
import { invalid, notSupported, required, root, type Path } from "../../validation.js";
import {
  containerColumns,
  count,
  selectorColumn,
  validateNonNegative,
} from "../../apps/v1/workload.js";
import { checkTimeZone, CronSyntaxError, parseSchedule } from "./cron.js";
import { defaultJobSpecTemplate } from "./job.js";
import { validateJobSpecFields } from "./job-spec-validation.js";
import { JobTemplateSpecSchema, type JobTemplateSpec } from "./job-types.js";

/** The desired state of a CronJob. */
export interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  /** `Allow` (the default), `Forbid` or `Replace`. */
  concurrencyPolicy?: string;
  suspend?: boolean;
  jobTemplate?: JobTemplateSpec;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

/** The observed state of a CronJob. */
export interface CronJobStatus {
  active?: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
  }[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

/** A CronJob as stored and served. */
export interface CronJob extends KubeObject {
  spec?: CronJobSpec;
  status?: CronJobStatus;
}

const BATCH = "io.k8s.api.batch.v1";

const CronJobSpecSchema = defineType({
  name: `${BATCH}.CronJobSpec`,
  description: "The desired state of a CronJob.",
  fields: {
    schedule: f(
      string(),
      1,
      "When to run, in cron format such as '*/5 * * * *' or a descriptor such as '@hourly'.",
      { required: true },
    ),
    timeZone: f(
      string(),
      8,
      "IANA time zone the schedule is read in; the controller's local zone when unset.",
      { pointer: true },
    ),
    startingDeadlineSeconds: f(
      int64(),
      2,
      "Seconds after a missed run during which it may still start.",
      { pointer: true },
    ),
    concurrencyPolicy: f(
      string({ enum: ["Allow", "Forbid", "Replace"] }),
      3,
      "Allow (the default), Forbid or Replace concurrent runs.",
    ),
    suspend: f(boolean(), 4, "True to stop starting new runs; running Jobs are not affected.", {
      pointer: true,
    }),
    jobTemplate: f(JobTemplateSpecSchema, 5, "The Job to create on each run.", { required: true }),
    successfulJobsHistoryLimit: f(int32(), 6, "Finished successful Jobs to keep; defaults to 3.", {
      pointer: true,
    }),
    failedJobsHistoryLimit: f(int32(), 7, "Finished failed Jobs to keep; defaults to 1.", {
      pointer: true,
    }),
  },
});

const CronJobStatusSchema = defineType({
  name: `${BATCH}.CronJobStatus`,
  description: "The observed state of a CronJob.",
  fields: {
    active: f(
      list(ref("io.k8s.api.core.v1.ObjectReference")),
      1,
      "The Jobs of this CronJob that are running.",
    ),
    lastScheduleTime: f(time(), 4, "When a Job was last scheduled.", { pointer: true }),
    lastSuccessfulTime: f(time(), 5, "When a Job last completed successfully.", { pointer: true }),
  },
});

defineType({
  name: `${BATCH}.CronJob`,
  description: "Creates Jobs on a repeating schedule.",
  gvk: { group: "batch", version: "v1", kind: "CronJob" },
  fields: {
    ...objectFields(),
    spec: f(CronJobSpecSchema, 2, "The desired behaviour of the CronJob."),
    status: f(CronJobStatusSchema, 3, "The most recently observed state of the CronJob."),
  },
});

/**
 * Fills in upstream's defaults: concurrent runs allowed, not suspended, 3 successful and 1 failed
 * Job kept.
 */
export function defaultCronJob(cj: CronJob): void {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ||= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // Only the pod template inside gets defaults; the Job-level ones apply when a Job is made from
  // it.
  const template = (spec.jobTemplate ??= {});
  defaultJobSpecTemplate((template.spec ??= {}));
}

/**
 * The Job names a CronJob makes are its name plus an 11-character suffix, and must stay within 63
 * characters.
 */
const MAX_NAME_LENGTH = 52;

function validateSchedule(
  spec: CronJobSpec,
  old: CronJobSpec | undefined,
  path: Path,
): FieldError[] {
  const schedule = spec.schedule ?? "";
  if (schedule === "") return [required(path)];
  const errors: FieldError[] = [];
  try {
    parseSchedule(schedule);
  } catch (err) {
    if (!(err instanceof CronSyntaxError)) throw err;
    errors.push(invalid(path, schedule, err.message));
  }
  // A zone in the schedule text is refused for new schedules; old ones that had it may keep it.
  const hadZone = old?.schedule?.includes("TZ") ?? false;
  if (hadZone && schedule.includes("TZ") && spec.timeZone !== undefined) {
    errors.push(
      invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"),
    );
  } else if (!hadZone && schedule.includes("TZ")) {
    errors.push(
      invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    );
  }
  return errors;
}

function validateTimeZone(zone: string | undefined, path: Path): FieldError[] {
  if (zone === undefined) return [];
  if (zone === "") return [invalid(path, zone, "timeZone must be nil or non-empty string")];
  const problem = checkTimeZone(zone);
  return problem ? [invalid(path, zone, problem)] : [];
}

function validateJobTemplate(template: JobTemplateSpec | undefined, path: Path): FieldError[] {
  const spec = template?.spec ?? {};
  const specPath = path.child("spec");
  const errors = validateJobSpecFields(spec, specPath);
  if (spec.selector)
    errors.push(
      invalid(specPath.child("selector"), spec.selector, "`selector` will be auto-generated"),
    );
  if (spec.manualSelector === true)
    errors.push(notSupported(specPath.child("manualSelector"), true, ["nil", "false"]));
  return errors;
}

/** Checks a CronJob's spec; `old` is the spec before an update, absent on create. */
export function validateCronJobSpec(
  spec: CronJobSpec | undefined,
  old: CronJobSpec | undefined,
  path: Path,
): FieldError[] {
  const s = spec ?? {};
  const errors = validateSchedule(s, old, path.child("schedule"));
  errors.push(
    ...validateNonNegative(s.startingDeadlineSeconds, path.child("startingDeadlineSeconds")),
  );
  if (!old || old.timeZone !== s.timeZone)
    errors.push(...validateTimeZone(s.timeZone, path.child("timeZone")));
  const policy = s.concurrencyPolicy ?? "";
  if (policy === "") errors.push(required(path.child("concurrencyPolicy")));
  else if (!["Allow", "Forbid", "Replace"].includes(policy)) {
    errors.push(
      notSupported(path.child("concurrencyPolicy"), policy, ["Allow", "Forbid", "Replace"]),
    );
  }
  errors.push(...validateJobTemplate(s.jobTemplate, path.child("jobTemplate")));
  errors.push(
    ...validateNonNegative(s.successfulJobsHistoryLimit, path.child("successfulJobsHistoryLimit")),
  );
  errors.push(
    ...validateNonNegative(s.failedJobsHistoryLimit, path.child("failedJobsHistoryLimit")),
  );
  return errors;
}

function suspendText(suspend: boolean | undefined): string {
  if (suspend === undefined) return "<unset>";
  return suspend ? "True" : "False";
}

/** The resource definition of batch/v1 CronJob. */
export const cronJobs = defineResource<CronJob>({
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  singular: "cronjob",
  shortNames: ["cj"],
  categories: ["all"],
  namespaced: true,
  schema: `${BATCH}.CronJob`,
  statusSubresource: true,
  tracksGeneration: true,
  columns: [
    {
      name: "Schedule",
      type: "string",
      description: "The schedule in cron format.",
      priority: 0,
      cell: (cj) => cj.spec?.schedule ?? "",
    },
    {
      name: "Timezone",
      type: "string",
      description: "The time zone the schedule is read in.",
      priority: 0,
      cell: (cj) => cj.spec?.timeZone ?? "<none>",
    },
    {
      name: "Suspend",
      type: "boolean",
      description: "Whether new runs are suspended.",
      priority: 0,
      cell: (cj) => suspendText(cj.spec?.suspend),
    },
    {
      name: "Active",
      type: "integer",
      description: "Jobs of this CronJob that are running.",
      priority: 0,
      cell: (cj) => count(cj.status?.active?.length),
    },
    {
      name: "Last Schedule",
      type: "string",
      description: "How long ago a Job was last scheduled.",
      priority: 0,
      cell: (cj, now) =>
        cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : "<none>",
    },
    ageColumn(),
    ...containerColumns<CronJob>((cj) => cj.spec?.jobTemplate?.spec?.template),
    selectorColumn<CronJob>(
      (cj) => cj.spec?.jobTemplate?.spec?.selector,
      "Label query over the pods of the Jobs.",
    ),
  ],
  defaults: defaultCronJob,
  // Upstream relaxes three checks on update for objects made by older servers: the name length, a
  // zone in the schedule text, and an unchanged time zone. Every CronJob here passed them when it
  // was made, so applying them on every write refuses nothing that upstream would accept.
  validate: (cj) => [
    ...validateCronJobName(cj),
    ...validateCronJobSpec(cj.spec, undefined, root("spec")),
  ],
});

/** Checks the length of a CronJob's name, which the names of its Jobs extend. */
export function validateCronJobName(cj: CronJob): FieldError[] {
  const name = cj.metadata.name ?? "";
  return name.length > MAX_NAME_LENGTH
    ? [
        invalid(
          root("metadata").child("name"),
          name,
          `must be no more than ${MAX_NAME_LENGTH} characters`,
        ),
      ]
    : [];
}
