/**
 * Checks of a JobSpec that hold wherever one appears: in a Job and in a CronJob's job template
 * (upstream's validateJobSpec). What only a Job needs, its selector, is checked in job.ts.
 */
import { validatePodTemplateSpec } from "../../core/v1/pod-spec.js";
import type { FieldError } from "../../errors.js";
import {
  check,
  checkDNS1123Subdomain,
  checkQualifiedName,
  duplicate,
  invalid,
  notSupported,
  required,
  type Path,
} from "../../validation.js";
import { validateNonNegative } from "../../apps/v1/workload.js";
import type { JobSpec, PodFailurePolicyRule, SuccessPolicyRule } from "./job-types.js";

const MAX_PARALLELISM_INDEXED = 100_000;
const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10_000;
const MAX_POD_FAILURE_RULES = 20;
const MAX_EXIT_CODE_VALUES = 255;
const MAX_POD_CONDITION_PATTERNS = 20;
const MAX_MANAGED_BY_LENGTH = 63;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const MAX_SUCCESS_RULES = 20;

const ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];
const EXIT_CODE_OPERATORS = ["In", "NotIn"];
const CONDITION_STATUSES = ["False", "True", "Unknown"];
const REPLACEMENT_POLICIES = ["Failed", "TerminatingOrFailed"];

/** Checks a JobSpec's own fields and its pod template. */
export function validateJobSpecFields(spec: JobSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of [
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
    "backoffLimitPerIndex",
  ] as const) {
    errors.push(...validateNonNegative(spec[name], path.child(name)));
  }
  if (spec.maxFailedIndexes !== undefined) {
    errors.push(...validateNonNegative(spec.maxFailedIndexes, path.child("maxFailedIndexes")));
    if (spec.backoffLimitPerIndex === undefined) {
      errors.push(
        required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"),
      );
    }
  }
  if (spec.managedBy !== undefined)
    errors.push(...validateManagedBy(spec.managedBy, path.child("managedBy")));
  errors.push(...validateCompletionMode(spec, path));
  if (spec.podFailurePolicy)
    errors.push(...validatePodFailurePolicy(spec, path.child("podFailurePolicy")));
  if (spec.successPolicy) {
    if (spec.completionMode !== "Indexed") {
      errors.push(
        invalid(
          path.child("successPolicy"),
          spec.successPolicy,
          "requires indexed completion mode",
        ),
      );
    } else {
      errors.push(...validateSuccessPolicy(spec, path.child("successPolicy")));
    }
  }
  errors.push(...validatePodReplacementPolicy(spec, path.child("podReplacementPolicy")));
  errors.push(...validateJobTemplate(spec, path.child("template")));
  return errors;
}

