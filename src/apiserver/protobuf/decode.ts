/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the
 * JSON form the rest of the API works on.
 *
 * The object's message (the envelope's raw) is decoded against the schema type whose gvk matches
 * the envelope, by the `proto` numbers of its fields. gogo-protobuf writes every non-pointer
 * scalar, so a zero value of a field that is neither marked `pointer` nor required means "unset"
 * and is dropped, as upstream's JSON omits it; required fields have no `omitempty` upstream, so
 * their zeros stay.
 */
import { StatusError } from "../../api/errors.js";
import { readEnvelope } from "./envelope.js";
import type { FieldPlan, MessagePlan } from "./plan.js";
import { Kind, Shape, rootPlanOf } from "./plan.js";
import { emptyValue, expectWireType, readScalar, readValue } from "./value-readers.js";
import { WireError, WireReader, WireType } from "./wire-reader.js";

type JsonObject = Record<string, unknown>;

/**
 * Decodes a protobuf request body into the object's JSON form, with apiVersion and kind taken from
 * the envelope. Malformed input is a 400 BadRequest naming the problem and the field it was found
 * in; a kind no schema type serves is a 415 UnsupportedMediaType, so the client may send JSON.
 */
export function decodeProtobufObject(body: Buffer): JsonObject {
  const { apiVersion, kind, rawStart, rawEnd } = readEnvelope(body);
  const plan = rootPlanOf(apiVersion, kind);
  if (!plan) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      `Cannot decode a protobuf body of kind ${kind} in ${apiVersion}: this server has no protobuf schema for it; send it as application/json`,
    );
  }

  const obj: JsonObject = { apiVersion, kind };
  try {
    decodeMessage(new WireReader(body, rawStart), rawEnd, plan, obj, true);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    const at = err.at();
    throw StatusError.badRequest(
      `Cannot decode the protobuf body of ${apiVersion} ${kind}${at ? ` at ${at}` : ""}: ${err.message}`,
    );
  }
  return obj;
}

/**
 * Decodes the fields of one message into `out`. A field that occurs again merges into what is
 * there, as protobuf requires: messages merge, lists and maps grow, scalars are replaced.
 *
 * `fresh` says `out` holds nothing of this message yet. gogo writes each field once, in ascending
 * order, so while numbers keep ascending in a fresh message no field can have been set before:
 * the decoder then skips looking up what is there, which costs more than the decoding itself.
 */
function decodeMessage(
  r: WireReader,
  end: number,
  plan: MessagePlan,
  out: JsonObject,
  fresh: boolean,
): void {
  const byNumber = plan.byNumber;
  let last = 0;
  let field: FieldPlan | undefined;
  // The collection that items of the current list or map field go into, while they are adjacent.
  let collectionField: FieldPlan | undefined;
  let collection: unknown[] | JsonObject | undefined;
  try {
    while (r.pos < end) {
      field = undefined;
      const tag = r.int32(end);
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 0) throw new WireError("field number 0 is not allowed");
      field = number < byNumber.length ? byNumber[number] : undefined;
      if (field === undefined) {
        r.skip(wireType, end);
        continue;
      }
      const mayBeSet = !fresh || number <= last;
      if (number > last) last = number;

      if (field.shape === Shape.Single) {
        decodeSingle(r, end, field, wireType, out, mayBeSet);
        continue;
      }
      if (field !== collectionField) {
        collectionField = field;
        collection = existingCollection(out, field, mayBeSet);
      }
      if (field.shape === Shape.List)
        decodeListItem(r, end, field, wireType, collection as unknown[]);
      else decodeMapEntry(r, end, field, wireType, collection as JsonObject);
    }
  } catch (err) {
    if (err instanceof WireError && field !== undefined && field.name !== "") {
      const index = field === collectionField && Array.isArray(collection) ? collection.length : -1;
      err.path.push(index >= 0 ? `${field.name}[${index}]` : field.name);
    }
    throw err;
  }
}

