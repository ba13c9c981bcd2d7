/**
 * Writing the protobuf wire format, for the encoder that mirrors the decoder. Nested messages are
 * written into their own writer and copied into the parent with their length, which is simple and
 * fast enough for the tests and tools that encode.
 */
import { WireType } from "./wire-reader.js";

/** A growable buffer of protobuf output. */
export class WireWriter {
  #buf = Buffer.allocUnsafe(256);
  #length = 0;

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }

  /** Writes raw bytes with no prefix. */
  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Writes a field's tag. */
  tag(number: number, wireType: number): void {
    this.varint((number << 3) | wireType);
  }

  /**
   * Writes a signed integer as a varint; negative values take ten bytes, as Go writes int32 and
   * int64 fields.
   */
  varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`Cannot encode ${value} as a varint`);
    this.#reserve(10);
    if (value >= 0 && value < 0x80) {
      this.#buf[this.#length++] = value;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#buf[this.#length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#length++] = Number(v);
  }

  /** Writes a little-endian double. */
  double(value: number): void {
    this.#reserve(8);
    this.#buf.writeDoubleLE(value, this.#length);
    this.#length += 8;
  }

  /** Writes a length-delimited payload. */
  delimited(payload: Uint8Array): void {
    this.varint(payload.length);
    this.raw(payload);
  }

  /** Writes a string field. */
  stringField(number: number, value: string): void {
    this.tag(number, WireType.Delimited);
    this.delimited(Buffer.from(value, "utf8"));
  }

  /** Writes a varint field. */
  varintField(number: number, value: number): void {
    this.tag(number, WireType.Varint);
    this.varint(value);
  }

  /** Writes a nested message field whose payload another writer produced. */
  messageField(number: number, message: WireWriter): void {
    this.tag(number, WireType.Delimited);
    this.delimited(message.bytes());
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#length + bytes));
    this.#buf.copy(grown, 0, 0, this.#length);
    this.#buf = grown;
  }
}
