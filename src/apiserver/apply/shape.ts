/**
 * Shapes: the schema of src/api/schema.ts compiled once into what apply needs at every node (is
 * it replaced whole, how are list elements identified, what is the path element of each field),
 * so the walks over objects never look types up by name or build strings for struct fields.
 */
import { getType, type ObjectType, type Schema } from "../../api/schema.js";
import { goJson } from "./field-set.js";

/** The scalar types a config value is checked against. */
export type ScalarKind =
  "string" | "number" | "boolean" | "int-or-string" | "quantity" | "time" | "any";

/** How apply sees one value. */
export type Shape = ScalarShape | StructNode | MapShape | ListShape;

/** A scalar or free-form JSON: always owned and replaced whole. */
export interface ScalarShape {
  readonly kind: "scalar";
  readonly atomic: true;
  readonly scalar: ScalarKind;
}

/** A granular map (labels, annotations, data): every key is a field of its own. */
export interface MapShape {
  readonly kind: "map";
  readonly atomic: false;
  readonly values: Shape;
}

/** A list: replaced whole (atomic), a set of unique scalars, or keyed by `keys`. */
export interface ListShape {
  readonly kind: "list";
  readonly atomic: boolean;
  readonly listType: "atomic" | "set" | "map";
  readonly items: Shape;
  /** Key fields sorted by name, as upstream sorts them in `k:` path elements. */
  readonly keys: readonly string[];
  /** Values a key field takes when an element omits it (upstream's schema defaults). */
  readonly keyDefaults: Readonly<Record<string, unknown>> | undefined;
}

/** One field of a struct. */
export interface FieldShape {
  readonly name: string;
  /** The path element, `f:<name>`. */
  readonly key: string;
  readonly shape: Shape;
  /** Present in upstream's zero object of the kind (see ZERO_PRESENT). */
  readonly zero: boolean;
}

/** A named object type; its fields are compiled on first use, so recursive types are fine. */
export class StructNode {
  readonly kind = "struct";
  readonly atomic: boolean;
  readonly name: string;
  readonly gvk: ObjectType["gvk"];
  #type: ObjectType;
  #fields: Map<string, FieldShape> | undefined;

  constructor(type: ObjectType) {
    this.#type = type;
    this.name = type.name;
    this.gvk = type.gvk;
    this.atomic = type.mapType === "atomic";
  }

  /** The fields by JSON name. */
  get fields(): Map<string, FieldShape> {
    return (this.#fields ??= compileFields(this.#type));
  }
}

/**
 * Fields that Go always serializes (value structs, and lists without `omitempty`), so that
 * upstream's zero object of a kind already holds them when a create is compared against it: a
 * create then records their children but not the field itself. So are every kind's metadata,
 * spec and status.
 */
const ZERO_PRESENT: Readonly<Record<string, readonly string[]>> = {
  "io.k8s.api.core.v1.PodTemplateSpec": ["metadata", "spec"],
  "io.k8s.api.core.v1.PodSpec": ["containers"],
  "io.k8s.api.core.v1.PersistentVolumeClaimSpec": ["resources"],
  "io.k8s.api.core.v1.PersistentVolumeClaimTemplate": ["metadata", "spec"],
  "io.k8s.api.apps.v1.DeploymentSpec": ["template", "strategy"],
  "io.k8s.api.apps.v1.ReplicaSetSpec": ["template"],
  "io.k8s.api.apps.v1.DaemonSetSpec": ["template", "updateStrategy"],
  "io.k8s.api.apps.v1.StatefulSetSpec": ["template", "updateStrategy"],
  "io.k8s.api.batch.v1.JobSpec": ["template"],
  "io.k8s.api.batch.v1.CronJobSpec": ["jobTemplate"],
  "io.k8s.api.batch.v1.JobTemplateSpec": ["metadata", "spec"],
  "io.k8s.api.networking.v1.NetworkPolicySpec": ["podSelector"],
  "io.k8s.api.networking.v1.IngressStatus": ["loadBalancer"],
  "io.k8s.api.networking.v1.IngressServiceBackend": ["port"],
  "io.k8s.api.networking.v1.HTTPIngressPath": ["backend"],
};

const KIND_ZERO_PRESENT = ["metadata", "spec", "status"];

/** Key fields that upstream's schema defaults, so an element may omit them. */
const KEY_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
  "io.k8s.api.core.v1.ServicePort": { protocol: "TCP" },
};

const structs = new Map<string, StructNode>();

/** The shape of a named object type, such as a kind's root type (`def.schema`). */
export function structShape(name: string): StructNode {
  let node = structs.get(name);
  if (node === undefined) structs.set(name, (node = new StructNode(getType(name))));
  return node;
}

/** The shape of free-form JSON, and of fields a schema does not declare. */
export const ANY: ScalarShape = { kind: "scalar", atomic: true, scalar: "any" };

function compileFields(type: ObjectType): Map<string, FieldShape> {
  const zero = new Set(type.gvk ? KIND_ZERO_PRESENT : (ZERO_PRESENT[type.name] ?? []));
  const out = new Map<string, FieldShape>();
  for (const [name, field] of Object.entries(type.fields)) {
    out.set(name, { name, key: "f:" + name, shape: compile(field.schema), zero: zero.has(name) });
  }
  return out;
}

function compile(schema: Schema): Shape {
  switch (schema.type) {
    case "string":
      return scalar("string");
    case "integer":
    case "number":
      return scalar("number");
    case "boolean":
      return scalar("boolean");
    case "quantity":
      return scalar("quantity");
    case "int-or-string":
      return scalar("int-or-string");
    case "time":
      return scalar("time");
    case "any":
      return ANY;
    case "ref":
      return structShape(schema.name);
    case "map":
      return { kind: "map", atomic: false, values: compile(schema.values) };
    case "array": {
      const items = compile(schema.items);
      const listType = schema.list.type;
      const keys = listType === "map" ? [...(schema.list.mapKeys ?? [])].sort() : [];
      const keyDefaults =
        listType === "map" && items.kind === "struct" ? KEY_DEFAULTS[items.name] : undefined;
      return { kind: "list", atomic: listType === "atomic", listType, items, keys, keyDefaults };
    }
  }
}

const scalars = new Map<ScalarKind, ScalarShape>();

function scalar(kind: ScalarKind): ScalarShape {
  let s = scalars.get(kind);
  if (s === undefined) scalars.set(kind, (s = { kind: "scalar", atomic: true, scalar: kind }));
  return s;
}

// Identifying list elements.

/** Why a list element has no path element; the text is upstream's. */
export type ElementProblem = { problem: string };

/**
 * The path element of one element of a set or keyed list: `v:<json>` for a set member,
 * `k:{...}` for a keyed element (omitted key fields take their schema default).
 */
export function elementKey(list: ListShape, item: unknown): string | ElementProblem {
  if (list.listType === "set") {
    if (typeof item === "object" && item !== null) {
      const what = Array.isArray(item) ? "list" : "map";
      return { problem: `associative list without keys has an element that's a ${what} type` };
    }
    return "v:" + goJson(item);
  }
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return { problem: "associative list with keys has an element that is not a map" };
  }
  const record = item as Record<string, unknown>;
  let out = "k:{";
  for (let i = 0; i < list.keys.length; i++) {
    const name = list.keys[i] as string;
    let value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (value === undefined) value = list.keyDefaults?.[name];
    if (value === undefined) {
      return {
        problem: `associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`,
      };
    }
    if (i > 0) out += ",";
    out += JSON.stringify(name) + ":" + goJson(value);
  }
  return out + "}";
}
