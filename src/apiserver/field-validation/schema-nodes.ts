/**
 * The schema as the field checks walk it: each named type compiled once into a node whose fields
 * sit in a Map (so that keys such as `constructor` never hit Object.prototype), built lazily so
 * that recursive types cost nothing until a body reaches them. Every node has the same shape,
 * which keeps the scanner's property reads monomorphic.
 */
import { getType, type Schema } from "../../api/schema.js";

/** What a field check does with a value, by the kind of schema that holds it. */
export const enum NodeKind {
  /** A named object type: only its fields are known; duplicates of known fields are reported. */
  Object,
  /** A map: any key is known; duplicate keys are reported; values follow `child`. */
  Map,
  /** A list: elements follow `child`, by index. */
  List,
  /**
   * Scalars and `any` (RawExtension, FieldsV1): decoded whole by a custom unmarshaller upstream,
   * so nothing inside them is checked.
   */
  Opaque,
  /** Schema-less JSON (a patch body): any key is known, duplicates anywhere are reported. */
  Free,
}

/** A compiled schema. */
export interface FieldNode {
  readonly kind: NodeKind;
  /** The named type of an Object node; empty for the others. */
  readonly typeName: string;
  /** The fields of an Object node, compiled on first use (see `fieldsOf`). */
  fields: ReadonlyMap<string, FieldEntry> | undefined;
  /**
   * The same fields bucketed by name length, so the scanner can match a key in the raw text
   * without cutting a string out of it.
   */
  byLength: readonly (readonly FieldEntry[] | undefined)[];
  /** The values of a Map node, the elements of a List node. */
  readonly child: FieldNode | undefined;
  /**
   * Scanner bookkeeping (scans are synchronous, so never interleaved): the stamp of the object of
   * this type being scanned, so that a type nested in itself is noticed.
   */
  visiting: number;
}

/** One declared field of an Object node. */
export interface FieldEntry {
  readonly name: string;
  /** The first UTF-16 unit of `name`, checked before comparing the rest. */
  readonly first: number;
  readonly node: FieldNode;
  /** Scanner bookkeeping: the stamp of the last object visit that met this field. */
  seen: number;
}

function node(kind: NodeKind, typeName: string, child: FieldNode | undefined): FieldNode {
  return { kind, typeName, fields: undefined, byLength: [], child, visiting: 0 };
}

/** The node of scalars and opaque values. */
export const OPAQUE: FieldNode = node(NodeKind.Opaque, "", undefined);

/** The node of schema-less JSON. */
export const FREE: FieldNode = node(NodeKind.Free, "", undefined);

/** A List node of `items`. */
export function listNode(items: FieldNode): FieldNode {
  return node(NodeKind.List, "", items);
}

/**
 * An Object node for a shape that is not an API type (a JSON patch operation); `fields` receives
 * the node itself, so the shape may nest in itself.
 */
export function fixedObjectNode(
  typeName: string,
  fields: (self: FieldNode) => Record<string, FieldNode>,
): FieldNode {
  const compiled = node(NodeKind.Object, typeName, undefined);
  setFields(compiled, Object.entries(fields(compiled)));
  return compiled;
}

const objectNodes = new Map<string, FieldNode>();

/** The compiled node of a named object type; throws (a programming error) when it is undefined. */
export function objectNode(typeName: string): FieldNode {
  let compiled = objectNodes.get(typeName);
  if (compiled === undefined) {
    getType(typeName);
    compiled = node(NodeKind.Object, typeName, undefined);
    objectNodes.set(typeName, compiled);
  }
  return compiled;
}

/** The fields of an Object node, compiling them on first use. */
export function fieldsOf(objectType: FieldNode): ReadonlyMap<string, FieldEntry> {
  if (objectType.fields !== undefined) return objectType.fields;

  const declared = Object.entries(getType(objectType.typeName).fields);
  return setFields(
    objectType,
    declared.map(([name, field]) => [name, compile(field.schema)]),
  );
}

function setFields(
  objectType: FieldNode,
  fields: [string, FieldNode][],
): ReadonlyMap<string, FieldEntry> {
  const byName = new Map<string, FieldEntry>();
  const byLength: FieldEntry[][] = [];
  for (const [name, fieldNode] of fields) {
    const entry: FieldEntry = { name, first: name.charCodeAt(0), node: fieldNode, seen: 0 };
    byName.set(name, entry);
    (byLength[name.length] ??= []).push(entry);
  }
  objectType.fields = byName;
  objectType.byLength = byLength;
  return byName;
}

function compile(schema: Schema): FieldNode {
  switch (schema.type) {
    case "ref":
      return objectNode(schema.name);
    case "array":
      return node(NodeKind.List, "", compile(schema.items));
    case "map":
      return node(NodeKind.Map, "", compile(schema.values));
    default:
      return OPAQUE;
  }
}
