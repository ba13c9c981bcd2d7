import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WireError, WireReader, WireType } from "./wire-reader.js";
import { WireWriter } from "./wire-writer.js";

const reader = (bytes: number[]): WireReader => new WireReader(Buffer.from(bytes));

describe("WireReader varints", () => {
  // value, its varint bytes
  const cases: [number, number[]][] = [
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [2 ** 31 - 1, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [2 ** 53 - 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    [-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [-(2 ** 31), [0x80, 0x80, 0x80, 0x80, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [-(2 ** 40), [0x80, 0x80, 0x80, 0x80, 0x80, 0xe0, 0xff, 0xff, 0xff, 0x01]],
  ];
  for (const [value, bytes] of cases) {
    it(`int64() reads ${value} and the writer writes it back the same`, () => {
      const r = reader(bytes);
      assert.equal(r.int64(bytes.length), value);
      assert.equal(r.pos, bytes.length);
      const w = new WireWriter();
      w.varint(value);
      assert.deepEqual([...w.bytes()], bytes);
    });
  }

  it("int32() keeps the low 32 bits, as Go does for a negative int32 sent in 10 bytes", () => {
    assert.equal(
      reader([0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).int32(10),
      -5,
    );
    assert.equal(reader([0xff, 0xff, 0xff, 0xff, 0x0f]).int32(5), -1);
    assert.equal(reader([0xac, 0x02]).int32(2), 300);
  });

  it("refuses a varint cut short by the end of its message, not only of the buffer", () => {
    assert.throws(() => reader([0x80, 0x80]).int32(2), /truncated varint/);
    assert.throws(() => reader([0x80, 0x01]).int64(1), /truncated varint/);
  });

  it("refuses a varint longer than ten bytes", () => {
    const bytes = [...Array<number>(10).fill(0x80), 0x00];
    assert.throws(() => reader(bytes).int64(11), /longer than 10 bytes/);
    assert.throws(() => reader(bytes).int32(11), /longer than 10 bytes/);
  });
});

describe("WireReader lengths and skipping", () => {
  it("delimited() returns the payload's end and refuses one past its message", () => {
    const r = reader([0x03, 1, 2, 3, 4]);
    assert.equal(r.delimited(5), 4);
    assert.equal(r.pos, 1);
    assert.throws(() => reader([0x05, 1, 2]).delimited(3), /length 5 runs past the end/);
    assert.throws(() => reader([0x03, 1, 2, 3]).delimited(3), /length 3 runs past the end/);
  });

  it("string() decodes ASCII and multi-byte UTF-8 alike", () => {
    const text = "héllo wörld, ☸ kubernetes";
    const bytes = Buffer.from(text);
    const r = reader([bytes.length, ...bytes, 2, 0x61, 0x62]);
    assert.equal(r.string(r.buf.length), text);
    assert.equal(r.string(r.buf.length), "ab");
  });

  const skips: [string, number, number[]][] = [
    ["a varint", WireType.Varint, [0x80, 0x01]],
    ["a 64-bit value", WireType.Fixed64, [1, 2, 3, 4, 5, 6, 7, 8]],
    ["a length-delimited value", WireType.Delimited, [2, 9, 9]],
    ["a 32-bit value", WireType.Fixed32, [1, 2, 3, 4]],
    ["a nested group", WireType.StartGroup, [0x0b, 0x08, 0x01, 0x0c, 0x0c]],
  ];
  for (const [name, wireType, bytes] of skips) {
    it(`skip() passes over ${name} exactly, and refuses it cut short`, () => {
      const r = reader([...bytes, 0x42]);
      r.skip(wireType, r.buf.length);
      assert.equal(r.pos, bytes.length);
      assert.throws(() => reader(bytes).skip(wireType, bytes.length - 1), WireError);
    });
  }

  it("skip() refuses wire types 6 and 7 and an end-group with no start", () => {
    assert.throws(() => reader([]).skip(6, 0), /invalid wire type 6/);
    assert.throws(() => reader([]).skip(7, 0), /invalid wire type 7/);
    assert.throws(() => reader([]).skip(WireType.EndGroup, 0), /invalid wire type 4/);
  });

  it("skip() refuses groups nested past its bound instead of exhausting the stack", () => {
    const bytes = Array<number>(5000).fill(0x0b);
    assert.throws(() => reader(bytes).skip(WireType.StartGroup, bytes.length), /nested too deeply/);
  });
});
