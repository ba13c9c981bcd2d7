/**
 * LimitRange (core/v1): per-namespace bounds and defaults for the resources of containers, pods and
 * claims. Admission applies the defaults to new pods; this file keeps the object itself consistent.
 */
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { compareQuantities, formatQuantity, type Quantity } from "../../quantity.js";
import { defineResource } from "../../resource.js";
import { defineType, f, list, map, quantity, string } from "../../schema.js";
import {
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  required,
  root,
  type Path,
} from "../../validation.js";
import { isFieldError, parseListQuantity, type ResourceList } from "./resource-list.js";
import { isOvercommitAllowed } from "./resources-validation.js";

const CORE = "io.k8s.api.core.v1";

/** What a limit applies to. */
export const LIMIT_TYPES = ["Container", "Pod", "PersistentVolumeClaim"] as const;

export interface LimitRangeItem {
  type: string;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

/** A LimitRange as stored and served. */
export interface LimitRange extends KubeObject {
  spec?: { limits?: LimitRangeItem[] };
}

const LimitRangeItem = defineType({
  name: `${CORE}.LimitRangeItem`,
  description: "Bounds and defaults of resources for one kind of object.",
  fields: {
    type: f(string(), 1, "What the limit applies to: Container, Pod or PersistentVolumeClaim.", {
      required: true,
    }),
    max: f(map(quantity()), 2, "Most of each resource an object may use."),
    min: f(map(quantity()), 3, "Least of each resource an object must ask for."),
    default: f(map(quantity()), 4, "Limit given to containers that set none."),
    defaultRequest: f(map(quantity()), 5, "Request given to containers that set none."),
    maxLimitRequestRatio: f(
      map(quantity()),
      6,
      "Highest allowed ratio of limit to request of each resource.",
    ),
  },
});

const LimitRangeSpec = defineType({
  name: `${CORE}.LimitRangeSpec`,
  description: "The limits of a namespace.",
  fields: {
    limits: f(list(LimitRangeItem), 1, "The limits, at most one per type.", { required: true }),
  },
});

defineType({
  name: `${CORE}.LimitRange`,
  description: "Resource bounds and defaults for the objects of a namespace.",
  gvk: { group: "", version: "v1", kind: "LimitRange" },
  fields: {
    ...objectFields(),
    spec: f(LimitRangeSpec, 2, "The limits."),
  },
});

/**
 * Fills a container limit's defaults: the default limit from max, the default request from the default
 * limit, else from min.
 */
function defaults(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "Container") continue;
    const limit = (item.default ??= {});
    const request = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in limit)) limit[k] = v;
    for (const [k, v] of Object.entries(limit)) if (!(k in request)) request[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in request)) request[k] = v;
  }
}

const STANDARD_RESOURCES = new Set(["cpu", "memory", "storage", "ephemeral-storage"]);

/** Problems with a resource name of a limit: qualified, and a standard resource unless prefixed. */
function checkLimitResourceName(name: string): string[] {
  const problems = checkQualifiedName(name);
  if (
    problems.length === 0 &&
    !name.includes("/") &&
    !STANDARD_RESOURCES.has(name) &&
    !name.startsWith("hugepages-")
  ) {
    problems.push("must be a standard resource type or fully qualified");
  }
  return problems;
}

function collect(
  list: ResourceList | undefined,
  path: Path,
  errors: FieldError[],
): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, value] of Object.entries(list ?? {})) {
    for (const problem of checkLimitResourceName(name))
      errors.push(invalid(path.key(name), name, problem));
    const q = parseListQuantity(value, path.key(name));
    if (isFieldError(q)) errors.push(q);
    else out.set(name, q);
  }
  return out;
}

const show = formatQuantity;
/** One unit, in the nano units quantities are kept in. */
const ONE = 1_000_000_000n;

function validateItem(item: LimitRangeItem, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const type = item.type ?? "";
  const typeProblems = checkQualifiedName(type);
  if (typeProblems.length)
    errors.push(...typeProblems.map((p) => invalid(path.child("type"), type, p)));
  else if (!type.includes("/") && !(LIMIT_TYPES as readonly string[]).includes(type)) {
    errors.push(
      invalid(path.child("type"), type, "must be a standard limit type or fully qualified"),
    );
  }

  const max = collect(item.max, path.child("max"), errors);
  const min = collect(item.min, path.child("min"), errors);
  let def = new Map<string, Quantity>();
  let defRequest = new Map<string, Quantity>();
  if (type === "Pod") {
    if (Object.keys(item.default ?? {}).length) {
      errors.push(forbidden(path.child("default"), "may not be specified when `type` is 'Pod'"));
    }
    if (Object.keys(item.defaultRequest ?? {}).length) {
      errors.push(
        forbidden(path.child("defaultRequest"), "may not be specified when `type` is 'Pod'"),
      );
    }
  } else {
    def = collect(item.default, path.child("default"), errors);
    defRequest = collect(item.defaultRequest, path.child("defaultRequest"), errors);
  }
  if (type === "PersistentVolumeClaim" && !min.has("storage") && !max.has("storage")) {
    errors.push(
      required(
        path.child("limits"),
        "either minimum or maximum storage value is required, but neither was provided",
      ),
    );
  }
  const ratio = collect(item.maxLimitRequestRatio, path.child("maxLimitRequestRatio"), errors);

  const names = new Set([
    ...max.keys(),
    ...min.keys(),
    ...def.keys(),
    ...defRequest.keys(),
    ...ratio.keys(),
  ]);
  for (const k of names) {
    errors.push(...compareBounds(k, { max, min, def, defRequest, ratio }, path));
  }
  return errors;
}

