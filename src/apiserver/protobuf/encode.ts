/**
 * Encoding of objects in their JSON form into Kubernetes protobuf bodies: the mirror of decode.ts,
 * used by tests to round-trip every kind and by tools that need a protobuf body. Fields go out in
 * ascending number order and map entries sorted by key, as gogo-protobuf writes them.
 */
import type { FieldPlan, MessagePlan } from "./plan.js";
import { Kind, Shape, rootPlanOf } from "./plan.js";
import { parseTimestamp } from "./timestamps.js";
import { PROTOBUF_MAGIC } from "./envelope.js";
import { WireType } from "./wire-reader.js";
import { WireWriter } from "./wire-writer.js";

/** How to encode. */
export interface EncodeOptions {
  /**
   * Also write what gogo-protobuf writes for unset non-pointer fields: zero scalars, "0"
   * quantities, zero int-or-strings, empty times and raw objects, and every embedded struct.
   */
  writeZeros?: boolean;
  /** Write lists of numbers and booleans packed into one length-delimited value. */
  packLists?: boolean;
}

/**
 * Encodes an object (with apiVersion and kind) as a Kubernetes protobuf body: the magic, then a
 * runtime.Unknown holding the object's message. Throws an Error naming the field when the object
 * does not fit its schema type.
 */
export function encodeProtobufObject(
  obj: Record<string, unknown>,
  options: EncodeOptions = {},
): Buffer {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new Error("Cannot encode an object without a string apiVersion and kind");
  }
  const plan = rootPlanOf(apiVersion, kind);
  if (!plan)
    throw new Error(`Cannot encode kind ${kind} in ${apiVersion}: no schema type serves it`);

  const typeMeta = new WireWriter();
  typeMeta.stringField(1, apiVersion);
  typeMeta.stringField(2, kind);
  const envelope = new WireWriter();
  envelope.raw(PROTOBUF_MAGIC);
  envelope.messageField(1, typeMeta);
  envelope.messageField(2, encodeMessage(plan, obj, options, "", "root"));
  envelope.stringField(3, "");
  envelope.stringField(4, "");
  return Buffer.from(envelope.bytes());
}

function encodeMessage(
  plan: MessagePlan,
  obj: Record<string, unknown>,
  options: EncodeOptions,
  path: string,
  role: "root" | "nested" | "embedded" = "nested",
): WireWriter {
  // An embedded struct's fields sit in its parent's object beside the parent's own; the parent
  // checks them all.
  if (role !== "embedded") checkKnownFields(plan, obj, path, role === "root");
  const w = new WireWriter();
  for (const field of plan.fields) {
    if (field.kind === Kind.Embedded) {
      const nested = encodeMessage(field.message!, obj, options, path, "embedded");
      if (nested.bytes().length > 0 || options.writeZeros) w.messageField(field.number, nested);
      continue;
    }

    const value = obj[field.name];
    const where = path ? `${path}.${field.name}` : field.name;
    if (value === undefined || value === null) {
      if (options.writeZeros && field.shape === Shape.Single && !field.pointer) {
        writeZero(w, field);
      }
      continue;
    }
    if (field.shape === Shape.Single) writeValue(w, field.number, field, value, options, where);
    else if (field.shape === Shape.List) writeList(w, field, value, options, where);
    else writeMap(w, field, value, options, where);
  }
  return w;
}

function writeList(
  w: WireWriter,
  field: FieldPlan,
  value: unknown,
  options: EncodeOptions,
  where: string,
): void {
  if (!Array.isArray(value)) throw new TypeError(`Cannot encode ${where}: not a list`);
  if (options.packLists && field.packable) {
    const packed = new WireWriter();
    for (const item of value) writeBare(packed, field.kind, item, where);
    w.messageField(field.number, packed);
    return;
  }
  value.forEach((item: unknown, i) => {
    writeValue(w, field.number, field, item, options, `${where}[${i}]`);
  });
}

function writeMap(
  w: WireWriter,
  field: FieldPlan,
  value: unknown,
  options: EncodeOptions,
  where: string,
): void {
  const map = asObject(value, where);
  for (const key of Object.keys(map).sort()) {
    const entry = new WireWriter();
    entry.stringField(1, key);
    writeValue(entry, 2, field, map[key], options, `${where}[${key}]`);
    w.messageField(field.number, entry);
  }
}