function validateCompletionMode(spec: JobSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== "NonIndexed" && mode !== "Indexed") {
    errors.push(notSupported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"]));
  }
  if (mode === "Indexed") {
    if (spec.completions === undefined)
      errors.push(required(path.child("completions"), "when completion mode is Indexed"));
    if ((spec.parallelism ?? 0) > MAX_PARALLELISM_INDEXED) {
      errors.push(
        invalid(
          path.child("parallelism"),
          spec.parallelism,
          `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
        ),
      );
    }
    const maxFailed = spec.maxFailedIndexes;
    if (spec.completions !== undefined && maxFailed !== undefined && maxFailed > spec.completions) {
      errors.push(
        invalid(
          path.child("maxFailedIndexes"),
          maxFailed,
          "must be less than or equal to completions",
        ),
      );
    }
    if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES) {
      errors.push(
        invalid(
          path.child("maxFailedIndexes"),
          maxFailed,
          `must be less than or equal to ${MAX_FAILED_INDEXES}`,
        ),
      );
    }
    if (
      (spec.completions ?? 0) > COMPLETIONS_SOFT_LIMIT &&
      spec.backoffLimitPerIndex !== undefined
    ) {
      const why = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
      if (maxFailed === undefined) {
        errors.push(
          required(
            path.child("maxFailedIndexes"),
            `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`,
          ),
        );
      }
      if ((spec.parallelism ?? 0) > PARALLELISM_LIMIT_HIGH_COMPLETIONS) {
        errors.push(
          invalid(
            path.child("parallelism"),
            spec.parallelism,
            `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} ${why}`,
          ),
        );
      }
      if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) {
        errors.push(
          invalid(
            path.child("maxFailedIndexes"),
            maxFailed,
            `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} ${why}`,
          ),
        );
      }
    }
  } else {
    if (spec.backoffLimitPerIndex !== undefined) {
      errors.push(
        invalid(
          path.child("backoffLimitPerIndex"),
          spec.backoffLimitPerIndex,
          "requires indexed completion mode",
        ),
      );
    }
    if (spec.maxFailedIndexes !== undefined) {
      errors.push(
        invalid(
          path.child("maxFailedIndexes"),
          spec.maxFailedIndexes,
          "requires indexed completion mode",
        ),
      );
    }
  }
  return errors;
}

const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/**
 * Checks `managedBy`: a domain-prefixed path such as `example.com/controller`, at most 63
 * characters.
 */
function validateManagedBy(value: string, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const slash = value.indexOf("/");
  const host = slash < 0 ? "" : value.slice(0, slash);
  const rest = slash < 0 ? "" : value.slice(slash + 1);
  if (value === "") errors.push(required(path));
  else if (host === "" || rest === "") {
    errors.push(invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  } else {
    errors.push(...check(path, host, checkDNS1123Subdomain));
    if (!HTTP_PATH.test(rest)) {
      errors.push(
        invalid(path, rest, "must be a valid URL path (regex '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"),
      );
    }
  }
  if (value.length > MAX_MANAGED_BY_LENGTH) {
    errors.push({
      type: "FieldValueTooLong",
      field: String(path),
      value,
      detail: `may not be more than ${MAX_MANAGED_BY_LENGTH} bytes`,
    });
  }
  return errors;
}

function tooMany(path: Path, actual: number, max: number): FieldError {
  return {
    type: "FieldValueTooMany",
    field: String(path),
    value: actual,
    detail: `must have at most ${max} items`,
  };
}

/** An Invalid error that shows no value, for checks about a whole rule. */
function invalidRule(path: Path, detail: string): FieldError {
  return { type: "FieldValueInvalid", field: String(path), detail };
}

function validatePodFailurePolicy(spec: JobSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const rules = spec.podFailurePolicy?.rules ?? [];
  const rulesPath = path.child("rules");
  if (rules.length > MAX_POD_FAILURE_RULES)
    errors.push(tooMany(rulesPath, rules.length, MAX_POD_FAILURE_RULES));
  const containerNames = new Set(
    [
      ...(spec.template?.spec?.containers ?? []),
      ...(spec.template?.spec?.initContainers ?? []),
    ].map((c) => c.name),
  );
  rules.forEach((rule, i) =>
    errors.push(...validatePodFailureRule(spec, rule, rulesPath.index(i), containerNames)),
  );
  return errors;
}

function validatePodFailureRule(
  spec: JobSpec,
  rule: PodFailurePolicyRule,
  path: Path,
  containerNames: ReadonlySet<string | undefined>,
): FieldError[] {
  const errors: FieldError[] = [];
  const actionPath = path.child("action");
  if (!rule.action) errors.push(required(actionPath, `valid values: ${quoteList(ACTIONS)}`));
  else if (rule.action === "FailIndex") {
    if (spec.backoffLimitPerIndex === undefined) {
      errors.push(invalid(actionPath, rule.action, "requires the backoffLimitPerIndex to be set"));
    }
  } else if (!ACTIONS.includes(rule.action))
    errors.push(notSupported(actionPath, rule.action, ACTIONS));

  const onExitCodes = rule.onExitCodes;
  const onPodConditions = rule.onPodConditions ?? [];
  if (onExitCodes) {
    const p = path.child("onExitCodes");
    const operatorPath = p.child("operator");
    if (!onExitCodes.operator)
      errors.push(required(operatorPath, `valid values: ${quoteList(EXIT_CODE_OPERATORS)}`));
    else if (!EXIT_CODE_OPERATORS.includes(onExitCodes.operator)) {
      errors.push(notSupported(operatorPath, onExitCodes.operator, EXIT_CODE_OPERATORS));
    }
    if (onExitCodes.containerName !== undefined && !containerNames.has(onExitCodes.containerName)) {
      errors.push(
        invalid(
          p.child("containerName"),
          onExitCodes.containerName,
          "must be one of the container or initContainer names in the pod template",
        ),
      );
    }
    errors.push(
      ...validateExitCodes(onExitCodes.values ?? [], onExitCodes.operator, p.child("values")),
    );
  }
  if (onPodConditions.length > 0) {
    const p = path.child("onPodConditions");
    if (onPodConditions.length > MAX_POD_CONDITION_PATTERNS) {
      errors.push(tooMany(p, onPodConditions.length, MAX_POD_CONDITION_PATTERNS));
    }
    onPodConditions.forEach((pattern, j) => {
      errors.push(...check(p.index(j).child("type"), pattern.type ?? "", checkQualifiedName));
      const statusPath = p.index(j).child("status");
      if (!pattern.status)
        errors.push(required(statusPath, `valid values: ${quoteList(CONDITION_STATUSES)}`));
      else if (!CONDITION_STATUSES.includes(pattern.status)) {
        errors.push(notSupported(statusPath, pattern.status, CONDITION_STATUSES));
      }
    });
  }
  if (onExitCodes && onPodConditions.length > 0) {
    errors.push(
      invalidRule(path, "specifying both OnExitCodes and OnPodConditions is not supported"),
    );
  }
  if (!onExitCodes && onPodConditions.length === 0) {
    errors.push(invalidRule(path, "specifying one of OnExitCodes and OnPodConditions is required"));
  }
  return errors;
}

function validateExitCodes(
  values: number[],
  operator: string | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  if (values.length === 0) errors.push(invalid(path, values, "at least one value is required"));
  else if (values.length > MAX_EXIT_CODE_VALUES)
    errors.push(tooMany(path, values.length, MAX_EXIT_CODE_VALUES));
  const seen = new Set<number>();
  let ordered = true;
  values.forEach((value, j) => {
    if (operator === "In" && value === 0)
      errors.push(invalid(path.index(j), value, "must not be 0 for the In operator"));
    if (seen.has(value)) errors.push(duplicate(path.index(j), value));
    seen.add(value);
    const previous = values[j - 1];
    if (previous !== undefined && previous > value) ordered = false;
  });
  if (!ordered) errors.push(invalid(path, values, "must be ordered"));
  return errors;
}

function validateSuccessPolicy(spec: JobSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const rules = spec.successPolicy?.rules ?? [];
  const rulesPath = path.child("rules");
  if (rules.length === 0) {
    errors.push(
      required(
        rulesPath,
        "at least one rules must be specified when the successPolicy is specified",
      ),
    );
  }
  if (rules.length > MAX_SUCCESS_RULES)
    errors.push(tooMany(rulesPath, rules.length, MAX_SUCCESS_RULES));
  rules.forEach((rule, i) =>
    errors.push(...validateSuccessRule(rule, spec.completions ?? 0, rulesPath.index(i))),
  );
  return errors;
}

function validateSuccessRule(
  rule: SuccessPolicyRule,
  completions: number,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  if (rule.succeededCount === undefined && rule.succeededIndexes === undefined) {
    errors.push(
      required(path, "at least one of succeededCount or succeededIndexes must be specified"),
    );
  }
  let totalIndexes = 0;
  if (rule.succeededIndexes !== undefined) {
    const p = path.child("succeededIndexes");
    if (rule.succeededIndexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) {
      errors.push({
        type: "FieldValueTooLong",
        field: String(p),
        value: rule.succeededIndexes,
        detail: `may not be more than ${MAX_SUCCEEDED_INDEXES_LENGTH} bytes`,
      });
    }
    const parsed = countIndexes(rule.succeededIndexes, completions);
    if (typeof parsed === "string") {
      errors.push(invalid(p, rule.succeededIndexes, `error parsing succeededIndexes: ${parsed}`));
    } else {
      totalIndexes = parsed;
    }
  }
  if (rule.succeededCount !== undefined) {
    const p = path.child("succeededCount");
    errors.push(...validateNonNegative(rule.succeededCount, p));
    if (rule.succeededCount > completions) {
      errors.push(
        invalid(
          p,
          rule.succeededCount,
          `must be less than or equal to ${completions} (the number of specified completions)`,
        ),
      );
    }
    if (rule.succeededIndexes !== undefined && rule.succeededCount > totalIndexes) {
      errors.push(
        invalid(
          p,
          rule.succeededCount,
          `must be less than or equal to ${totalIndexes} (the number of indexes in the specified succeededIndexes field)`,
        ),
      );
    }
  }
  return errors;
}

/**
 * Counts the indexes in a list of indexes and ranges such as `1,3-5,7` (5 here). Each must be below
 * `completions`, and they must increase. Returns the problem as a string when the text is
 * malformed.
 */
export function countIndexes(text: string, completions: number): number | string {
  if (text === "") return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of text.split(",")) {
    const bounds = interval.split("-");
    if (bounds.length > 2)
      return `the interval ${JSON.stringify(interval)} has more than two parts separated by '-'`;
    for (const [i, bound] of bounds.entries()) {
      if (!/^[+-]?[0-9]+$/.test(bound)) return `${JSON.stringify(bound)} is not an integer index`;
      const n = Number(bound);
      if (n >= completions) return `too large index: ${JSON.stringify(bound)}`;
      if (last !== undefined && last >= n) return `indexes must increase, but ${n} follows ${last}`;
      total += i === 0 ? 1 : n - (last ?? n);
      last = n;
    }
  }
  return total;
}

function validatePodReplacementPolicy(spec: JobSpec, path: Path): FieldError[] {
  const policy = spec.podReplacementPolicy;
  if (policy === undefined) return [];
  if (spec.podFailurePolicy)
    return policy === "Failed" ? [] : [notSupported(path, policy, ["Failed"])];
  return REPLACEMENT_POLICIES.includes(policy)
    ? []
    : [notSupported(path, policy, REPLACEMENT_POLICIES)];
}

function validateJobTemplate(spec: JobSpec, path: Path): FieldError[] {
  const template = spec.template ?? {};
  const errors = validatePodTemplateSpec(template, path);
  const restartPath = path.child("spec").child("restartPolicy");
  const restartPolicy = template.spec?.restartPolicy ?? "";
  if (restartPolicy === "Always" || restartPolicy === "") {
    errors.push(required(restartPath, `valid values: ${quoteList(["OnFailure", "Never"])}`));
  } else if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
    errors.push(notSupported(restartPath, restartPolicy, ["OnFailure", "Never"]));
  } else if (spec.podFailurePolicy && restartPolicy !== "Never") {
    errors.push(
      invalid(
        restartPath,
        restartPolicy,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  return errors;
}

function quoteList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}
