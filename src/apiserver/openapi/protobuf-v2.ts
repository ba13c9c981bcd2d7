/**
 * The Swagger 2.0 document in protobuf, as kubectl up to 1.27 asks for it
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): the `openapi.v2.Document` message
 * of gnostic, with the field numbers of that message set. Vendor extensions and enum values travel
 * as YAML text, which the readers parse with a YAML parser; JSON is valid YAML, so they are written
 * as JSON. Only the parts of the document our generator writes are encoded; any other member is a
 * programming error and throws, so the two cannot drift apart silently.
 */
import type { JsonObject, JsonValue } from "../patch/json-value.js";
import { isJsonObject } from "../patch/json-value.js";

/** The longest varint a message length takes (lengths stay below 2^35). */
const MAX_LENGTH_PREFIX = 5;

/** A protobuf writer of length-delimited messages, strings, booleans and varints. */
class ProtoWriter {
  #buf = Buffer.allocUnsafe(1024);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  varint(value: number): void {
    this.#reserve(10);
    while (value > 0x7f) {
      this.#buf[this.#len++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.#buf[this.#len++] = value;
  }

  string(field: number, value: string | undefined): void {
    if (value === undefined || value === "") return;
    this.varint((field << 3) | 2);
    // Nearly every string of a document is ASCII: copying its chars beats a native call per string.
    const n = value.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (value.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      const size = Buffer.byteLength(value);
      this.varint(size);
      this.#reserve(size);
      this.#len += this.#buf.write(value, this.#len, "utf8");
      return;
    }
    this.varint(n);
    this.#reserve(n);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < n; i++) buf[at++] = value.charCodeAt(i);
    this.#len = at;
  }

  bool(field: number, value: boolean | undefined): void {
    if (!value) return;
    this.varint(field << 3);
    this.varint(1);
  }

