/**
 * Building blocks of validation: field paths, name and label format checks, and the checks on object
 * metadata that every kind shares. Kinds compose these in their own `validate` functions.
 */
import type { FieldError } from "./errors.js";
import type { KubeObject, LabelSelector, ObjectMeta } from "./meta/types.js";

/**
 * A path to a field, rendered as upstream does: `spec.containers[0].ports[1].containerPort`. Paths are
 * built for every field checked but rendered only for the few that fail, so each one keeps its parent and
 * its own segment and joins the text on demand.
 */
export class Path {
  readonly #parent: Path | undefined;
  /** `.name`, `[i]` or `[key]`; the root's text as given. */
  readonly #segment: string;

  constructor(text = "", parent?: Path) {
    this.#segment = text;
    this.#parent = parent;
  }

  /** The path of a named child field. */
  child(name: string): Path {
    return new Path(name, this);
  }

  /** The path of a list element. */
  index(i: number): Path {
    return new Path(`[${i}]`, this);
  }

  /** The path of a map entry. */
  key(k: string): Path {
    return new Path(`[${k}]`, this);
  }

  toString(): string {
    const parent = this.#parent;
    if (!parent) return this.#segment;
    const head = parent.toString();
    if (this.#segment.startsWith("[") || head === "") return head + this.#segment;
    return `${head}.${this.#segment}`;
  }
}

export const root = (name?: string): Path => new Path(name ?? "");

export function required(path: Path, detail = ""): FieldError {
  return { type: "FieldValueRequired", field: String(path), detail };
}

export function invalid(path: Path, value: unknown, detail: string): FieldError {
  return { type: "FieldValueInvalid", field: String(path), value, detail };
}

export function notSupported(path: Path, value: unknown, allowed: readonly string[]): FieldError {
  const detail = allowed.length
    ? `supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`
    : "";
  return { type: "FieldValueNotSupported", field: String(path), value, detail };
}

export function duplicate(path: Path, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field: String(path), value, detail: "" };
}

export function forbidden(path: Path, detail: string): FieldError {
  return { type: "FieldValueForbidden", field: String(path), detail };
}

export function tooLong(path: Path, max: number): FieldError {
  return {
    type: "FieldValueTooLong",
    field: String(path),
    detail: `may not be more than ${max} bytes`,
  };
}

/** The error for a field that may not change once set. */
export function immutable(path: Path, value: unknown): FieldError {
  return invalid(path, value, "field is immutable");
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Problems with `value` as an RFC 1123 label (63 characters at most); empty when it is one. */
export function checkDNS1123Label(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push("must be no more than 63 characters");
  if (!DNS1123_LABEL.test(value)) {
    problems.push(
      "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', beginning and ending with a letter or digit (regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?', e.g. 'my-name')",
    );
  }
  return problems;
}

/** Problems with `value` as an RFC 1123 subdomain (253 characters at most); empty when it is one. */
export function checkDNS1123Subdomain(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push(
      "must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit (regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*', e.g. 'example.com')",
    );
  }
  return problems;
}

/** Problems with `value` as an RFC 1035 label (a DNS-1123 label that starts with a letter). */
export function checkDNS1035Label(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push("must be no more than 63 characters");
  if (!DNS1035_LABEL.test(value)) {
    problems.push(
      "must be an RFC 1035 label: lowercase letters, digits and '-', beginning with a letter and ending with a letter or digit (regex '[a-z]([-a-z0-9]*[a-z0-9])?', e.g. 'my-name')",
    );
  }
  return problems;
}

/** Problems with `value` as a qualified name: an optional DNS subdomain prefix and `/`, then a name. */
export function checkQualifiedName(value: string): string[] {
  const parts = value.split("/");
  let name: string;
  const problems: string[] = [];
  if (parts.length === 1) {
    name = parts[0] ?? "";
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) problems.push("prefix part must not be empty");
    else problems.push(...checkDNS1123Subdomain(prefix).map((p) => `prefix part ${p}`));
  } else {
    return [
      "a qualified name is an optional DNS subdomain prefix and '/', followed by a name of alphanumerics, '-', '_' and '.' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) problems.push("name part must not be empty");
  else if (name.length > 63) problems.push("name part must be no more than 63 characters");
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) {
    problems.push(
      "name part must consist of alphanumerics, '-', '_' and '.', beginning and ending with an alphanumeric (regex '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]', e.g. 'MyName')",
    );
  }
  return problems;
}

