/**
 * The main thread's side of a SqliteBackend's worker thread (sqlite-worker.ts): starts it, sends requests
 * in batches, matches the replies, and notices when the thread dies. Requests made during one microtask
 * checkpoint go in one message unless the caller asks for them to go at once.
 */

import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { StorageError } from "../backend.js";
import type { OpenReply, Reply, ReplyValues, Request, WorkerInit } from "./protocol.js";
import { rebuildError } from "./protocol.js";
import { workerExecArgv } from "../../util/worker-options.js";
import type { StoredState, SyncMode } from "./schema.js";

const WORKER_URL = new URL("./sqlite-worker.js", import.meta.url);
// Starting a thread, loading the driver and waiting out a busy lock takes well under a second; a thread
// that has not answered by then did not start at all (a broken install, say).
const OPEN_TIMEOUT_MS = 15_000;

/** A request waiting for its reply, or for the message that will carry it. */
interface Pending {
  req: Request;
  resolve: (value: never) => void;
  reject: (err: unknown) => void;
}

/** A started SQLite worker thread and the requests it has yet to answer. */
export class WorkerClient {
  readonly #path: string;
  readonly #thread: Worker;
  readonly #port: MessagePort;
  readonly #onFailure: (err: StorageError) => void;
  #outbox: Pending[] = [];
  /** One entry per posted message, oldest first: the requests its reply answers. */
  readonly #posted: Pending[][] = [];
  #unanswered = 0;
  #failure: StorageError | undefined;
  /** Set once the worker has closed the database: its thread ending is then no failure. */
  #closed = false;

  /**
   * Starts a worker on the database at `path` and blocks until it has opened it, so that opening stays
   * synchronous; throws the worker's StorageError if it cannot. `onFailure` hears once if the thread dies
   * before close(); every request then pending rejects with the same error.
   */
  static open(
    path: string,
    sync: SyncMode,
    onFailure: (err: StorageError) => void,
  ): { client: WorkerClient; state: StoredState } {
    const { port1, port2 } = new MessageChannel();
    const opened = new Int32Array(new SharedArrayBuffer(4));
    const init: WorkerInit = { path, sync, port: port2, opened };
    const thread = new Worker(WORKER_URL, {
      workerData: init,
      transferList: [port2],
      execArgv: workerExecArgv(),
    });
    thread.unref();

    const reply = waitForOpen(port1, opened);
    if (reply?.ok)
      return { client: new WorkerClient(path, thread, port1, onFailure), state: reply.state };

    // The worker reported (or, on timeout, will report) its failure here; it is thrown below instead.
    thread.on("error", () => {});
    void thread.terminate();
    port1.close();
    if (!reply) {
      throw new StorageError(
        `Cannot open storage at ${path}: its worker thread did not start within ${OPEN_TIMEOUT_MS} ms`,
      );
    }
    throw rebuildError(reply.error, `Cannot open storage at ${path}`);
  }

  private constructor(
    path: string,
    thread: Worker,
    port: MessagePort,
    onFailure: (err: StorageError) => void,
  ) {
    this.#path = path;
    this.#thread = thread;
    this.#port = port;
    this.#onFailure = onFailure;
    port.on("message", (replies: Reply[]) => this.#answer(replies));
    port.unref();
    thread.on("error", (err) => this.#die(`it failed: ${err.message}`, err));
    thread.on("messageerror", (err) => this.#die(`a reply was unreadable: ${err.message}`, err));
    thread.on("exit", (code) => this.#die(`its thread exited with code ${code}`));
  }

  /**
   * Sends `req` and resolves with its reply value; rejects with a StorageError (or the named error the
   * worker threw). With `now`, posts at once, together with anything queued before it.
   */
  call<R extends Request>(req: R, now = false): Promise<ReplyValues[R["op"]]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#outbox.push({ req, resolve, reject });
      if (this.#unanswered++ === 0) this.#port.ref();
      if (now) this.#post();
      else if (this.#outbox.length === 1) queueMicrotask(() => this.#post());
    });
  }

  /** Closes the database after every request already made, then ends the thread. */
  async close(): Promise<void> {
    if (this.#failure) return;
    try {
      await this.call({ op: "close" }, true);
    } catch (err) {
      // A death meanwhile was already reported through onFailure; a failed close is the caller's.
      if (!this.#failure) throw err;
    } finally {
      this.#closed = true;
      await this.#thread.terminate();
    }
  }

  /** Ends the thread abruptly, as a crash would; tests use it to check what pending work sees. */
  async kill(): Promise<void> {
    await this.#thread.terminate();
  }

  #post(): void {
    if (this.#outbox.length === 0) return;
    const batch = this.#outbox;
    this.#outbox = [];
    this.#posted.push(batch);
    this.#port.postMessage(batch.map((p) => p.req));
  }

  #answer(replies: Reply[]): void {
    const pending = this.#posted.shift();
    if (!pending || pending.length !== replies.length) {
      this.#die("its replies did not match the requests");
      return;
    }
    this.#unanswered -= pending.length;
    if (this.#unanswered === 0) this.#port.unref();
    pending.forEach((p, i) => {
      const reply = replies[i] as Reply;
      if (reply.ok) p.resolve(reply.value as never);
      else p.reject(rebuildError(reply.error, this.#failed(p.req)));
    });
  }

  #die(reason: string, cause?: Error): void {
    if (this.#failure || this.#closed) return;
    this.#failure = new StorageError(
      `The SQLite worker of ${this.#path} stopped: ${reason}`,
      cause ? { cause } : {},
    );
    const pending = [...this.#posted.flat(), ...this.#outbox];
    this.#posted.length = 0;
    this.#outbox = [];
    this.#unanswered = 0;
    this.#port.close();
    void this.#thread.terminate();
    for (const p of pending) p.reject(this.#failure);
    this.#onFailure(this.#failure);
  }

  /** The start of the message of a SQLite error, naming what failed. */
  #failed(req: Request): string {
    if (req.op === "commit") return `Cannot commit ${req.writes.length} writes to ${this.#path}`;
    return `Cannot ${req.op === "compact" ? "compact" : "read"} storage at ${this.#path}`;
  }
}

/** Blocks until the worker's open reply arrives; undefined after OPEN_TIMEOUT_MS. */
function waitForOpen(port: MessagePort, opened: Int32Array): OpenReply | undefined {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received) return received.message as OpenReply;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    Atomics.wait(opened, 0, 0, left);
  }
}