  /**
   * Writes a nested message; `body` writes its fields. An empty message is still written. The body
   * is written in place after room for the longest length prefix, then moved back over the room the
   * actual prefix does not use: one buffer for the whole document, no buffer per message.
   */
  message(field: number, body: (w: ProtoWriter) => void): void {
    this.varint((field << 3) | 2);
    this.#reserve(MAX_LENGTH_PREFIX);
    const start = this.#len + MAX_LENGTH_PREFIX;
    this.#len = start;
    body(this);
    const size = this.#len - start;
    const at = start - MAX_LENGTH_PREFIX;
    this.#len = at;
    this.varint(size);
    if (this.#len !== start) this.#buf.copyWithin(this.#len, start, start + size);
    this.#len += size;
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

/** Encodes a Swagger 2.0 document built by `documentV2` as an `openapi.v2.Document` message. */
export function encodeDocumentV2(doc: JsonObject): Buffer {
  const w = new ProtoWriter();
  for (const [key, value] of Object.entries(doc)) {
    if (key === "swagger") w.string(1, str(value));
    else if (key === "info") w.message(2, (m) => info(m, obj(value)));
    else if (key === "paths") w.message(8, (m) => namedEach(m, 2, obj(value), pathItem));
    else if (key === "definitions") w.message(9, (m) => namedEach(m, 1, obj(value), schema));
    else if (key === "security") {
      for (const req of arr(value)) w.message(12, (m) => namedEach(m, 1, obj(req), stringArray));
    } else if (key === "securityDefinitions") {
      w.message(13, (m) => namedEach(m, 1, obj(value), securityDefinition));
    } else unknown("Document", key);
  }
  return w.finish();
}

function namedEach(
  w: ProtoWriter,
  field: number,
  entries: JsonObject,
  encode: (w: ProtoWriter, value: JsonValue) => void,
): void {
  for (const [name, value] of Object.entries(entries)) {
    w.message(field, (m) => {
      m.string(1, name);
      m.message(2, (v) => encode(v, value));
    });
  }
}

function info(w: ProtoWriter, value: JsonObject): void {
  for (const [key, v] of Object.entries(value)) {
    if (key === "title") w.string(1, str(v));
    else if (key === "version") w.string(2, str(v));
    else if (key === "description") w.string(3, str(v));
    else unknown("Info", key);
  }
}

const OPERATION_FIELDS: Readonly<Record<string, number>> = {
  get: 2,
  put: 3,
  post: 4,
  delete: 5,
  options: 6,
  head: 7,
  patch: 8,
};

function pathItem(w: ProtoWriter, value: JsonValue): void {
  for (const [key, v] of Object.entries(obj(value))) {
    const field = OPERATION_FIELDS[key];
    if (field !== undefined) w.message(field, (m) => operation(m, obj(v)));
    else if (key === "parameters")
      for (const p of arr(v)) w.message(9, (m) => parametersItem(m, p));
    else if (key.startsWith("x-")) extension(w, 10, key, v);
    else unknown("PathItem", key);
  }
}

function operation(w: ProtoWriter, value: JsonObject): void {
  for (const [key, v] of Object.entries(value)) {
    if (key === "tags") for (const t of arr(v)) w.string(1, str(t));
    else if (key === "summary") w.string(2, str(v));
    else if (key === "description") w.string(3, str(v));
    else if (key === "operationId") w.string(5, str(v));
    else if (key === "produces") for (const t of arr(v)) w.string(6, str(t));
    else if (key === "consumes") for (const t of arr(v)) w.string(7, str(t));
    else if (key === "parameters")
      for (const p of arr(v)) w.message(8, (m) => parametersItem(m, p));
    else if (key === "responses") w.message(9, (m) => responses(m, obj(v)));
    else if (key === "schemes") for (const t of arr(v)) w.string(10, str(t));
    else if (key === "deprecated") w.bool(11, v === true);
    else if (key.startsWith("x-")) extension(w, 13, key, v);
    else unknown("Operation", key);
  }
}

/** A ParametersItem holding a Parameter: a body parameter, or a query or path parameter. */
function parametersItem(w: ProtoWriter, value: JsonValue): void {
  const p = obj(value);
  w.message(1, (param) => {
    if (p["in"] === "body") {
      param.message(1, (m) => {
        for (const [key, v] of Object.entries(p)) {
          if (key === "description") m.string(1, str(v));
          else if (key === "name") m.string(2, str(v));
          else if (key === "in") m.string(3, str(v));
          else if (key === "required") m.bool(4, v === true);
          else if (key === "schema") m.message(5, (s) => schema(s, v));
          else unknown("BodyParameter", key);
        }
      });
      return;
    }
    // QueryParameterSubSchema and PathParameterSubSchema number their first fields alike, but from
    // `type` on the path form is one lower (it has no allow_empty_value).
    const [oneof, typeField] = p["in"] === "query" ? [3, 6] : p["in"] === "path" ? [4, 5] : [0, 0];
    if (oneof === 0) throw new Error(`Cannot encode a parameter in ${String(p["in"])}`);
    param.message(2, (nonBody) =>
      nonBody.message(oneof, (m) => {
        for (const [key, v] of Object.entries(p)) {
          if (key === "required") m.bool(1, v === true);
          else if (key === "in") m.string(2, str(v));
          else if (key === "description") m.string(3, str(v));
          else if (key === "name") m.string(4, str(v));
          else if (key === "type") m.string(typeField, str(v));
          else unknown("NonBodyParameter", key);
        }
      }),
    );
  });
}

function responses(w: ProtoWriter, value: JsonObject): void {
  for (const [code, v] of Object.entries(value)) {
    w.message(1, (named) => {
      named.string(1, code);
      named.message(2, (rv) =>
        rv.message(1, (m) => {
          for (const [key, field] of Object.entries(obj(v))) {
            if (key === "description") m.string(1, str(field));
            else if (key === "schema")
              m.message(2, (item) => item.message(1, (s) => schema(s, field)));
            else unknown("Response", key);
          }
        }),
      );
    });
  }
}

/** A Schema message; `items` is a list of one schema, `type` a TypeItem, maps are `Properties`. */
function schema(w: ProtoWriter, value: JsonValue): void {
  for (const [key, v] of Object.entries(obj(value))) {
    switch (key) {
      case "$ref":
        w.string(1, str(v));
        break;
      case "format":
        w.string(2, str(v));
        break;
      case "description":
        w.string(4, str(v));
        break;
      case "required":
        for (const r of arr(v)) w.string(19, str(r));
        break;
      case "enum":
        for (const e of arr(v)) w.message(20, (m) => m.string(2, JSON.stringify(e)));
        break;
      case "additionalProperties":
        w.message(21, (m) => m.message(1, (s) => schema(s, v)));
        break;
      case "type":
        w.message(22, (m) => m.string(1, str(v)));
        break;
      case "items":
        w.message(23, (m) => m.message(1, (s) => schema(s, v)));
        break;
      case "properties":
        w.message(25, (m) => namedEach(m, 1, obj(v), schema));
        break;
      default:
        if (key.startsWith("x-")) extension(w, 31, key, v);
        else unknown("Schema", key);
    }
  }
}

function securityDefinition(w: ProtoWriter, value: JsonValue): void {
  const def = obj(value);
  if (def["type"] !== "apiKey") throw new Error(`Cannot encode a ${String(def["type"])} security`);
  w.message(2, (m) => {
    m.string(1, str(def["type"]));
    m.string(2, str(def["name"]));
    m.string(3, str(def["in"]));
    m.string(4, str(def["description"]));
  });
}

function stringArray(w: ProtoWriter, value: JsonValue): void {
  for (const s of arr(value)) w.string(1, str(s));
}

/** A NamedAny whose Any carries the value as YAML (here JSON, which is YAML). */
function extension(w: ProtoWriter, field: number, name: string, value: JsonValue): void {
  w.message(field, (m) => {
    m.string(1, name);
    m.message(2, (any) => any.string(2, JSON.stringify(value)));
  });
}

function str(value: JsonValue | undefined): string {
  if (typeof value !== "string")
    throw new Error(`Cannot encode ${JSON.stringify(value)}: not a string`);
  return value;
}

function obj(value: JsonValue | undefined): JsonObject {
  if (!isJsonObject(value))
    throw new Error(`Cannot encode ${JSON.stringify(value)}: not an object`);
  return value;
}

function arr(value: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(value)) throw new Error(`Cannot encode ${JSON.stringify(value)}: not a list`);
  return value;
}

function unknown(message: string, key: string): never {
  throw new Error(`Cannot encode member ${key} of a ${message}: not in the protobuf mapping`);
}