/** Problems with `value` as a label value (may be empty). */
export function checkLabelValue(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push("must be no more than 63 characters");
  if (!LABEL_VALUE.test(value)) {
    problems.push(
      "a label value must be empty or consist of alphanumerics, '-', '_' and '.', beginning and ending with an alphanumeric (regex '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?', e.g. 'my_value')",
    );
  }
  return problems;
}

/** Problems with `value` as a C identifier, as some names (such as env var names in old APIs) must be. */
export function checkCIdentifier(value: string): string[] {
  return C_IDENTIFIER.test(value)
    ? []
    : [
        "must be a C identifier: letters, digits and '_', not beginning with a digit (regex '[A-Za-z_][A-Za-z0-9_]*')",
      ];
}

/** Problems with `value` as an environment variable name. */
export function checkEnvVarName(value: string): string[] {
  return ENV_VAR_NAME.test(value)
    ? []
    : [
        "must consist of letters, digits, '_', '-' and '.', and must not begin with a digit (regex '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      ];
}

/** Problems with `value` as an IANA service name (a named port: at most 15 characters, with a letter). */
export function checkPortName(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 15) problems.push("must be no more than 15 characters");
  if (!IANA_SVC_NAME.test(value)) {
    problems.push(
      "must contain only lowercase letters, digits and '-', beginning and ending with a letter or digit",
    );
  }
  if (value.includes("--")) problems.push("must not contain consecutive hyphens");
  if (!/[a-z]/.test(value)) problems.push("must contain at least one letter");
  return problems;
}

/** Problems with `value` as a TCP or UDP port number. */
export function checkPortNumber(value: unknown): string[] {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535
    ? []
    : ["must be between 1 and 65535, inclusive"];
}

/** Field errors for `value` at `path` from a check that returns problems. */
export function check(path: Path, value: string, checker: (v: string) => string[]): FieldError[] {
  return checker(value).map((p) => invalid(path, value, p));
}

/** Validates a map of labels: keys are qualified names, values label values. */
export function validateLabels(labels: unknown, path: Path): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== "object" || Array.isArray(labels))
    return [invalid(path, labels, "must be a map of strings")];
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errors.push(...check(path, k, checkQualifiedName));
    if (typeof v !== "string") errors.push(invalid(path.key(k), v, "must be a string"));
    else errors.push(...check(path.key(k), v, checkLabelValue));
  }
  return errors;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Validates annotations: qualified-name keys and at most 256 KiB in all. */
export function validateAnnotations(annotations: unknown, path: Path): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== "object" || Array.isArray(annotations)) {
    return [invalid(path, annotations, "must be a map of strings")];
  }
  const errors: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    errors.push(...check(path, k.toLowerCase(), checkQualifiedName));
    if (typeof v !== "string") errors.push(invalid(path.key(k), v, "must be a string"));
    else size += k.length + v.length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errors.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errors;
}

/** Validates a metav1.LabelSelector. */
export function validateLabelSelector(
  selector: LabelSelector | undefined,
  path: Path,
): FieldError[] {
  if (!selector) return [];
  const errors = validateLabels(selector.matchLabels, path.child("matchLabels"));
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const p = path.child("matchExpressions").index(i);
    errors.push(...check(p.child("key"), req.key ?? "", checkQualifiedName));
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0)
          errors.push(
            required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0)
          errors.push(
            forbidden(
              p.child("values"),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errors.push(
          notSupported(p.child("operator"), req.operator, [
            "In",
            "NotIn",
            "Exists",
            "DoesNotExist",
          ]),
        );
    }
  });
  return errors;
}

/** How a kind's names must look, and whether it lives in a namespace. */
export interface MetaRules {
  namespaced: boolean;
  /** The name format; DNS subdomain unless the kind says otherwise. */
  checkName?: (name: string) => string[];
}