function writeValue(
  w: WireWriter,
  number: number,
  field: FieldPlan,
  value: unknown,
  options: EncodeOptions,
  where: string,
): void {
  switch (field.kind) {
    case Kind.String:
      w.stringField(number, expect(value, "string", where));
      return;
    case Kind.Bytes:
      w.tag(number, WireType.Delimited);
      w.delimited(Buffer.from(expect(value, "string", where), "base64"));
      return;
    case Kind.Message:
      w.messageField(number, encodeMessage(field.message!, asObject(value, where), options, where));
      return;
    case Kind.Quantity: {
      const text = typeof value === "number" ? String(value) : expect(value, "string", where);
      const message = new WireWriter();
      message.stringField(1, text);
      w.messageField(number, message);
      return;
    }
    case Kind.IntOrString:
      w.messageField(number, intOrString(value, where));
      return;
    case Kind.Time:
    case Kind.MicroTime: {
      const time = parseTimestamp(expect(value, "string", where));
      if (!time) throw new TypeError(`Cannot encode ${where}: not an RFC 3339 time`);
      const message = new WireWriter();
      message.varintField(1, time.seconds);
      message.varintField(2, time.nanos);
      w.messageField(number, message);
      return;
    }
    case Kind.Raw: {
      const message = new WireWriter();
      message.stringField(1, JSON.stringify(value));
      w.messageField(number, message);
      return;
    }
    default:
      w.tag(number, field.wireType);
      writeBare(w, field.kind, value, where);
  }
}

/** A number or boolean without its tag, as it appears alone or inside a packed list. */
function writeBare(w: WireWriter, kind: Kind, value: unknown, where: string): void {
  if (kind === Kind.Bool) w.varint(expect(value, "boolean", where) ? 1 : 0);
  else if (kind === Kind.Double) w.double(expect(value, "number", where));
  else {
    const n = expect(value, "number", where);
    if (!Number.isInteger(n)) throw new TypeError(`Cannot encode ${where}: ${n} is not an integer`);
    w.varint(n);
  }
}

function intOrString(value: unknown, where: string): WireWriter {
  const message = new WireWriter();
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new TypeError(`Cannot encode ${where}: not an integer`);
    message.varintField(1, 0);
    message.varintField(2, value);
    message.stringField(3, "");
  } else {
    message.varintField(1, 1);
    message.varintField(2, 0);
    message.stringField(3, expect(value, "string", where));
  }
  return message;
}

function writeZero(w: WireWriter, field: FieldPlan): void {
  switch (field.kind) {
    case Kind.String:
      w.stringField(field.number, "");
      return;
    case Kind.Int32:
    case Kind.Int64:
    case Kind.Bool:
      w.varintField(field.number, 0);
      return;
    case Kind.Double:
      w.tag(field.number, WireType.Fixed64);
      w.double(0);
      return;
    case Kind.Quantity: {
      const message = new WireWriter();
      message.stringField(1, "0");
      w.messageField(field.number, message);
      return;
    }
    case Kind.IntOrString:
      w.messageField(field.number, intOrString(0, field.name));
      return;
    case Kind.Time:
    case Kind.MicroTime:
    case Kind.Raw:
      w.messageField(field.number, new WireWriter());
      return;
    default:
    // Bytes are not written when nil; whether a struct field is a pointer is not in the schema.
  }
}

function checkKnownFields(
  plan: MessagePlan,
  obj: Record<string, unknown>,
  path: string,
  root: boolean,
): void {
  for (const key of Object.keys(obj)) {
    if (root && (key === "apiVersion" || key === "kind")) continue;
    if (!hasField(plan, key)) {
      throw new TypeError(
        `Cannot encode ${path ? `${path}.` : ""}${key}: ${plan.name} has no protobuf field of that name`,
      );
    }
  }
}

function hasField(plan: MessagePlan, name: string): boolean {
  return plan.fields.some(
    (f) => f.name === name || (f.kind === Kind.Embedded && hasField(f.message!, name)),
  );
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot encode ${where}: not an object`);
  }
  return value as Record<string, unknown>;
}

function expect<T extends "string" | "number" | "boolean">(
  value: unknown,
  type: T,
  where: string,
): T extends "string" ? string : T extends "number" ? number : boolean {
  if (typeof value !== type) throw new TypeError(`Cannot encode ${where}: not a ${type}`);
  return value as T extends "string" ? string : T extends "number" ? number : boolean;
}
