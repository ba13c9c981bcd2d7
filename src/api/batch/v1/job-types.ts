/**
 * The shapes and schemas of batch/v1 Job and its parts, which CronJob's job template reuses.
 */
import type { PodTemplateSpec } from "../../core/v1/pod-spec.js";
import type { KubeObject, LabelSelector, ObjectMeta } from "../../meta/types.js";
import {
  LabelSelector as LabelSelectorSchema,
  ObjectMeta as ObjectMetaSchema,
  objectFields,
} from "../../meta/v1.js";
import {
  boolean,
  defineType,
  f,
  int32,
  int64,
  list,
  mergeList,
  ref,
  set,
  string,
  time,
} from "../../schema.js";

/** A match of failed pods by container exit codes. */
export interface PodFailurePolicyOnExitCodesRequirement {
  containerName?: string;
  /** `In` or `NotIn`. */
  operator?: string;
  values?: number[];
}

/** A match of failed pods by a pod condition. */
export interface PodFailurePolicyOnPodConditionsPattern {
  type?: string;
  status?: string;
}

/** What to do with pod failures that match. */
export interface PodFailurePolicyRule {
  /** `FailJob`, `FailIndex`, `Ignore` or `Count`. */
  action?: string;
  onExitCodes?: PodFailurePolicyOnExitCodesRequirement;
  onPodConditions?: PodFailurePolicyOnPodConditionsPattern[];
}

/** A condition under which an Indexed Job succeeds early. */
export interface SuccessPolicyRule {
  succeededIndexes?: string;
  succeededCount?: number;
}

/** The desired state of a Job, also the spec of a CronJob's job template. */
export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  podFailurePolicy?: { rules?: PodFailurePolicyRule[] };
  successPolicy?: { rules?: SuccessPolicyRule[] };
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template?: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  /** `NonIndexed` (the default) or `Indexed`. */
  completionMode?: string;
  suspend?: boolean;
  /** `TerminatingOrFailed` or `Failed`. */
  podReplacementPolicy?: string;
  managedBy?: string;
}

/** One aspect of a Job's state. */
export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The observed state of a Job. */
export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  ready?: number;
}

/** A Job as stored and served. */
export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

/** The template of the Jobs a CronJob creates. */
export interface JobTemplateSpec {
  metadata?: ObjectMeta;
  spec?: JobSpec;
}

const BATCH = "io.k8s.api.batch.v1";

const OnExitCodes = defineType({
  name: `${BATCH}.PodFailurePolicyOnExitCodesRequirement`,
  description: "Matches failed pods by the exit codes of their containers.",
  fields: {
    containerName: f(
      string(),
      1,
      "Only this container's exit code is checked; all containers when unset.",
      { pointer: true },
    ),
    operator: f(
      string({ enum: ["In", "NotIn"] }),
      2,
      "In or NotIn: whether the exit code must be one of values or none of them.",
      { required: true },
    ),
    values: f(set(int32()), 3, "The exit codes, in increasing order; 0 is not allowed with In.", {
      required: true,
    }),
  },
});

const OnPodConditions = defineType({
  name: `${BATCH}.PodFailurePolicyOnPodConditionsPattern`,
  description: "Matches failed pods by one of their conditions.",
  fields: {
    type: f(string(), 1, "The pod condition type to match.", { required: true }),
    status: f(string(), 2, "The condition status to match; defaults to True.", { required: true }),
  },
});

const Rule = defineType({
  name: `${BATCH}.PodFailurePolicyRule`,
  description:
    "An action to take for pod failures that match; exactly one of onExitCodes and onPodConditions is set.",
  fields: {
    action: f(
      string({ enum: ["Count", "FailIndex", "FailJob", "Ignore"] }),
      1,
      "What to do on a match: FailJob, FailIndex, Ignore or Count.",
      {
        required: true,
      },
    ),
    onExitCodes: f(OnExitCodes, 2, "Match by container exit codes."),
    onPodConditions: f(
      list(OnPodConditions),
      3,
      "Match by pod conditions; any one pattern matching is enough.",
    ),
  },
});

const PodFailurePolicySchema = defineType({
  name: `${BATCH}.PodFailurePolicy`,
  description: "How failed pods count against the Job's backoff limit.",
  fields: {
    rules: f(list(Rule), 1, "Rules checked in order; the first match decides.", { required: true }),
  },
});

const SuccessRule = defineType({
  name: `${BATCH}.SuccessPolicyRule`,
  description: "A condition under which an Indexed Job counts as succeeded.",
  fields: {
    succeededIndexes: f(
      string(),
      1,
      "Indexes that must succeed, as a list of numbers and ranges such as 1,3-5.",
      { pointer: true },
    ),
    succeededCount: f(
      int32(),
      2,
      "How many of succeededIndexes (or of all indexes) must succeed.",
      { pointer: true },
    ),
  },
});

const SuccessPolicySchema = defineType({
  name: `${BATCH}.SuccessPolicy`,
  description: "When an Indexed Job counts as succeeded before all its indexes have.",
  fields: {
    rules: f(list(SuccessRule), 1, "Rules of which any one met declares success.", {
      required: true,
    }),
  },
});

