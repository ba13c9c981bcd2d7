/**
 * Readers of the values that travel as small messages or bytes: Quantity, IntOrString, Time and
 * MicroTime, raw JSON (RawExtension, FieldsV1) and base64 bytes; and of plain numbers.
 */
import type { FieldPlan } from "./plan.js";
import { Kind } from "./plan.js";
import { formatTimestamp } from "./timestamps.js";
import { WireError, WireType, wireTypeName } from "./wire-reader.js";
import type { WireReader } from "./wire-reader.js";

/** Reads a varint or 64-bit number of a numeric or boolean kind (booleans as 0 or 1). */
export function readScalar(r: WireReader, end: number, kind: Kind): number {
  if (kind === Kind.Int32 || kind === Kind.Bool) return r.int32(end);
  if (kind === Kind.Int64) return r.int64(end);
  return r.double(end);
}

/**
 * Reads a value of a kind carried in a small message or as bytes. With `dropZero`, a Go zero of a
 * field that keeps no zeros reads as undefined; zero times and missing raw JSON, which upstream
 * shows as null, read as undefined either way.
 */
export function readValue(
  r: WireReader,
  end: number,
  field: FieldPlan,
  dropZero: boolean,
): unknown {
  const drop = dropZero && !field.keepZero;
  switch (field.kind) {
    case Kind.Bytes: {
      const stop = r.delimited(end);
      const start = r.pos;
      r.pos = stop;
      return stop === start && drop ? undefined : r.buf.toString("base64", start, stop);
    }
    case Kind.Quantity:
      return readQuantity(r, r.delimited(end), drop);
    case Kind.IntOrString:
      return readIntOrString(r, r.delimited(end), drop);
    case Kind.Time:
    case Kind.MicroTime:
      return readTimestamp(r, r.delimited(end), field.kind === Kind.MicroTime);
    case Kind.Raw:
      return readRaw(r, r.delimited(end));
    default:
      throw new Error(`Cannot read a value of kind ${field.kind} here`);
  }
}

function readQuantity(r: WireReader, end: number, drop: boolean): string | undefined {
  let text: string | undefined;
  while (r.pos < end) {
    const tag = r.int32(end);
    if (tag >>> 3 === 1) {
      expectWireType(tag & 7, WireType.Delimited, 1);
      text = r.string(end);
    } else r.skip(tag & 7, end);
  }
  if (text === "") throw new WireError("a quantity may not be empty");
  // gogo writes a Go zero Quantity as "0": in a non-pointer field, indistinguishable from unset.
  if (text === undefined || text === "0") return drop ? undefined : "0";
  return text;
}

function readIntOrString(r: WireReader, end: number, drop: boolean): number | string | undefined {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  while (r.pos < end) {
    const tag = r.int32(end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 1) {
      expectWireType(wireType, WireType.Varint, 1);
      type = r.int64(end);
    } else if (number === 2) {
      expectWireType(wireType, WireType.Varint, 2);
      intVal = r.int32(end);
    } else if (number === 3) {
      expectWireType(wireType, WireType.Delimited, 3);
      strVal = r.string(end);
    } else r.skip(wireType, end);
  }
  if (type === 0) return intVal === 0 && drop ? undefined : intVal;
  if (type === 1) return strVal;
  throw new WireError(`int-or-string type ${type} is neither 0 (int) nor 1 (string)`);
}

function readTimestamp(r: WireReader, end: number, micro: boolean): string | undefined {
  // An empty message is Go's zero time, which upstream writes with no fields at all.
  if (r.pos === end) return undefined;
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.int32(end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 1) {
      expectWireType(wireType, WireType.Varint, 1);
      seconds = r.int64(end);
    } else if (number === 2) {
      expectWireType(wireType, WireType.Varint, 2);
      nanos = r.int32(end);
    } else r.skip(wireType, end);
  }
  try {
    return formatTimestamp(seconds, nanos, micro);
  } catch (err) {
    throw new WireError((err as Error).message);
  }
}

function readRaw(r: WireReader, end: number): unknown {
  let start = -1;
  let stop = -1;
  while (r.pos < end) {
    const tag = r.int32(end);
    if (tag >>> 3 === 1) {
      expectWireType(tag & 7, WireType.Delimited, 1);
      stop = r.delimited(end);
      start = r.pos;
      r.pos = stop;
    } else r.skip(tag & 7, end);
  }
  if (start < 0 || start === stop) return undefined;
  try {
    return JSON.parse(r.buf.toString("utf8", start, stop)) as unknown;
  } catch (err) {
    throw new WireError(`the embedded raw object is not JSON: ${(err as Error).message}`);
  }
}

/** What a map value missing from its entry decodes to: Go's zero of the value type. */
export function emptyValue(kind: Kind): unknown {
  switch (kind) {
    case Kind.String:
    case Kind.Bytes:
      return "";
    case Kind.Int32:
    case Kind.Int64:
    case Kind.Double:
    case Kind.IntOrString:
      return 0;
    case Kind.Bool:
      return false;
    case Kind.Quantity:
      return "0";
    case Kind.Message:
    case Kind.Embedded:
      return {};
    default:
      return null;
  }
}

/** Throws a WireError unless a field arrived with the wire type its kind is written with. */
export function expectWireType(actual: number, expected: number, number: number): void {
  if (actual === expected) return;
  throw new WireError(
    `field ${number} has wire type ${wireTypeName(actual)}, expected ${wireTypeName(expected)}`,
  );
}
