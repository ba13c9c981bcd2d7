/** Job (batch/v1): runs pods until enough of them succeed. */
import { age, ageColumn, humanDuration } from "../../columns.js";
import { defaultPodTemplateSpec, type PodTemplateSpec } from "../../core/v1/pod-spec.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import { defineResource } from "../../resource.js";
import { labelSelectorFromObject, SelectorParseError } from "../../selectors/label-selector.js";
import {
  checkDNS1123Label,
  immutable,
  invalid,
  required,
  root,
  validateLabelSelector,
  type Path,
} from "../../validation.js";
import {
  containerColumns,
  count,
  selectorColumn,
  validateNonNegative,
  validateSelectorMatchesTemplate,
  validateSelectorUnchanged,
} from "../../apps/v1/workload.js";
import { validateJobSpecFields } from "./job-spec-validation.js";
import type { Job, JobCondition, JobSpec, JobStatus } from "./job-types.js";
import { copyJson } from "../../../util/json-copy.js";

export type { Job, JobCondition, JobSpec, JobStatus, JobTemplateSpec } from "./job-types.js";

/** The labels a Job's pods carry when the server generates its selector (the default). */
export const JOB_LABELS = {
  controllerUid: "batch.kubernetes.io/controller-uid",
  jobName: "batch.kubernetes.io/job-name",
  legacyControllerUid: "controller-uid",
  legacyJobName: "job-name",
} as const;

const INT32_MAX = 2_147_483_647;

/** Fills in the defaults of a JobSpec's pod template, including the pod failure policy's. */
export function defaultJobSpecTemplate(spec: JobSpec): void {
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ||= "True";
  }
  defaultPodTemplateSpec((spec.template ??= {}));
}

/**
 * Fills in upstream's defaults: one completion and parallelism of one when both are unset, a
 * backoff limit of 6, NonIndexed, not suspended, replacing pods once terminating or failed, no
 * manual selector, and the template's labels as the Job's own when it has none. The selector itself
 * is generated on create (`generateJobSelector`), once the Job has its UID.
 */
export function defaultJob(job: Job): void {
  const spec = (job.spec ??= {});
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? INT32_MAX : 6;
  copyTemplateLabels(job);
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  spec.manualSelector ??= false;
  defaultJobSpecTemplate(spec);
}

function copyTemplateLabels(job: Job): void {
  const templateLabels = job.spec?.template?.metadata?.labels;
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) {
    job.metadata.labels = { ...templateLabels };
  }
}

/**
 * Adds the selector and pod labels that tie a Job to its own pods: the Job's UID and name, under
 * the batch.kubernetes.io keys and the legacy ones. Labels the client set are kept, and checked
 * later.
 */
export function generateJobSelector(job: Job): void {
  const spec = (job.spec ??= {});
  const template: PodTemplateSpec = (spec.template ??= {});
  const metadata = (template.metadata ??= {});
  const labels = (metadata.labels ??= {});
  const name = job.metadata.name ?? "";
  const uid = job.metadata.uid ?? "";
  labels[JOB_LABELS.legacyJobName] ??= name;
  labels[JOB_LABELS.jobName] ??= name;
  labels[JOB_LABELS.legacyControllerUid] ??= uid;
  labels[JOB_LABELS.controllerUid] ??= uid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  matchLabels[JOB_LABELS.controllerUid] ??= uid;
}

function validateHasLabel(
  template: PodTemplateSpec | undefined,
  path: Path,
  key: string,
  want: string,
): FieldError[] {
  const labels = template?.metadata?.labels ?? {};
  const p = path.child("labels").key(key);
  if (!Object.hasOwn(labels, key)) return [required(p, `must be '${want}'`)];
  return labels[key] === want ? [] : [invalid(p, labels, `must be '${want}'`)];
}