/** The schema of batch/v1 JobSpec. */
export const JobSpecSchema = defineType({
  name: `${BATCH}.JobSpec`,
  description: "The desired state of a Job.",
  fields: {
    parallelism: f(int32(), 1, "Most pods to run at once; defaults to 1.", { pointer: true }),
    completions: f(
      int32(),
      2,
      "Successful pods needed to finish; unset means any single success once all pods end.",
      { pointer: true },
    ),
    activeDeadlineSeconds: f(
      int64(),
      3,
      "Seconds the Job may run before the system tries to terminate it.",
      { pointer: true },
    ),
    podFailurePolicy: f(
      PodFailurePolicySchema,
      11,
      "How failed pods are handled; needs restartPolicy Never.",
    ),
    successPolicy: f(SuccessPolicySchema, 16, "When an Indexed Job may succeed early."),
    backoffLimit: f(int32(), 7, "Retries before the Job is marked failed; defaults to 6.", {
      pointer: true,
    }),
    backoffLimitPerIndex: f(
      int32(),
      12,
      "Retries per index of an Indexed Job before that index fails.",
      { pointer: true },
    ),
    maxFailedIndexes: f(
      int32(),
      13,
      "Failed indexes tolerated before the whole Job fails; needs backoffLimitPerIndex.",
      { pointer: true },
    ),
    selector: f(
      LabelSelectorSchema,
      4,
      "Label query over the Job's pods; generated by the server unless manualSelector.",
    ),
    manualSelector: f(
      boolean(),
      5,
      "True to supply the selector yourself instead of having one generated.",
      { pointer: true },
    ),
    template: f(
      ref("io.k8s.api.core.v1.PodTemplateSpec"),
      6,
      "The pods to run; restartPolicy must be OnFailure or Never.",
      { required: true },
    ),
    ttlSecondsAfterFinished: f(
      int32(),
      8,
      "Seconds after the Job finishes before it is deleted automatically.",
      { pointer: true },
    ),
    completionMode: f(
      string({ enum: ["Indexed", "NonIndexed"] }),
      9,
      "NonIndexed (the default) or Indexed, where each pod gets an index.",
      { pointer: true },
    ),
    suspend: f(
      boolean(),
      10,
      "True to keep the Job from creating pods (and to stop running ones).",
      { pointer: true },
    ),
    podReplacementPolicy: f(
      string({ enum: ["Failed", "TerminatingOrFailed"] }),
      14,
      "When a replacement pod is created: once the old one is Failed, or already while it terminates.",
      { pointer: true },
    ),
    managedBy: f(
      string(),
      15,
      "The controller that syncs this Job, as a domain-prefixed path; the built-in one when unset.",
      { pointer: true },
    ),
  },
});

const JobConditionSchema = defineType({
  name: `${BATCH}.JobCondition`,
  description: "One aspect of a Job's state at a point in time.",
  fields: {
    type: f(
      string(),
      1,
      "Type of condition: Complete, Failed, Suspended, FailureTarget or SuccessCriteriaMet.",
      { required: true },
    ),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastProbeTime: f(time(), 3, "When the condition was last checked."),
    lastTransitionTime: f(time(), 4, "When the condition last changed status."),
    reason: f(string(), 5, "Machine-readable reason for the last transition."),
    message: f(string(), 6, "Human-readable details of the last transition."),
  },
});

const UncountedTerminatedPods = defineType({
  name: `${BATCH}.UncountedTerminatedPods`,
  description: "UIDs of finished pods the controller has not yet counted in the status.",
  fields: {
    succeeded: f(set(string()), 1, "UIDs of succeeded pods."),
    failed: f(set(string()), 2, "UIDs of failed pods."),
  },
});

const JobStatusSchema = defineType({
  name: `${BATCH}.JobStatus`,
  description: "The observed state of a Job.",
  fields: {
    conditions: f(
      mergeList(JobConditionSchema, "type"),
      1,
      "The latest observations of the Job's state.",
    ),
    startTime: f(time(), 2, "When the Job controller started the Job.", { pointer: true }),
    completionTime: f(time(), 3, "When the Job completed; set only on success.", { pointer: true }),
    active: f(int32(), 4, "Pending and running pods that are not terminating."),
    succeeded: f(int32(), 5, "Pods that succeeded."),
    failed: f(int32(), 6, "Pods that failed."),
    terminating: f(int32(), 11, "Pods that are terminating.", { pointer: true }),
    completedIndexes: f(
      string(),
      7,
      "Completed indexes of an Indexed Job, as numbers and ranges such as 1,3-5.",
    ),
    failedIndexes: f(string(), 10, "Failed indexes of a Job with backoffLimitPerIndex.", {
      pointer: true,
    }),
    uncountedTerminatedPods: f(
      UncountedTerminatedPods,
      8,
      "Finished pods not yet counted in succeeded and failed.",
    ),
    ready: f(int32(), 9, "Active pods that are ready.", { pointer: true }),
  },
});

defineType({
  name: `${BATCH}.Job`,
  description: "Runs pods until a number of them succeed.",
  gvk: { group: "batch", version: "v1", kind: "Job" },
  fields: {
    ...objectFields(),
    spec: f(JobSpecSchema, 2, "The desired behaviour of the Job."),
    status: f(JobStatusSchema, 3, "The most recently observed state of the Job."),
  },
});

/** The schema of batch/v1 JobTemplateSpec. */
export const JobTemplateSpecSchema = defineType({
  name: `${BATCH}.JobTemplateSpec`,
  description: "The template of the Jobs a CronJob creates.",
  fields: {
    metadata: f(ObjectMetaSchema, 1, "Metadata given to the created Jobs."),
    spec: f(JobSpecSchema, 2, "The spec of the created Jobs."),
  },
});
