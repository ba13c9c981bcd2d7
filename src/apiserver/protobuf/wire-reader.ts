/**
 * Reading the protobuf wire format: varints, length-delimited payloads, fixed-width numbers and
 * the skipping of fields a reader does not know. Every read is bounded by the end of the message
 * it belongs to, so a length that runs past its parent is caught where it is read.
 */

/** Wire types of the protobuf encoding. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  Delimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

const WIRE_TYPE_NAMES = [
  "varint",
  "64-bit",
  "length-delimited",
  "start-group",
  "end-group",
  "32-bit",
];

/** A wire type as messages name it: `2 (length-delimited)`. */
export function wireTypeName(wireType: number): string {
  const name = WIRE_TYPE_NAMES[wireType];
  return name === undefined ? String(wireType) : `${wireType} (${name})`;
}

/**
 * Malformed protobuf input. `path` collects the field names from the failing field outwards while
 * the error unwinds through nested messages; `at()` renders it root first.
 */
export class WireError extends Error {
  readonly path: string[] = [];

  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }

  /** The field path of the failure, such as `spec.template.spec.containers[0].ports`. */
  at(): string {
    let out = "";
    for (let i = this.path.length - 1; i >= 0; i--) {
      const segment = this.path[i]!;
      out += out === "" || segment.startsWith("[") ? segment : `.${segment}`;
    }
    return out;
  }
}

// Groups are deprecated and never sent by Kubernetes clients; unknown ones are still skipped, with a
// bound on nesting so that a body of nothing but start-group tags cannot exhaust the stack.
const MAX_GROUP_DEPTH = 100;

/** A cursor over one buffer; `pos` advances as values are read. */
export class WireReader {
  readonly buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /**
   * A varint's low 32 bits as a signed integer: what an int32 field holds (negative int32 values
   * arrive as 10-byte varints whose high bits are the sign extension) and what a tag needs.
   */
  int32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) throw new WireError("truncated varint");
      const b = buf[pos++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result | 0;
      }
    }
    throw new WireError("varint longer than 10 bytes");
  }

  /**
   * A varint as a signed 64-bit integer, in a number: exact up to 2^53 in magnitude, rounded
   * beyond it as JSON numbers are.
   */
  int64(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) throw new WireError("truncated varint");
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        return hi * 0x100000000 + (lo >>> 0);
      }
    }
    throw new WireError("varint longer than 10 bytes");
  }

  /** A little-endian IEEE 754 double (wire type 1). */
  double(end: number): number {
    if (this.pos + 8 > end) throw new WireError("truncated 64-bit value");
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /**
   * Reads the length prefix of a length-delimited value and returns where its payload ends; `pos`
   * is left at the payload's start.
   */
  delimited(end: number): number {
    const length = this.int64(end);
    if (length < 0) throw new WireError(`negative length ${length}`);
    const stop = this.pos + length;
    if (stop > end) {
      throw new WireError(
        `length ${length} runs past the end of its message (${end - this.pos} bytes left)`,
      );
    }
    return stop;
  }

  /** A length-delimited UTF-8 string. */
  string(end: number): string {
    const stop = this.delimited(end);
    const start = this.pos;
    this.pos = stop;
    return utf8(this.buf, start, stop);
  }

  /** Skips one value of a field this reader does not know. */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.int32(end);
        return;
      case WireType.Fixed64:
        this.advance(8, end);
        return;
      case WireType.Delimited:
        this.pos = this.delimited(end);
        return;
      case WireType.Fixed32:
        this.advance(4, end);
        return;
      case WireType.StartGroup:
        this.skipGroup(end);
        return;
      default:
        throw new WireError(`invalid wire type ${wireType}`);
    }
  }

  private advance(bytes: number, end: number): void {
    if (this.pos + bytes > end) throw new WireError("truncated fixed-width value");
    this.pos += bytes;
  }

  private skipGroup(end: number): void {
    let depth = 1;
    while (depth > 0) {
      if (this.pos >= end) throw new WireError("unterminated group");
      const wireType = this.int32(end) & 7;
      if (wireType === WireType.StartGroup) {
        if (++depth > MAX_GROUP_DEPTH) throw new WireError("groups nested too deeply");
      } else if (wireType === WireType.EndGroup) depth--;
      else this.skip(wireType, end);
    }
  }
}

/**
 * Decodes UTF-8 bytes. Names, labels and images are short ASCII strings; building those from char
 * codes avoids the fixed cost of a native call per string, which dominates at these lengths.
 */
function utf8(buf: Buffer, start: number, stop: number): string {
  if (stop - start > 16) return buf.toString("utf8", start, stop);
  let out = "";
  for (let i = start; i < stop; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString("utf8", start, stop);
    out += String.fromCharCode(c);
  }
  return out;
}