/** Checks that a generated selector and the template's labels are the ones the server made. */
function validateGeneratedSelector(job: Job): FieldError[] {
  const spec = job.spec ?? {};
  if (spec.manualSelector === true || !spec.selector) return [];
  const errors: FieldError[] = [];
  const uid = job.metadata.uid ?? "";
  const name = job.metadata.name ?? "";
  if (uid === "") errors.push(required(root("metadata").child("uid")));
  const templateMeta = root("spec").child("template").child("metadata");
  errors.push(
    ...validateHasLabel(spec.template, templateMeta, JOB_LABELS.legacyControllerUid, uid),
  );
  errors.push(...validateHasLabel(spec.template, templateMeta, JOB_LABELS.legacyJobName, name));
  errors.push(...validateHasLabel(spec.template, templateMeta, JOB_LABELS.controllerUid, uid));
  errors.push(...validateHasLabel(spec.template, templateMeta, JOB_LABELS.jobName, name));
  const expected = {
    [JOB_LABELS.controllerUid]: uid,
    [JOB_LABELS.jobName]: name,
    [JOB_LABELS.legacyControllerUid]: uid,
    [JOB_LABELS.legacyJobName]: name,
  };
  try {
    if (!labelSelectorFromObject(spec.selector).matches(expected)) {
      errors.push(
        invalid(root("spec").child("selector"), spec.selector, "`selector` not auto-generated"),
      );
    }
  } catch (err) {
    // An unreadable selector is reported by the selector's own checks.
    if (!(err instanceof SelectorParseError)) throw err;
  }
  return errors;
}

/**
 * Checks a Job (upstream's ValidateJob). Upstream waives the batch.kubernetes.io pod labels for
 * Jobs made before they existed; every Job made here has them, so they are always required.
 */
export function validateJob(job: Job): FieldError[] {
  const spec = job.spec ?? {};
  const path = root("spec");
  const errors = validateGeneratedSelector(job);
  errors.push(...validateJobSpecFields(spec, path));
  if (!spec.selector) errors.push(required(path.child("selector")));
  else errors.push(...validateLabelSelector(spec.selector, path.child("selector")));
  errors.push(
    ...validateSelectorMatchesTemplate(
      spec.selector,
      spec.template,
      { selector: path.child("selector"), template: path.child("template") },
      null,
    ),
  );

  // Indexed pods are named and hostnamed <job>-<index>, which must stay a DNS label.
  if (spec.completionMode === "Indexed" && (spec.completions ?? 0) > 0) {
    const longest = `${job.metadata.name ?? ""}-${(spec.completions ?? 1) - 1}`;
    if (checkDNS1123Label(longest).length > 0) {
      errors.push(
        invalid(
          root("metadata").child("name"),
          job.metadata.name,
          `will not able to create pod with invalid DNS label: ${longest}`,
        ),
      );
    }
  }
  return errors;
}

type Json = Record<string, unknown>;

function asJson(value: unknown): Json | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

/**
 * The old template with the scheduling directives taken from the new one: labels, annotations, node
 * selector, tolerations, scheduling gates and node affinity. A suspended Job that never started may
 * change these, to be steered elsewhere before it runs.
 */
function withSchedulingDirectivesOf(
  old: PodTemplateSpec | undefined,
  next: PodTemplateSpec | undefined,
): unknown {
  const copy = copyJson((old ?? {}) as Json);
  const nextJson = (next ?? {}) as Json;
  const meta = { ...asJson(copy.metadata) };
  const nextMeta = asJson(nextJson.metadata) ?? {};
  meta.labels = nextMeta.labels;
  meta.annotations = nextMeta.annotations;
  copy.metadata = meta;

  const spec = { ...asJson(copy.spec) };
  const nextSpec = asJson(nextJson.spec) ?? {};
  for (const name of ["nodeSelector", "tolerations", "schedulingGates"])
    spec[name] = nextSpec[name];
  const affinity: Json = {
    ...asJson(spec.affinity),
    nodeAffinity: asJson(nextSpec.affinity)?.nodeAffinity,
  };
  for (const [k, v] of Object.entries(affinity)) if (v === undefined) delete affinity[k];
  spec.affinity = Object.keys(affinity).length > 0 ? affinity : undefined;
  copy.spec = spec;
  return copy;
}

function validateTemplateUpdate(job: Job, old: Job, path: Path): FieldError[] {
  const template = job.spec?.template;
  const suspendedNeverStarted = old.spec?.suspend === true && !old.status?.startTime;
  const oldTemplate = suspendedNeverStarted
    ? withSchedulingDirectivesOf(old.spec?.template, template)
    : old.spec?.template;
  return sameValue(template, oldTemplate) ? [] : [immutable(path, template ?? null)];
}

function validateCompletionsUpdate(spec: JobSpec, old: JobSpec, path: Path): FieldError[] {
  if (sameValue(spec.completions, old.completions)) return [];
  // Indexed Jobs may scale, changing completions and parallelism together.
  if (spec.completionMode === "Indexed") {
    if (spec.completions === undefined) return [];
    return spec.completions === spec.parallelism
      ? []
      : [invalid(path, spec.completions, "can only be modified in tandem with spec.parallelism")];
  }
  return [immutable(path, spec.completions ?? null)];
}

