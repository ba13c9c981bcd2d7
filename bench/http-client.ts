/**
 * A lean keep-alive HTTP/1.1 client for benchmarks, straight on TCP sockets, so that the load generator's
 * own CPU (which shares this 2-core machine with the server) stays small next to the server's, as with
 * wrk. It writes each request as one buffer and reads responses framed by Content-Length or chunked.
 */
import { connect, type Socket } from "node:net";

export interface Response {
  status: number;
  body: string;
}

interface Waiting {
  resolve: (r: Response) => void;
  reject: (err: Error) => void;
}

/** One keep-alive connection with at most one request in flight. */
class Connection {
  readonly socket: Socket;
  #waiting: Waiting | undefined;
  #chunks: Buffer[] = [];
  #length = 0;
  /** Once a response's head is read with a Content-Length: where its body ends in the buffered bytes. */
  #needed = 0;
  #failure: Error | undefined;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on("data", (chunk: Buffer) => {
      // A large body arrives in many chunks: they are joined once it is all there, not chunk by chunk.
      this.#chunks.push(chunk);
      this.#length += chunk.length;
      if (this.#length >= this.#needed) this.#parse();
    });
    const fail = (err: Error): void => {
      this.#failure ??= err;
      const w = this.#waiting;
      this.#waiting = undefined;
      w?.reject(err);
    };
    this.socket.on("error", fail);
    this.socket.on("close", () => fail(new Error("The server closed the connection")));
  }

  /** True once the connection failed or was closed (the server ends idle keep-alive connections). */
  get broken(): boolean {
    return this.#failure !== undefined;
  }

  send(request: Buffer): Promise<Response> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  #parse(): void {
    const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks = [buf];
    const headEnd = buf.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = buf.toString("latin1", 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body: Buffer;
    let rest: Buffer;
    if (length) {
      const end = headEnd + 4 + Number(length[1]);
      if (buf.length < end) {
        this.#needed = end;
        return;
      }
      body = buf.subarray(headEnd + 4, end);
      rest = buf.subarray(end);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = headEnd + 4;
      for (;;) {
        const lineEnd = buf.indexOf("\r\n", at);
        if (lineEnd < 0) return;
        const size = parseInt(buf.toString("latin1", at, lineEnd), 16);
        if (buf.length < lineEnd + 2 + size + 2) return;
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
      rest = buf.subarray(at);
    } else {
      body = Buffer.alloc(0);
      rest = buf.subarray(headEnd + 4);
    }
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    this.#needed = 0;
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.resolve({ status, body: body.toString() });
  }
}

export class BenchClient {
  readonly #host: string;
  readonly #port: number;
  readonly #idle: Connection[] = [];
  readonly #all: Connection[] = [];

  constructor(url: string, sockets: number) {
    const u = new URL(url);
    this.#host = u.hostname;
    this.#port = Number(u.port);
    for (let i = 0; i < sockets; i++) {
      const c = new Connection(this.#host, this.#port);
      this.#all.push(c);
      this.#idle.push(c);
    }
  }

  /** Sends one request on an idle connection; at most as many in flight as the client has sockets. */
  async send(
    method: string,
    path: string,
    body?: string,
    contentType = "application/json",
  ): Promise<Response> {
    let conn = this.#idle.pop();
    if (!conn) throw new Error("More requests in flight than the client has connections");
    if (conn.broken) {
      const fresh = new Connection(this.#host, this.#port);
      this.#all[this.#all.indexOf(conn)] = fresh;
      conn = fresh;
    }
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\n` +
      (body === undefined
        ? "\r\n"
        : `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    try {
      return await conn.send(Buffer.from(body === undefined ? head : head + body));
    } finally {
      this.#idle.push(conn);
    }
  }

  close(): void {
    for (const c of this.#all) c.socket.destroy();
  }
}

/** The value at quantile `q` (0..1) of `values`. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `task(i)` for i in [0, total) with `concurrency` in flight at once. */
export async function runConcurrent(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