/** The list or map a field already holds in `out`, or a new one put there. */
function existingCollection(
  out: JsonObject,
  field: FieldPlan,
  mayBeSet: boolean,
): unknown[] | JsonObject {
  const isList = field.shape === Shape.List;
  if (mayBeSet) {
    const existing = out[field.name];
    if (isList ? Array.isArray(existing) : existing !== undefined) {
      return existing as unknown[] | JsonObject;
    }
  }
  const created = isList ? [] : {};
  out[field.name] = created;
  return created;
}

function decodeSingle(
  r: WireReader,
  end: number,
  field: FieldPlan,
  wireType: number,
  out: JsonObject,
  mayBeSet: boolean,
): void {
  if (wireType !== field.wireType) expectWireType(wireType, field.wireType, field.number);
  const name = field.name;
  switch (field.kind) {
    case Kind.String: {
      const value = r.string(end);
      if (value !== "" || field.keepZero) out[name] = value;
      else if (mayBeSet) unset(out, name);
      return;
    }
    case Kind.Int32:
    case Kind.Int64:
    case Kind.Bool:
    case Kind.Double: {
      const value = readScalar(r, end, field.kind);
      if (value !== 0 || field.keepZero) out[name] = field.kind === Kind.Bool ? value !== 0 : value;
      else if (mayBeSet) unset(out, name);
      return;
    }
    case Kind.Message: {
      const stop = r.delimited(end);
      const existing = mayBeSet ? out[name] : undefined;
      if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) {
        decodeMessage(r, stop, field.message!, existing as JsonObject, false);
        return;
      }
      const target: JsonObject = {};
      decodeMessage(r, stop, field.message!, target, true);
      out[name] = target;
      return;
    }
    case Kind.Embedded:
      // The struct's fields live in `out` beside the parent's, under names of their own.
      decodeMessage(r, r.delimited(end), field.message!, out, !mayBeSet);
      return;
    default: {
      const value = readValue(r, end, field, true);
      if (value !== undefined) out[name] = value;
      else if (mayBeSet) unset(out, name);
    }
  }
}

function decodeListItem(
  r: WireReader,
  end: number,
  field: FieldPlan,
  wireType: number,
  list: unknown[],
): void {
  if (wireType === WireType.Delimited && field.packable) {
    const stop = r.delimited(end);
    while (r.pos < stop) {
      const value = readScalar(r, stop, field.kind);
      list.push(field.kind === Kind.Bool ? value !== 0 : value);
    }
    return;
  }
  if (wireType !== field.wireType) expectWireType(wireType, field.wireType, field.number);
  list.push(readItem(r, end, field));
}

function decodeMapEntry(
  r: WireReader,
  end: number,
  field: FieldPlan,
  wireType: number,
  map: JsonObject,
): void {
  expectWireType(wireType, WireType.Delimited, field.number);
  const stop = r.delimited(end);
  let key = "";
  let value: unknown;
  while (r.pos < stop) {
    const tag = r.int32(stop);
    const number = tag >>> 3;
    const entryWireType = tag & 7;
    if (number === 1) {
      expectWireType(entryWireType, WireType.Delimited, 1);
      key = r.string(stop);
    } else if (number === 2) {
      if (entryWireType !== field.wireType) expectWireType(entryWireType, field.wireType, 2);
      value = readItem(r, stop, field);
    } else r.skip(entryWireType, stop);
  }

  const entry = value === undefined ? emptyValue(field.kind) : value;
  if (key === "__proto__") {
    Object.defineProperty(map, key, {
      value: entry,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else map[key] = entry;
}

/** One item of a list or value of a map: never dropped, since a zero there is still an element. */
function readItem(r: WireReader, end: number, field: FieldPlan): unknown {
  switch (field.kind) {
    case Kind.String:
      return r.string(end);
    case Kind.Int32:
    case Kind.Int64:
    case Kind.Double:
      return readScalar(r, end, field.kind);
    case Kind.Bool:
      return r.int32(end) !== 0;
    case Kind.Message:
    case Kind.Embedded: {
      const item: JsonObject = {};
      decodeMessage(r, r.delimited(end), field.message!, item, true);
      return item;
    }
    default:
      return readValue(r, end, field, false) ?? null;
  }
}

function unset(out: JsonObject, name: string): void {
  if (out[name] !== undefined) delete out[name];
}
