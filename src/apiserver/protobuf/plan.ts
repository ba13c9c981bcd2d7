/**
 * Message plans: each schema type compiled once into a table from protobuf field number to what the
 * field holds, so that decoding a field is an array lookup and a switch rather than a walk over the
 * schema. Plans are built on first use and kept for the life of the process.
 */
import type { Field, ObjectType, Schema } from "../../api/schema.js";
import { allTypes, getType } from "../../api/schema.js";
import { isEmbedded } from "../../api/core/v1/embedded.js";
import { WireType } from "./wire-reader.js";

/** What one value of a field is on the wire and in JSON. */
export const Kind = {
  String: 0,
  /** Bytes, shown in JSON as base64 (`format: byte`). */
  Bytes: 1,
  Int32: 2,
  Int64: 3,
  Bool: 4,
  Double: 5,
  /** resource.Quantity: a message whose field 1 is the quantity's string. */
  Quantity: 6,
  /** intstr.IntOrString: type = 1 (0 int, 1 string), intVal = 2, strVal = 3. */
  IntOrString: 7,
  /** metav1.Time: seconds = 1, nanos = 2; shown to the second. */
  Time: 8,
  /** metav1.MicroTime: as Time, shown to the microsecond. */
  MicroTime: 9,
  /** RawExtension or FieldsV1: a message whose field 1 holds JSON bytes. */
  Raw: 10,
  Message: 11,
  /** An embedded struct: a nested message whose fields are flattened into the parent in JSON. */
  Embedded: 12,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Whether a field holds one value, a list of values (one field occurrence each) or a map. */
export const Shape = { Single: 0, List: 1, Map: 2 } as const;
export type Shape = (typeof Shape)[keyof typeof Shape];

/** One field of a message plan. */
export interface FieldPlan {
  /** The JSON name; empty for an embedded struct, whose fields carry their own names. */
  readonly name: string;
  readonly number: number;
  readonly shape: Shape;
  /** The kind of the value, of each item of a list, or of each value of a map. */
  readonly kind: Kind;
  /** The Go field is a pointer, so its zero value is a value rather than "unset". */
  readonly pointer: boolean;
  /**
   * A zero value decoded for this field is kept: the field is a pointer, or required (upstream's
   * JSON shows required fields, which have no `omitempty`, even when zero).
   */
  readonly keepZero: boolean;
  /** The wire type one value of `kind` arrives with. */
  readonly wireType: number;
  /** Lists of numbers and booleans may also arrive packed in one length-delimited value. */
  readonly packable: boolean;
  /** The nested message of Message and Embedded kinds. */
  readonly message: MessagePlan | undefined;
}

/** A compiled message type. */
export interface MessagePlan {
  readonly name: string;
  /** Fields by protobuf field number; holes for numbers the type does not use. */
  readonly byNumber: (FieldPlan | undefined)[];
  /** Fields in ascending field-number order, as gogo-protobuf writes them. */
  readonly fields: FieldPlan[];
}

const plans = new Map<string, MessagePlan>();

/** The plan of a named schema type, compiled on first use. */
export function planOf(typeName: string): MessagePlan {
  const cached = plans.get(typeName);
  if (cached) return cached;

  const type = getType(typeName);
  // Registered before its fields are compiled, so that recursive types find it.
  const plan: MessagePlan = { name: typeName, byNumber: [], fields: [] };
  plans.set(typeName, plan);
  try {
    compileFields(type, plan);
  } catch (err) {
    plans.delete(typeName);
    throw err;
  }
  return plan;
}

let roots = new Map<string, string>();

/**
 * The plan of the top-level kind an envelope names, or undefined when no schema type serves that
 * apiVersion and kind. The index is rebuilt on a miss, so kinds registered after the first lookup
 * are found too.
 */
export function rootPlanOf(apiVersion: string, kind: string): MessagePlan | undefined {
  const key = `${apiVersion} ${kind}`;
  let typeName = roots.get(key);
  if (typeName === undefined) {
    roots = indexRoots();
    typeName = roots.get(key);
  }
  return typeName === undefined ? undefined : planOf(typeName);
}

function indexRoots(): Map<string, string> {
  const index = new Map<string, string>();
  for (const type of allTypes()) {
    if (!type.gvk) continue;
    const { group, version, kind } = type.gvk;
    index.set(`${group ? `${group}/${version}` : version} ${kind}`, type.name);
  }
  return index;
}

// Fields of an embedded struct carry `embeddedIn` for their parent; inside the struct's own plan
// (`nested`) they are ordinary fields.
function compileFields(type: ObjectType, plan: MessagePlan, nested = false): void {
  const embedded = new Map<number, Record<string, Field>>();
  for (const [name, field] of Object.entries(type.fields)) {
    if (field.proto === undefined) continue;
    if (!nested && isEmbedded(field)) {
      let group = embedded.get(field.embeddedIn);
      if (!group) embedded.set(field.embeddedIn, (group = {}));
      group[name] = field;
      continue;
    }
    addField(plan, type.name, fieldPlan(type.name, name, field, field.proto));
  }

  for (const [number, fields] of embedded) {
    const name = `${type.name}#${number}`;
    const sub: MessagePlan = { name, byNumber: [], fields: [] };
    compileFields({ name, description: "", fields }, sub, true);
    addField(plan, type.name, {
      name: "",
      number,
      shape: Shape.Single,
      kind: Kind.Embedded,
      pointer: false,
      keepZero: false,
      wireType: WireType.Delimited,
      packable: false,
      message: sub,
    });
  }
  plan.fields.sort((a, b) => a.number - b.number);
}

function addField(plan: MessagePlan, typeName: string, field: FieldPlan): void {
  const taken = plan.byNumber[field.number];
  if (taken) {
    throw new Error(
      `Cannot compile ${typeName} for protobuf: fields ${taken.name || "(embedded)"} and ${field.name || "(embedded)"} share number ${field.number}`,
    );
  }
  plan.byNumber[field.number] = field;
  plan.fields.push(field);
}

function fieldPlan(typeName: string, name: string, field: Field, number: number): FieldPlan {
  const schema = field.schema;
  let shape: Shape = Shape.Single;
  let value: Schema = schema;
  if (schema.type === "array") {
    shape = Shape.List;
    value = schema.items;
  } else if (schema.type === "map") {
    shape = Shape.Map;
    value = schema.values;
  }

  const kind = kindOf(value, `${typeName}.${name}`);
  const packable = kind >= Kind.Int32 && kind <= Kind.Double;
  return {
    name,
    number,
    shape,
    kind,
    pointer: field.pointer === true,
    keepZero: field.pointer === true || field.required === true,
    wireType: wireTypeOf(kind),
    packable,
    message: value.type === "ref" ? planOf(value.name) : undefined,
  };
}

function kindOf(schema: Schema, where: string): Kind {
  switch (schema.type) {
    case "string":
      return schema.format === "byte" ? Kind.Bytes : Kind.String;
    case "integer":
      return schema.format === "int32" ? Kind.Int32 : Kind.Int64;
    case "number":
      return Kind.Double;
    case "boolean":
      return Kind.Bool;
    case "quantity":
      return Kind.Quantity;
    case "int-or-string":
      return Kind.IntOrString;
    case "time":
      return schema.micro ? Kind.MicroTime : Kind.Time;
    case "any":
      return Kind.Raw;
    case "ref":
      return Kind.Message;
    case "array":
    case "map":
      // Upstream wraps nested lists and maps in named messages; the schema names those types.
      throw new Error(
        `Cannot compile ${where} for protobuf: a ${schema.type} inside a list or map`,
      );
  }
}

function wireTypeOf(kind: Kind): number {
  switch (kind) {
    case Kind.Int32:
    case Kind.Int64:
    case Kind.Bool:
      return WireType.Varint;
    case Kind.Double:
      return WireType.Fixed64;
    default:
      return WireType.Delimited;
  }
}
