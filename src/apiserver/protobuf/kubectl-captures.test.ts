import assert from "node:assert/strict";
import { describe, it } from "node:test";
import "../../api/registry.js";
import { StatusError } from "../../api/errors.js";
import { decodeProtobufObject } from "./decode.js";
import { encodeProtobufObject } from "./encode.js";
import { kubectlCaptures } from "./kubectl-captures.js";

describe("decodeProtobufObject() on bodies recorded from kubectl 1.33", () => {
  for (const capture of kubectlCaptures) {
    const body = Buffer.from(capture.body, "base64");
    const expected = capture.expected;

    if (expected === null) {
      it(`refuses the body of \`${capture.command}\` with 415, naming the kind`, () => {
        assert.throws(
          () => decodeProtobufObject(body),
          (err: unknown) =>
            err instanceof StatusError && err.code === 415 && /TokenRequest/.test(err.message),
        );
      });
      continue;
    }

    it(`decodes \`${capture.command}\` into what kubectl shows as JSON`, () => {
      assert.deepEqual(decodeProtobufObject(body), expected);
    });

    it(`encodes the object of \`${capture.command}\` as gogo does, and decodes it back`, () => {
      const encoded = encodeProtobufObject(expected, { writeZeros: true });
      assert.deepEqual(decodeProtobufObject(encoded), expected);
    });
  }

  it("keeps the pointer zero of `--replicas=0` and the binary bytes of `--from-file`", () => {
    const [deployment, , , , configMap, secret] = kubectlCaptures
      .slice(0, 6)
      .map((c) => decodeProtobufObject(Buffer.from(c.body, "base64")));
    assert.equal((deployment?.spec as { replicas: unknown }).replicas, 0);
    const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80, ...Buffer.from("binary\n")]);
    assert.deepEqual(configMap?.binaryData, { bin: binary.toString("base64") });
    assert.equal((secret?.data as Record<string, string>).bin, binary.toString("base64"));
  });
});
