import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { decodeFrames, encodeFrame, GrpcClient, GrpcError, isGrpcCode } from "./grpc.js";

test("encodeFrame() prefixes a zero flag and the big-endian length", () => {
  assert.equal(encodeFrame(Buffer.from("hi")).toString("hex"), "00000000026869");
  assert.equal(encodeFrame(new Uint8Array(0)).toString("hex"), "0000000000");
});

test("decodeFrames() splits messages and refuses compressed or truncated frames", () => {
  const two = Buffer.concat([encodeFrame(Buffer.from("a")), encodeFrame(Buffer.from("bc"))]);
  assert.deepEqual(
    decodeFrames(two).map((b) => b.toString()),
    ["a", "bc"],
  );
  assert.deepEqual(decodeFrames(Buffer.alloc(0)), []);
  assert.throws(() => decodeFrames(Buffer.from("01000000016161", "hex")), /compressed/);
  assert.throws(() => decodeFrames(Buffer.from("000000000261", "hex")), /truncated message/);
  assert.throws(() => decodeFrames(Buffer.from("0000", "hex")), /truncated prefix/);
});

/** A gRPC server on a unix socket whose answers the test decides. */
async function withServer(
  handler: (
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    body: Buffer,
  ) => void,
  fn: (socket: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "kates-grpc-"));
  const socket = path.join(dir, "s.sock");
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => handler(stream, headers, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    await fn(socket);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

test("GrpcClient.unary() sends gRPC headers and a framed request, and returns the answer", async () => {
  let seen: http2.IncomingHttpHeaders = {};
  let seenBody: Buffer = Buffer.alloc(0);
  await withServer(
    (stream, headers, body) => {
      seen = headers;
      seenBody = body;
      stream.respond(
        { ":status": 200, "content-type": "application/grpc" },
        { waitForTrailers: true },
      );
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(encodeFrame(Buffer.from("pong")));
    },
    async (socket) => {
      const client = new GrpcClient(socket);
      const res = await client.unary("/t.S/Ping", Buffer.from("ping"), { timeoutMs: 5000 });
      assert.equal(res.toString(), "pong");
      client.close();
    },
  );
  assert.equal(seen[":path"], "/t.S/Ping");
  assert.equal(seen[":method"], "POST");
  assert.equal(seen["content-type"], "application/grpc");
  assert.equal(seen["te"], "trailers");
  assert.equal(seen["grpc-timeout"], "5000m");
  assert.equal(seenBody.toString("hex"), encodeFrame(Buffer.from("ping")).toString("hex"));
});

test("GrpcClient.unary() turns a non-OK status into a GrpcError, in trailers or trailers-only", async () => {
  let call = 0;
  await withServer(
    (stream) => {
      call++;
      if (call === 1) {
        stream.respond(
          { ":status": 200, "content-type": "application/grpc" },
          { waitForTrailers: true },
        );
        stream.on("wantTrailers", () =>
          stream.sendTrailers({
            "grpc-status": "5",
            "grpc-message": "sandbox%20%22x%22 not found",
          }),
        );
        stream.end();
      } else {
        stream.respond(
          {
            ":status": 200,
            "content-type": "application/grpc",
            "grpc-status": "12",
            "grpc-message": "nope",
          },
          { endStream: true },
        );
      }
    },
    async (socket) => {
      const client = new GrpcClient(socket);
      const err = await client.unary("/t.S/A", Buffer.alloc(0)).catch((e: unknown) => e);
      assert.ok(err instanceof GrpcError);
      assert.equal(err.code, 5);
      assert.equal(err.codeName, "NOT_FOUND");
      assert.equal(err.details, 'sandbox "x" not found');
      assert.match(err.message, /Cannot call \/t.S\/A: NOT_FOUND: sandbox "x" not found/);

      const err2 = await client.unary("/t.S/B", Buffer.alloc(0)).catch((e: unknown) => e);
      assert.ok(isGrpcCode(err2, 12));
      client.close();
    },
  );
});

test("GrpcClient.unary() reports a missing server as UNAVAILABLE and a silent one as DEADLINE_EXCEEDED", async () => {
  const client = new GrpcClient("/nonexistent/kates-test.sock");
  const err = await client.unary("/t.S/A", Buffer.alloc(0)).catch((e: unknown) => e);
  assert.ok(isGrpcCode(err, 14), String(err));
  client.close();

  await withServer(
    () => {
      // Never answers.
    },
    async (socket) => {
      const c = new GrpcClient(socket);
      const e = await c
        .unary("/t.S/Slow", Buffer.alloc(0), { timeoutMs: 200 })
        .catch((x: unknown) => x);
      assert.ok(isGrpcCode(e, 4), String(e));
      c.close();
    },
  );
});
