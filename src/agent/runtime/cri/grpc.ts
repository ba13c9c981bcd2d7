/**
 * A small unary gRPC client over HTTP/2 on a unix socket (what the CRI needs): length-prefixed messages,
 * `application/grpc`, status in the trailers. No compression is offered, so none is accepted.
 */
import http2 from "node:http2";
import net from "node:net";

/** gRPC status codes by number. */
export const GRPC_CODES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

export const GrpcCode = {
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

/** A call that ended with a non-OK gRPC status, or could not reach the server (UNAVAILABLE). */
export class GrpcError extends Error {
  override readonly name = "GrpcError";

  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot call ${method}: ${GRPC_CODES[code] ?? `code ${code}`}: ${details}`, options);
  }

  get codeName(): string {
    return GRPC_CODES[this.code] ?? `code ${this.code}`;
  }
}

/** Whether `err` is a gRPC error with `code`. */
export function isGrpcCode(err: unknown, code: number): boolean {
  return err instanceof GrpcError && err.code === code;
}

/** One message in gRPC's framing: a zero compression flag, a 4-byte big-endian length, the bytes. */
export function encodeFrame(msg: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + msg.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(msg.length, 1);
  frame.set(msg, 5);
  return frame;
}

/** Splits a response body into its messages; refuses compressed or truncated frames. */
export function decodeFrames(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < 5) throw new Error("Cannot decode gRPC frame: truncated prefix");
    const flag = body.readUInt8(pos);
    const len = body.readUInt32BE(pos + 1);
    if (flag !== 0) throw new Error(`Cannot decode gRPC frame: compressed (flag ${flag})`);
    if (body.length - pos - 5 < len) throw new Error("Cannot decode gRPC frame: truncated message");
    out.push(body.subarray(pos + 5, pos + 5 + len));
    pos += 5 + len;
  }
  return out;
}

/** `grpc-message` is percent-encoded. */
function decodeGrpcMessage(raw: string | undefined): string {
  if (!raw) return "";
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape: the raw text still says more than nothing.
    return raw;
  }
}

export interface CallOptions {
  /** Deadline of the call, sent as `grpc-timeout` and enforced here. */
  timeoutMs?: number;
}

/**
 * Unary calls to one gRPC server on a unix socket. The HTTP/2 session is opened on first use and again
 * after it closes (the server restarted), so one client outlives restarts of the server.
 */
export class GrpcClient {
  readonly #socketPath: string;
  #session: http2.ClientHttp2Session | undefined;
  #closed = false;

  constructor(socketPath: string) {
    this.#socketPath = socketPath;
  }

  /** Calls `method` (`/package.Service/Method`) with an encoded request; resolves to the response bytes. */
  unary(method: string, request: Uint8Array, opts: CallOptions = {}): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new GrpcError(method, 1, "client closed"));
    const timeoutMs = opts.timeoutMs ?? 120_000;

    return new Promise<Buffer>((resolve, reject) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.#connect();
      } catch (err) {
        reject(new GrpcError(method, GrpcCode.Unavailable, String(err), { cause: err }));
        return;
      }

      const stream = session.request({
        ":method": "POST",
        ":path": method,
        "content-type": "application/grpc",
        te: "trailers",
        "grpc-timeout": `${Math.max(1, Math.ceil(timeoutMs))}m`,
      });
      const chunks: Buffer[] = [];
      let headers: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      let done = false;
      const finish = (err: Error | undefined, value?: Buffer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value!);
      };
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        finish(new GrpcError(method, GrpcCode.DeadlineExceeded, `no answer in ${timeoutMs} ms`));
      }, timeoutMs);

      stream.on("response", (h) => (headers = h));
      stream.on("trailers", (t) => (trailers = t));
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", (err) =>
        finish(new GrpcError(method, GrpcCode.Unavailable, err.message, { cause: err })),
      );
      stream.on("close", () => {
        if (done) return;
        try {
          finish(undefined, this.#result(method, headers, trailers, Buffer.concat(chunks)));
        } catch (err) {
          finish(err as Error);
        }
      });
      stream.end(encodeFrame(request));
    });
  }

  /** Closes the session; later calls fail with CANCELLED. */
  close(): void {
    this.#closed = true;
    this.#session?.close();
    this.#session = undefined;
  }

  #result(
    method: string,
    headers: http2.IncomingHttpHeaders,
    trailers: http2.IncomingHttpHeaders,
    body: Buffer,
  ): Buffer {
    const httpStatus = Number(headers[":status"] ?? 0);
    // A trailers-only response carries grpc-status in the headers.
    const rawStatus = trailers["grpc-status"] ?? headers["grpc-status"];
    if (rawStatus === undefined) {
      const code = httpStatus === 200 ? GrpcCode.Internal : GrpcCode.Unavailable;
      throw new GrpcError(method, code, `no grpc-status (HTTP ${httpStatus || "none"})`);
    }
    const code = Number(rawStatus);
    if (code !== 0) {
      const msg = decodeGrpcMessage(
        (trailers["grpc-message"] ?? headers["grpc-message"]) as string | undefined,
      );
      throw new GrpcError(method, code, msg);
    }

    let frames: Buffer[];
    try {
      frames = decodeFrames(body);
    } catch (err) {
      throw new GrpcError(method, GrpcCode.Internal, (err as Error).message, { cause: err });
    }
    if (frames.length !== 1)
      throw new GrpcError(method, GrpcCode.Internal, `${frames.length} messages in a unary answer`);
    return frames[0]!;
  }

  #connect(): http2.ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;

    const session = http2.connect("http://localhost", {
      createConnection: () => net.connect(this.#socketPath),
    });
    // Errors surface on the streams; an idle session that fails is simply replaced on the next call.
    session.on("error", () => {});
    session.on("close", () => {
      if (this.#session === session) this.#session = undefined;
    });
    session.on("goaway", () => {
      if (this.#session === session) this.#session = undefined;
    });
    session.unref();
    this.#session = session;
    return session;
  }
}
