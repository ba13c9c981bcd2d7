/**
 * A schema-driven protobuf (proto3) wire codec: enough of the format for the CRI messages. Messages are
 * plain objects with camelCase keys; a schema maps each key to its field number and type.
 *
 * 64-bit integers are JavaScript numbers: the CRI's int64 fields are nanosecond timestamps, byte counts and
 * seconds, and a double keeps nanosecond timestamps to within a microsecond, which is finer than anything
 * Kubernetes reports.
 */

/** The scalar types the CRI uses. `enum` values are their numbers. */
export type ScalarType =
  "string" | "bytes" | "bool" | "int32" | "int64" | "uint32" | "uint64" | "enum";

/** One field: its number, its type (a scalar, a nested message, or a `map<string, string>`). */
export interface FieldSpec {
  readonly no: number;
  readonly type: ScalarType | "map" | MessageSchema;
  readonly repeated?: boolean;
}

/** A message type: its full name (for error messages) and its fields by JavaScript key. */
export interface MessageSchema {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** A decoded or to-be-encoded message. */
export type Message = Record<string, unknown>;

/** Thrown when bytes are not a valid encoding of the expected message. */
export class ProtobufDecodeError extends Error {
  override readonly name = "ProtobufDecodeError";
}

/** Declares a message schema; a function so definitions read like the messages they describe. */
export function message(name: string, fields: Record<string, FieldSpec>): MessageSchema {
  return { name, fields };
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes `msg` as `schema`. Keys not in the schema are refused, so a typo never vanishes silently. */
export function encodeMessage(schema: MessageSchema, msg: Message): Uint8Array {
  const w = new Writer();
  writeMessage(w, schema, msg);
  return w.finish();
}

/**
 * Decodes `bytes` as `schema`. Absent fields get proto3 defaults (0, "", false, empty bytes, [] and {}),
 * except nested messages, which stay undefined. Unknown fields are skipped, as proto3 requires.
 */
export function decodeMessage(schema: MessageSchema, bytes: Uint8Array): Message {
  return readMessage(new Reader(bytes), schema, bytes.length);
}

function writeMessage(w: Writer, schema: MessageSchema, msg: Message): void {
  for (const [key, value] of Object.entries(msg)) {
    if (value === undefined) continue;
    const spec = schema.fields[key];
    if (!spec) throw new TypeError(`Cannot encode ${schema.name}: unknown field ${key}`);

    if (spec.type === "map") writeMap(w, spec.no, value as Record<string, string>);
    else if (spec.repeated) writeRepeated(w, spec, value as unknown[], `${schema.name}.${key}`);
    else writeSingle(w, spec, value, `${schema.name}.${key}`, false);
  }
}

function writeMap(w: Writer, no: number, map: Record<string, string>): void {
  for (const [k, v] of Object.entries(map)) {
    const entry = new Writer();
    writeString(entry, 1, k, false);
    writeString(entry, 2, v, false);
    w.tag(no, WIRE_LEN);
    w.bytes(entry.finish());
  }
}

function writeRepeated(w: Writer, spec: FieldSpec, values: unknown[], path: string): void {
  if (!Array.isArray(values)) throw new TypeError(`Cannot encode ${path}: expected an array`);
  if (isPackable(spec.type)) {
    // proto3 packs repeated numeric fields into one length-delimited run.
    if (values.length === 0) return;
    const packed = new Writer();
    for (const v of values) packed.varint(numericVarint(spec.type, v, path));
    w.tag(spec.no, WIRE_LEN);
    w.bytes(packed.finish());
    return;
  }
  for (const v of values) writeSingle(w, spec, v, path, true);
}

function writeSingle(
  w: Writer,
  spec: FieldSpec,
  value: unknown,
  path: string,
  always: boolean,
): void {
  const type = spec.type;
  if (typeof type === "object") {
    const nested = new Writer();
    writeMessage(nested, type, value as Message);
    w.tag(spec.no, WIRE_LEN);
    w.bytes(nested.finish());
    return;
  }
  switch (type) {
    case "string":
      if (typeof value !== "string")
        throw new TypeError(`Cannot encode ${path}: expected a string`);
      writeString(w, spec.no, value, always);
      return;
    case "bytes": {
      if (!(value instanceof Uint8Array))
        throw new TypeError(`Cannot encode ${path}: expected a Uint8Array`);
      if (value.length === 0 && !always) return;
      w.tag(spec.no, WIRE_LEN);
      w.bytes(value);
      return;
    }
    case "map":
      throw new TypeError(`Cannot encode ${path}: a map cannot be repeated`);
    default: {
      const v = numericVarint(type, value, path);
      if (v === 0n && !always) return;
      w.tag(spec.no, WIRE_VARINT);
      w.varint(v);
    }
  }
}

function writeString(w: Writer, no: number, value: string, always: boolean): void {
  if (value === "" && !always) return;
  w.tag(no, WIRE_LEN);
  w.bytes(textEncoder.encode(value));
}

function isPackable(type: FieldSpec["type"]): boolean {
  return typeof type === "string" && type !== "string" && type !== "bytes" && type !== "map";
}

/** The unsigned 64-bit varint value of a numeric field; negative int32/int64 are sign-extended. */
function numericVarint(type: FieldSpec["type"], value: unknown, path: string): bigint {
  if (type === "bool") {
    if (typeof value !== "boolean")
      throw new TypeError(`Cannot encode ${path}: expected a boolean`);
    return value ? 1n : 0n;
  }
  if (typeof value !== "number" || !Number.isInteger(value))
    throw new TypeError(`Cannot encode ${path}: expected an integer, got ${String(value)}`);
  const unsigned = type === "uint32" || type === "uint64";
  if (unsigned && value < 0) throw new TypeError(`Cannot encode ${path}: negative ${value}`);
  if ((type === "int32" || type === "enum") && (value < -(2 ** 31) || value >= 2 ** 31))
    throw new TypeError(`Cannot encode ${path}: ${value} does not fit in 32 bits`);
  if (type === "uint32" && value >= 2 ** 32)
    throw new TypeError(`Cannot encode ${path}: ${value} does not fit in 32 bits`);
  return BigInt.asUintN(64, BigInt(value));
}

function readMessage(r: Reader, schema: MessageSchema, end: number): Message {
  const byNumber = fieldsByNumber(schema);
  const out: Message = {};
  for (const [key, spec] of Object.entries(schema.fields)) {
    const d = defaultValue(spec);
    if (d !== undefined) out[key] = d;
  }

  while (r.pos < end) {
    const tag = Number(r.varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    const field = byNumber.get(no);
    if (!field) {
      r.skip(wire);
      continue;
    }
    const [key, spec] = field;
    readField(r, spec, wire, out, key, `${schema.name}.${key}`);
  }
  if (r.pos !== end) throw new ProtobufDecodeError(`Cannot decode ${schema.name}: truncated`);
  return out;
}

function readField(
  r: Reader,
  spec: FieldSpec,
  wire: number,
  out: Message,
  key: string,
  path: string,
) {
  const type = spec.type;
  if (type === "map") {
    expectWire(wire, WIRE_LEN, path);
    const entry = r.sub();
    const [k, v] = readMapEntry(entry, path);
    (out[key] as Record<string, string>)[k] = v;
    return;
  }
  if (spec.repeated && isPackable(type) && wire === WIRE_LEN) {
    const packed = r.sub();
    while (packed.pos < packed.end)
      (out[key] as unknown[]).push(scalarFromVarint(type, packed.varint()));
    return;
  }

  const value = readValue(r, type, wire, path);
  if (spec.repeated) (out[key] as unknown[]).push(value);
  else out[key] = value;
}

function readValue(r: Reader, type: FieldSpec["type"], wire: number, path: string): unknown {
  if (typeof type === "object") {
    expectWire(wire, WIRE_LEN, path);
    const len = r.length();
    const start = r.pos;
    const nested = readMessage(new Reader(r.buf.subarray(start, start + len)), type, len);
    r.pos = start + len;
    return nested;
  }
  if (type === "string" || type === "bytes") {
    expectWire(wire, WIRE_LEN, path);
    const len = r.length();
    const bytes = r.buf.subarray(r.pos, r.pos + len);
    r.pos += len;
    if (type === "bytes") return new Uint8Array(bytes);
    try {
      return textDecoder.decode(bytes);
    } catch (err) {
      throw new ProtobufDecodeError(`Cannot decode ${path}: invalid UTF-8`, { cause: err });
    }
  }
  expectWire(wire, WIRE_VARINT, path);
  return scalarFromVarint(type, r.varint());
}

function readMapEntry(r: Reader, path: string): [string, string] {
  let k = "";
  let v = "";
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (no === 1 || no === 2) {
      const s = readValue(r, "string", wire, path) as string;
      if (no === 1) k = s;
      else v = s;
    } else r.skip(wire);
  }
  return [k, v];
}

function scalarFromVarint(type: FieldSpec["type"], v: bigint): unknown {
  switch (type) {
    case "bool":
      return v !== 0n;
    case "int32":
    case "enum":
      return Number(BigInt.asIntN(32, v));
    case "uint32":
      return Number(BigInt.asUintN(32, v));
    case "int64":
      return Number(BigInt.asIntN(64, v));
    default:
      return Number(BigInt.asUintN(64, v));
  }
}

function defaultValue(spec: FieldSpec): unknown {
  if (spec.type === "map") return {};
  if (spec.repeated) return [];
  switch (spec.type) {
    case "string":
      return "";
    case "bytes":
      return new Uint8Array(0);
    case "bool":
      return false;
    case "int32":
    case "int64":
    case "uint32":
    case "uint64":
    case "enum":
      return 0;
    default:
      return undefined;
  }
}

function expectWire(got: number, want: number, path: string): void {
  if (got !== want)
    throw new ProtobufDecodeError(`Cannot decode ${path}: wire type ${got}, expected ${want}`);
}

const numberIndex = new WeakMap<MessageSchema, Map<number, [string, FieldSpec]>>();

function fieldsByNumber(schema: MessageSchema): Map<number, [string, FieldSpec]> {
  let index = numberIndex.get(schema);
  if (!index) {
    index = new Map(Object.entries(schema.fields).map(([k, s]) => [s.no, [k, s]]));
    numberIndex.set(schema, index);
  }
  return index;
}

class Writer {
  #chunks: Uint8Array[] = [];
  #scratch: number[] = [];

  tag(no: number, wire: number): void {
    this.varint(BigInt(no * 8 + wire));
  }

  varint(v: bigint): void {
    let x = v;
    while (x > 0x7fn) {
      this.#scratch.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.#scratch.push(Number(x));
  }

  bytes(b: Uint8Array): void {
    this.varint(BigInt(b.length));
    this.#flush();
    this.#chunks.push(b);
  }

  finish(): Uint8Array {
    this.#flush();
    return Buffer.concat(this.#chunks);
  }

  #flush(): void {
    if (this.#scratch.length === 0) return;
    this.#chunks.push(Uint8Array.from(this.#scratch));
    this.#scratch = [];
  }
}

class Reader {
  pos = 0;

  constructor(
    readonly buf: Uint8Array,
    readonly end: number = buf.length,
  ) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new ProtobufDecodeError("Cannot decode varint: truncated");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtobufDecodeError("Cannot decode varint: longer than 10 bytes");
    }
  }

  length(): number {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new ProtobufDecodeError("Cannot decode field: truncated");
    return len;
  }

  /** A reader over the next length-delimited run, advancing past it. */
  sub(): Reader {
    const len = this.length();
    const r = new Reader(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return r;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.#advance(8);
        return;
      case WIRE_LEN:
        this.#advance(this.length());
        return;
      case WIRE_FIXED32:
        this.#advance(4);
        return;
      default:
        throw new ProtobufDecodeError(`Cannot decode field: unsupported wire type ${wire}`);
    }
  }

  #advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtobufDecodeError("Cannot decode field: truncated");
    this.pos += n;
  }
}
