/** Query parameters of resource requests, checked: bad values are 400s that name the parameter. */
import { StatusError } from "../../api/errors.js";
import type { DeleteOptions, KubeObject } from "../../api/meta/types.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { parseFieldSelector, type FieldSelector } from "../../api/selectors/field-selector.js";
import { parseLabelSelector, type LabelSelector } from "../../api/selectors/label-selector.js";
import { SelectorParseError } from "../../api/selectors/selector-parse-error.js";

/** Whether the request is a dry run; `dryRun=All` is the only value upstream knows. */
export function parseDryRun(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  for (const v of values) {
    if (v !== "All")
      throw StatusError.badRequest(
        `Invalid dryRun value ${JSON.stringify(v)}: the only supported value is "All"`,
      );
  }
  return values.length > 0;
}

/**
 * Checks the parameters every write takes. `fieldValidation` is checked by the writes that take it
 * (create, update, patch), since upstream names their options kind when refusing it.
 */
export function checkWriteParams(query: URLSearchParams): {
  dryRun: boolean;
  fieldManager?: string;
} {
  const manager = query.get("fieldManager");
  if (manager !== null && manager.length > 128) {
    throw StatusError.badRequest("fieldManager must be no more than 128 characters");
  }
  const dryRun = parseDryRun(query);
  return manager ? { dryRun, fieldManager: manager } : { dryRun };
}

/** An integer parameter (refused when negative unless allowed), or undefined when absent. */
export function intParam(
  query: URLSearchParams,
  name: string,
  opts: { allowNegative?: boolean } = {},
): number | undefined {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  if (!/^-?\d+$/.test(text))
    throw StatusError.badRequest(
      `Invalid value for ${name}: ${JSON.stringify(text)} is not an integer`,
    );
  const n = Number(text);
  if (n < 0 && !opts.allowNegative) {
    throw StatusError.badRequest(`Invalid value for ${name}: ${n} must not be negative`);
  }
  return n;
}

/** The label and field selectors of a list or watch, as one predicate, plus a name the selector pins. */
export interface Selection {
  predicate?: (obj: KubeObject) => boolean;
  name?: string;
  label: LabelSelector | undefined;
  field: FieldSelector | undefined;
}

/** Parses labelSelector and fieldSelector; unknown field labels are refused as upstream refuses them. */
export function parseSelection(def: ResourceDefinition, query: URLSearchParams): Selection {
  let label: LabelSelector | undefined;
  let field: FieldSelector | undefined;
  try {
    const ls = query.get("labelSelector");
    if (ls) label = parseLabelSelector(ls);
    const fs = query.get("fieldSelector");
    if (fs) field = parseFieldSelector(fs);
  } catch (err) {
    if (err instanceof SelectorParseError) throw StatusError.badRequest(err.message);
    throw err;
  }
  if (label?.isEmpty()) label = undefined;
  if (field?.isEmpty()) field = undefined;
  for (const name of field?.fields() ?? []) {
    if (!fieldGetter(def, name)) {
      throw StatusError.badRequest(`field label not supported: ${name}`);
    }
  }
  const selection: Selection = { label, field };
  if (label || field) {
    selection.predicate = (obj) =>
      (!label || label.matches(obj.metadata.labels ?? {})) &&
      (!field || field.matches((name) => fieldGetter(def, name)?.(obj)));
  }
  const name = field?.exactMatch("metadata.name");
  if (name !== undefined) selection.name = name;
  return selection;
}

/** The getter of a selectable field of a kind, or undefined when the kind does not support it. */
export function fieldGetter(
  def: ResourceDefinition,
  field: string,
): ((obj: KubeObject) => string | undefined) | undefined {
  if (field === "metadata.name") return (obj) => obj.metadata.name;
  if (field === "metadata.namespace") return (obj) => obj.metadata.namespace ?? "";
  return def.fieldSelectors?.[field];
}

const PROPAGATION = new Set(["Orphan", "Background", "Foreground"]);

/** DeleteOptions from a body (which kubectl sends without kind) merged over query parameters. */
export function parseDeleteOptions(
  body: Record<string, unknown> | undefined,
  query: URLSearchParams,
): DeleteOptions {
  const options: DeleteOptions = {};
  const grace =
    body?.["gracePeriodSeconds"] ?? intParam(query, "gracePeriodSeconds", { allowNegative: true });
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== "number" || !Number.isInteger(grace)) {
      throw StatusError.badRequest("gracePeriodSeconds must be an integer");
    }
    options.gracePeriodSeconds = Math.max(grace, 0);
  }
  const policy = body?.["propagationPolicy"] ?? query.get("propagationPolicy") ?? undefined;
  if (policy !== undefined && policy !== null) {
    if (typeof policy !== "string" || !PROPAGATION.has(policy)) {
      throw StatusError.badRequest(
        `Invalid propagationPolicy ${JSON.stringify(policy)}: use Orphan, Background or Foreground`,
      );
    }
    options.propagationPolicy = policy as NonNullable<DeleteOptions["propagationPolicy"]>;
  }
  const orphan = body?.["orphanDependents"] ?? query.get("orphanDependents") ?? undefined;
  if (orphan !== undefined && orphan !== null) {
    if (options.propagationPolicy) {
      throw StatusError.badRequest("orphanDependents and propagationPolicy cannot both be set");
    }
    options.orphanDependents = orphan === true || orphan === "true";
  }
  const pre = body?.["preconditions"];
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== "object") throw StatusError.badRequest("preconditions must be an object");
    const p = pre as Record<string, unknown>;
    options.preconditions = {};
    if (typeof p["uid"] === "string") options.preconditions.uid = p["uid"];
    if (typeof p["resourceVersion"] === "string")
      options.preconditions.resourceVersion = p["resourceVersion"];
  }
  const dryRun = body?.["dryRun"];
  if (Array.isArray(dryRun)) {
    for (const v of dryRun)
      if (v !== "All") throw StatusError.badRequest(`Invalid dryRun value ${JSON.stringify(v)}`);
    if (dryRun.length) options.dryRun = ["All"];
  }
  return options;
}