/** Validates the metadata of an object being created. */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: MetaRules): FieldError[] {
  const path = root("metadata");
  if (!meta || typeof meta !== "object") return [required(path)];
  const errors: FieldError[] = [];
  const checkName = rules.checkName ?? checkDNS1123Subdomain;

  if (!meta.name && !meta.generateName) {
    errors.push(required(path.child("name"), "name or generateName is required"));
  }
  if (meta.name) errors.push(...check(path.child("name"), meta.name, checkName));
  if (meta.generateName) {
    // A prefix may end in '-' or '.', which the full name may not; check it with a trailing letter.
    const problems = checkName(`${meta.generateName}a`);
    errors.push(...problems.map((p) => invalid(path.child("generateName"), meta.generateName, p)));
  }

  if (rules.namespaced) {
    if (!meta.namespace) errors.push(required(path.child("namespace")));
    else errors.push(...check(path.child("namespace"), meta.namespace, checkDNS1123Label));
  } else if (meta.namespace) {
    errors.push(forbidden(path.child("namespace"), "not allowed on this type"));
  }

  errors.push(...validateLabels(meta.labels, path.child("labels")));
  errors.push(...validateAnnotations(meta.annotations, path.child("annotations")));
  errors.push(...validateOwnerReferences(meta, path.child("ownerReferences")));
  errors.push(...validateFinalizers(meta.finalizers, path.child("finalizers")));
  if (
    meta.generation !== undefined &&
    (!Number.isInteger(meta.generation) || meta.generation < 0)
  ) {
    errors.push(
      invalid(path.child("generation"), meta.generation, "must be greater than or equal to 0"),
    );
  }
  return errors;
}

function validateOwnerReferences(meta: ObjectMeta, path: Path): FieldError[] {
  const refs = meta.ownerReferences;
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) return [invalid(path, refs, "must be a list")];
  const errors: FieldError[] = [];
  let controllers = 0;
  refs.forEach((ref, i) => {
    const p = path.index(i);
    if (!ref.apiVersion)
      errors.push(
        invalid(p.child("apiVersion"), ref.apiVersion ?? "", "version must not be empty"),
      );
    if (!ref.kind) errors.push(invalid(p.child("kind"), ref.kind ?? "", "kind must not be empty"));
    if (!ref.name) errors.push(invalid(p.child("name"), ref.name ?? "", "name must not be empty"));
    if (!ref.uid) errors.push(invalid(p.child("uid"), ref.uid ?? "", "uid must not be empty"));
    if (ref.controller) controllers++;
  });
  if (controllers > 1) {
    errors.push(invalid(path, refs, "Only one reference can have Controller set to true"));
  }
  return errors;
}

function validateFinalizers(finalizers: unknown, path: Path): FieldError[] {
  if (finalizers === undefined) return [];
  if (!Array.isArray(finalizers)) return [invalid(path, finalizers, "must be a list of strings")];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  finalizers.forEach((fin, i) => {
    if (typeof fin !== "string") {
      errors.push(invalid(path.index(i), fin, "must be a string"));
      return;
    }
    errors.push(...check(path.index(i), fin, checkQualifiedName));
    if (seen.has(fin)) errors.push(duplicate(path.index(i), fin));
    seen.add(fin);
  });
  return errors;
}

/** Validates the metadata of an update: everything a create checks, plus what may never change. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta,
  old: ObjectMeta,
  rules: MetaRules,
): FieldError[] {
  const errors = validateObjectMeta(meta, rules);
  const path = root("metadata");
  if (meta.name !== old.name) errors.push(immutable(path.child("name"), meta.name));
  if ((meta.namespace ?? "") !== (old.namespace ?? ""))
    errors.push(immutable(path.child("namespace"), meta.namespace));
  if (meta.uid !== old.uid) errors.push(immutable(path.child("uid"), meta.uid));
  return errors;
}

/** A value at `path` in an object, for checks that walk untyped JSON. */
export function getPath(obj: KubeObject | Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