/** Checks what an update of a Job may not change (upstream's ValidateJobSpecUpdate). */
function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const spec = job.spec ?? {};
  const oldSpec = old.spec ?? {};
  const path = root("spec");
  const errors = validateCompletionsUpdate(spec, oldSpec, path.child("completions"));
  errors.push(
    ...validateSelectorUnchanged(spec.selector, oldSpec.selector, path.child("selector")),
  );
  errors.push(...validateTemplateUpdate(job, old, path.child("template")));
  for (const name of [
    "completionMode",
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "managedBy",
    "successPolicy",
  ] as const) {
    if (!sameValue(spec[name], oldSpec[name]))
      errors.push(immutable(path.child(name), spec[name] ?? null));
  }
  return errors;
}

function validateJobStatus(status: JobStatus | undefined, path: Path): FieldError[] {
  const s = status ?? {};
  const errors: FieldError[] = [];
  for (const name of ["active", "succeeded", "failed", "ready", "terminating"] as const) {
    errors.push(...validateNonNegative(s[name], path.child(name)));
  }
  const seen = new Set<string>();
  for (const kind of ["succeeded", "failed"] as const) {
    (s.uncountedTerminatedPods?.[kind] ?? []).forEach((uid, i) => {
      const p = path.child("uncountedTerminatedPods").child(kind).index(i);
      if (uid === "") errors.push(invalid(p, uid, "must not be empty"));
      else if (seen.has(uid))
        errors.push({ type: "FieldValueDuplicate", field: String(p), value: uid, detail: "" });
      seen.add(uid);
    });
  }
  return errors;
}

function conditionTrue(conditions: JobCondition[] | undefined, type: string): boolean {
  // Like kubectl, only the first condition of a type counts.
  return conditions?.find((c) => c.type === type)?.status === "True";
}

/** The STATUS cell of a Job, as kubectl words it. */
export function jobStatusText(job: Job): string {
  const conditions = job.status?.conditions;
  if (conditionTrue(conditions, "Complete")) return "Complete";
  if (conditionTrue(conditions, "Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (conditionTrue(conditions, "Suspended")) return "Suspended";
  if (conditionTrue(conditions, "FailureTarget")) return "FailureTarget";
  return "Running";
}

/** The COMPLETIONS cell: succeeded out of completions, or out of one when completions is unset. */
export function jobCompletionsText(job: Job): string {
  const succeeded = count(job.status?.succeeded);
  const completions = job.spec?.completions;
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** The DURATION cell: from start to completion, or to now while running; empty before it starts. */
export function jobDurationText(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return "";
  const completion = job.status?.completionTime;
  if (!completion) return age(start, now);
  return humanDuration(Date.parse(completion) - Date.parse(start));
}

/** The resource definition of batch/v1 Job. */
export const jobs = defineResource<Job>({
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  singular: "job",
  categories: ["all"],
  namespaced: true,
  schema: "io.k8s.api.batch.v1.Job",
  statusSubresource: true,
  tracksGeneration: true,
  columns: [
    {
      name: "Status",
      type: "string",
      description: "Status of the Job.",
      priority: 0,
      cell: jobStatusText,
    },
    {
      name: "Completions",
      type: "string",
      description: "Succeeded pods out of those needed.",
      priority: 0,
      cell: jobCompletionsText,
    },
    {
      name: "Duration",
      type: "string",
      description: "How long the Job ran or has been running.",
      priority: 0,
      cell: jobDurationText,
    },
    ageColumn(),
    ...containerColumns<Job>((job) => job.spec?.template),
    selectorColumn<Job>((job) => job.spec?.selector, "Label query over the pods of the Job."),
  ],
  defaults: defaultJob,
  prepareForCreate: (job) => {
    if (job.spec?.manualSelector !== true) generateJobSelector(job);
    // Defaulting copies the template's labels to a Job without labels; upstream does it again when
    // it reads the stored Job back, so the generated labels show on the Job as well.
    copyTemplateLabels(job);
  },
  validate: (job) => validateJob(job),
  validateUpdate: validateJobUpdate,
  validateStatusUpdate: (job) => validateJobStatus(job.status, root("status")),
});
