/**
 * The envelope of a Kubernetes protobuf body: the magic `k8s\0`, then a runtime.Unknown whose
 * typeMeta (1: apiVersion = 1, kind = 2) names the object, raw (2) holds the object's own message,
 * and contentEncoding (3) and contentType (4) say how raw is encoded (both empty from every client).
 */
import { StatusError } from "../../api/errors.js";
import { expectWireType } from "./value-readers.js";
import { WireError, WireReader, WireType } from "./wire-reader.js";

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** The four bytes every Kubernetes protobuf body starts with: `k8s` and a 0 (the envelope style). */
export const PROTOBUF_MAGIC: Readonly<Buffer> = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/**
 * Reads and checks the envelope of a body. Throws a 400 BadRequest for a body without the magic,
 * a malformed envelope, one that names no kind or apiVersion, or one whose object is encoded in a
 * way this server does not decode.
 */
export function readEnvelope(body: Buffer): Envelope {
  if (
    body.length < 4 ||
    body[0] !== 0x6b ||
    body[1] !== 0x38 ||
    body[2] !== 0x73 ||
    body[3] !== 0
  ) {
    throw StatusError.badRequest(
      `The request body is not a Kubernetes protobuf message: ${PROTOBUF_MEDIA_TYPE} bodies start with the bytes "k8s\\x00"`,
    );
  }
  if (body.length === 4) {
    throw StatusError.badRequest("The protobuf request body is empty; an object is required");
  }

  let envelope: Envelope;
  try {
    envelope = readFields(new WireReader(body, 4), body.length);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    throw StatusError.badRequest(`Cannot decode the protobuf envelope: ${err.message}`);
  }
  checkEnvelope(envelope);
  return envelope;
}

/** What the runtime.Unknown around an object says, and where the object's message lies. */
export interface Envelope {
  apiVersion: string;
  kind: string;
  rawStart: number;
  rawEnd: number;
  contentEncoding: string;
  contentType: string;
}

function readFields(r: WireReader, end: number): Envelope {
  const envelope: Envelope = {
    apiVersion: "",
    kind: "",
    rawStart: end,
    rawEnd: end,
    contentEncoding: "",
    contentType: "",
  };
  while (r.pos < end) {
    const tag = r.int32(end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) throw new WireError("field number 0 is not allowed");
    if (number > 4) {
      r.skip(wireType, end);
      continue;
    }
    expectWireType(wireType, WireType.Delimited, number);
    if (number === 1) readTypeMeta(r, r.delimited(end), envelope);
    else if (number === 2) {
      envelope.rawEnd = r.delimited(end);
      envelope.rawStart = r.pos;
      r.pos = envelope.rawEnd;
    } else if (number === 3) envelope.contentEncoding = r.string(end);
    else envelope.contentType = r.string(end);
  }
  return envelope;
}

function readTypeMeta(r: WireReader, end: number, envelope: Envelope): void {
  while (r.pos < end) {
    const tag = r.int32(end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 1 || number === 2) {
      expectWireType(wireType, WireType.Delimited, number);
      if (number === 1) envelope.apiVersion = r.string(end);
      else envelope.kind = r.string(end);
    } else r.skip(wireType, end);
  }
}

function checkEnvelope(envelope: Envelope): void {
  if (envelope.kind === "") {
    throw StatusError.badRequest("Object 'Kind' is missing from the protobuf envelope");
  }
  if (envelope.apiVersion === "") {
    throw StatusError.badRequest("Object 'apiVersion' is missing from the protobuf envelope");
  }
  if (envelope.contentEncoding !== "") {
    throw StatusError.badRequest(
      `Cannot decode a protobuf body with content encoding "${envelope.contentEncoding}": only unencoded bodies are supported`,
    );
  }
  const type = envelope.contentType;
  if (type !== "" && type !== PROTOBUF_MEDIA_TYPE) {
    throw StatusError.badRequest(
      `Cannot decode a protobuf envelope whose object is of content type "${type}": only ${PROTOBUF_MEDIA_TYPE} is supported`,
    );
  }
}