interface Bounds {
  max: Map<string, Quantity>;
  min: Map<string, Quantity>;
  def: Map<string, Quantity>;
  defRequest: Map<string, Quantity>;
  ratio: Map<string, Quantity>;
}

/** Checks that the bounds of one resource are in order: min ≤ default request ≤ default ≤ max. */
function compareBounds(k: string, b: Bounds, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const [max, min, def, req, ratio] = [
    b.max.get(k),
    b.min.get(k),
    b.def.get(k),
    b.defRequest.get(k),
    b.ratio.get(k),
  ];
  const gt = (x: Quantity, y: Quantity) => compareQuantities(x, y) > 0;
  const at = (field: string) => path.child(field).key(k);
  if (min && max && gt(min, max)) {
    errors.push(
      invalid(
        at("min"),
        show(min),
        `min value ${show(min)} is greater than max value ${show(max)}`,
      ),
    );
  }
  if (req && min && gt(min, req)) {
    errors.push(
      invalid(
        at("defaultRequest"),
        show(req),
        `min value ${show(min)} is greater than default request value ${show(req)}`,
      ),
    );
  }
  if (req && max && gt(req, max)) {
    errors.push(
      invalid(
        at("defaultRequest"),
        show(req),
        `default request value ${show(req)} is greater than max value ${show(max)}`,
      ),
    );
  }
  if (req && def && gt(req, def)) {
    errors.push(
      invalid(
        at("defaultRequest"),
        show(req),
        `default request value ${show(req)} is greater than default limit value ${show(def)}`,
      ),
    );
  }
  if (def && min && gt(min, def)) {
    errors.push(
      invalid(
        at("default"),
        show(min),
        `min value ${show(min)} is greater than default value ${show(def)}`,
      ),
    );
  }
  if (def && max && gt(def, max)) {
    errors.push(
      invalid(
        at("default"),
        show(max),
        `default value ${show(def)} is greater than max value ${show(max)}`,
      ),
    );
  }
  if (ratio && ratio.nanos < ONE) {
    errors.push(
      invalid(at("maxLimitRequestRatio"), show(ratio), `ratio ${show(ratio)} is less than 1`),
    );
  }
  // The ratio may not exceed max/min; ratio*min > max is the same test without division.
  if (ratio && min && max && min.nanos > 0n && ratio.nanos * min.nanos > max.nanos * ONE) {
    const limit = (Number(max.nanos) / Number(min.nanos)).toFixed(6);
    errors.push(
      invalid(
        at("maxLimitRequestRatio"),
        show(ratio),
        `ratio ${show(ratio)} is greater than max/min = ${limit}`,
      ),
    );
  }
  if (def && req && !isOvercommitAllowed(k) && compareQuantities(def, req) !== 0) {
    errors.push(
      invalid(
        at("defaultRequest"),
        show(req),
        `default value ${show(def)} must equal to defaultRequest value ${show(req)} in ${k}`,
      ),
    );
  }
  return errors;
}

function validateLimitRange(lr: LimitRange): FieldError[] {
  const errors: FieldError[] = [];
  const path = root("spec").child("limits");
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    if (types.has(item.type)) errors.push(duplicate(path.index(i).child("type"), item.type));
    types.add(item.type);
    errors.push(...validateItem(item, path.index(i)));
  });
  return errors;
}

export const limitRanges = defineResource<LimitRange>({
  group: "",
  version: "v1",
  kind: "LimitRange",
  plural: "limitranges",
  singular: "limitrange",
  shortNames: ["limits"],
  namespaced: true,
  schema: `${CORE}.LimitRange`,
  // Upstream has no printer for limit ranges; kubectl shows the generic creation time column.
  columns: [
    {
      name: "Created At",
      type: "date",
      description: "When the object was created.",
      priority: 0,
      cell: (lr) => lr.metadata.creationTimestamp ?? "",
    },
  ],
  defaults,
  validate: validateLimitRange,
});
