/**
 * The schema language of Kates' API types: one definition per named object type, from which validation of
 * field types, strategic merge patch, server-side apply, OpenAPI, protobuf decoding and `kubectl explain` are
 * all derived. Field numbers (`proto`) are those of the upstream API types, so protobuf bodies sent by real
 * clients decode; descriptions are our own short sentences.
 */

/** How a list merges under strategic merge patch and server-side apply. */
export interface ListSemantics {
  /** `atomic` lists are replaced whole; `set` lists hold unique scalars; `map` lists are keyed by `mapKeys`. */
  readonly type: "atomic" | "set" | "map";
  readonly mapKeys?: readonly string[];
  /** The strategic-merge-patch strategy (`x-kubernetes-patch-strategy`). */
  readonly patchStrategy?: "merge" | "replace" | "merge,retainKeys";
  /** The strategic-merge-patch merge key (`x-kubernetes-patch-merge-key`). */
  readonly patchMergeKey?: string;
}

/** The shape of one value. Named object types are referenced by name so that types can be recursive. */
export type Schema =
  | {
      readonly type: "string";
      readonly format?: "byte" | "date-time" | "int-or-string";
      readonly enum?: readonly string[];
    }
  | { readonly type: "integer"; readonly format: "int32" | "int64" }
  | { readonly type: "number"; readonly format: "double" }
  | { readonly type: "boolean" }
  /** A resource.Quantity: a string such as `100m` or `1Gi`, or a plain number. */
  | { readonly type: "quantity" }
  /** An IntOrString: a number or a string (ports by name, percentages). */
  | { readonly type: "int-or-string" }
  /** A metav1.Time or MicroTime, as an RFC 3339 string. */
  | { readonly type: "time"; readonly micro?: boolean }
  /** Free-form JSON (a RawExtension or a JSON value). */
  | { readonly type: "any" }
  | { readonly type: "array"; readonly items: Schema; readonly list: ListSemantics }
  | { readonly type: "map"; readonly values: Schema }
  | { readonly type: "ref"; readonly name: string };

/** One field of a named object type. */
export interface Field {
  readonly schema: Schema;
  /** One or two sentences for `kubectl explain`. */
  readonly description: string;
  /** The upstream protobuf field number; absent for fields that have none. */
  readonly proto?: number;
  readonly required?: boolean;
  /**
   * The strategic-merge-patch strategy of a struct field (`x-kubernetes-patch-strategy`): `retainKeys`
   * for unions such as a Deployment's strategy, `replace` for structs a patch replaces whole.
   */
  readonly patchStrategy?: "retainKeys" | "replace";
  /**
   * The upstream Go field is a pointer to a scalar (`*int32`, `*bool`, `*string`): a zero value it carries
   * is a value, not "unset". Protobuf always encodes other scalars, so a decoder drops their zero values.
   */
  readonly pointer?: boolean;
}

/** A named object type, such as `io.k8s.api.core.v1.Container`. */
export interface ObjectType {
  readonly name: string;
  readonly description: string;
  readonly fields: Readonly<Record<string, Field>>;
  /** `atomic` structs are replaced whole by apply (`x-kubernetes-map-type: atomic`). */
  readonly mapType?: "atomic" | "granular";
  /** For top-level kinds: the group, version and kind it serves. */
  readonly gvk?: { readonly group: string; readonly version: string; readonly kind: string };
}

const types = new Map<string, ObjectType>();

/**
 * Registers a named object type and returns a reference to it. Registering a second type under the same
 * name is a programming error and throws.
 */
export function defineType(type: ObjectType): Schema {
  if (types.has(type.name)) throw new Error(`Cannot define type ${type.name}: already defined`);
  types.set(type.name, type);
  return ref(type.name);
}

/** Looks a named type up; throws when it was never defined, which is a programming error. */
export function getType(name: string): ObjectType {
  const type = types.get(name);
  if (!type) throw new Error(`Cannot find type ${name}: not defined`);
  return type;
}

/** Every named type defined so far. */
export function allTypes(): IterableIterator<ObjectType> {
  return types.values();
}

/** Resolves a schema that may be a reference to the object type it names, or undefined if it is not one. */
export function resolveObject(schema: Schema): ObjectType | undefined {
  return schema.type === "ref" ? getType(schema.name) : undefined;
}

// Builders, so that type definitions read as tables.

export const string = (opts: { enum?: readonly string[]; format?: "byte" } = {}): Schema => ({
  type: "string",
  ...opts,
});
export const int32 = (): Schema => ({ type: "integer", format: "int32" });
export const int64 = (): Schema => ({ type: "integer", format: "int64" });
export const double = (): Schema => ({ type: "number", format: "double" });
export const boolean = (): Schema => ({ type: "boolean" });
export const quantity = (): Schema => ({ type: "quantity" });
export const intOrString = (): Schema => ({ type: "int-or-string" });
export const time = (): Schema => ({ type: "time" });
export const microTime = (): Schema => ({ type: "time", micro: true });
export const any = (): Schema => ({ type: "any" });
export const ref = (name: string): Schema => ({ type: "ref", name });
export const map = (values: Schema): Schema => ({ type: "map", values });
export const stringMap = (): Schema => map(string());

/** An atomic list (replaced whole by every kind of patch). */
export const list = (items: Schema): Schema => ({ type: "array", items, list: { type: "atomic" } });

/** A list of unique scalars (`x-kubernetes-list-type: set`). */
export const set = (items: Schema, patchStrategy?: "merge"): Schema => ({
  type: "array",
  items,
  list: patchStrategy ? { type: "set", patchStrategy } : { type: "set" },
});

/**
 * A list of objects keyed by `keys` (`x-kubernetes-list-type: map`). With `patchMergeKey`, strategic merge
 * patch merges elements by that key instead of replacing the list.
 */
export const keyedList = (
  items: Schema,
  keys: readonly string[],
  patch?: { mergeKey: string; strategy?: "merge" | "merge,retainKeys" },
): Schema => ({
  type: "array",
  items,
  list: patch
    ? {
        type: "map",
        mapKeys: keys,
        patchMergeKey: patch.mergeKey,
        patchStrategy: patch.strategy ?? "merge",
      }
    : { type: "map", mapKeys: keys },
});

/**
 * A list that strategic merge patch merges by `mergeKey` but that has no list-map keys for apply (upstream
 * marks some lists this way, such as `env` before 1.x or owner references).
 */
export const mergeList = (items: Schema, mergeKey: string): Schema => ({
  type: "array",
  items,
  list: { type: "atomic", patchMergeKey: mergeKey, patchStrategy: "merge" },
});

/** Builds a field: `f(schema, proto, description, { required })`. */
export function f(
  schema: Schema,
  proto: number | undefined,
  description: string,
  opts: { required?: boolean; patchStrategy?: "retainKeys" | "replace"; pointer?: boolean } = {},
): Field {
  return { schema, description, ...(proto === undefined ? {} : { proto }), ...opts };
}
