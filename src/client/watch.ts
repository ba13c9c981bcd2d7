/**
 * Watch streams: one long GET with `watch=1` whose chunked body is newline-delimited JSON events.
 * Events are parsed as lines complete, whatever the chunk boundaries; a stream ends when the server
 * closes it (its timeout), when stopped, or with an error when the connection is lost.
 */
import type { IncomingMessage } from "node:http";
import type { Status } from "../api/errors.js";
import type { KubeObject } from "../api/meta/types.js";
import { ApiError } from "./api-error.js";

/** Options of a watch. */
export interface WatchOptions {
  namespace?: string;
  /** Where to start: events after this revision; empty or "0" start with the current objects as ADDED. */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** The server ends the watch after this many seconds. */
  timeoutSeconds?: number;
  /** Ask for BOOKMARK events; true by default. */
  allowWatchBookmarks?: boolean;
  /** Aborting stops the stream, as `stop()` does. */
  signal?: AbortSignal;
}

/** An object change (or a bookmark, or an in-stream error) as a watch delivers it. */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  | { type: "BOOKMARK"; object: KubeObject }
  | { type: "ERROR"; object: Status };

/** A running watch: iterate it once for its events; `stop()` ends the iteration without an error. */
export interface WatchStream<T extends KubeObject = KubeObject> extends AsyncIterable<
  WatchEvent<T>
> {
  stop(): void;
}

/** Opens the HTTP stream of a watch request. */
export type StreamOpener = (path: string, signal: AbortSignal) => Promise<IncomingMessage>;

/** Starts a watch of `collectionPath` through `open`; the request is sent on the first iteration. */
export function openWatch<T extends KubeObject>(
  open: StreamOpener,
  collectionPath: string,
  opts: WatchOptions,
): WatchStream<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  opts.signal?.addEventListener("abort", stop, { once: true });
  if (opts.signal?.aborted) stop();

  const query = new URLSearchParams({ watch: "1" });
  if (opts.resourceVersion !== undefined) query.set("resourceVersion", opts.resourceVersion);
  if (opts.allowWatchBookmarks ?? true) query.set("allowWatchBookmarks", "true");
  if (opts.timeoutSeconds !== undefined) query.set("timeoutSeconds", String(opts.timeoutSeconds));
  if (opts.labelSelector) query.set("labelSelector", opts.labelSelector);
  if (opts.fieldSelector) query.set("fieldSelector", opts.fieldSelector);
  const path = `${collectionPath}?${query}`;

  async function* events(): AsyncGenerator<WatchEvent<T>> {
    if (controller.signal.aborted) return;
    let res: IncomingMessage;
    try {
      res = await open(path, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return;
      throw err;
    }
    try {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        throw ApiError.fromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString());
      }
      res.setEncoding("utf8");
      const lines = new LineSplitter();
      for await (const chunk of res) {
        for (const line of lines.push(chunk as string)) yield parseEvent<T>(line);
      }
      const last = lines.end();
      if (last !== undefined) yield parseEvent<T>(last);
      if (!res.complete && !controller.signal.aborted) {
        throw new Error(`Watch of ${collectionPath} ended before the server finished it`);
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err instanceof ApiError || (err as Error).message.startsWith("Watch of")) throw err;
      throw new Error(`Watch of ${collectionPath} lost its connection: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      opts.signal?.removeEventListener("abort", stop);
      res.destroy();
    }
  }

  const iterator = events();
  return {
    [Symbol.asyncIterator]: () => iterator,
    stop,
  };
}

/** Splits text arriving in arbitrary pieces into complete lines (without their newline). */
export class LineSplitter {
  #partial = "";

  /** The lines that `text` completes; blank lines are skipped. */
  push(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const piece = text.slice(start, nl);
      const line = this.#partial === "" ? piece : this.#partial + piece;
      this.#partial = "";
      if (line.trim() !== "") lines.push(line);
      start = nl + 1;
    }
    if (start < text.length) this.#partial += text.slice(start);
    return lines;
  }

  /** The last line when the text did not end with a newline. */
  end(): string | undefined {
    const rest = this.#partial;
    this.#partial = "";
    return rest.trim() === "" ? undefined : rest;
  }
}

/** Parses one event line; throws naming the line when it is not an event. */
export function parseEvent<T extends KubeObject>(line: string): WatchEvent<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new Error(`Cannot parse watch event ${line.slice(0, 200)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const event = value as { type?: unknown; object?: unknown };
  const known = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"];
  if (typeof event.type !== "string" || !known.includes(event.type)) {
    throw new Error(`Cannot use watch event ${line.slice(0, 200)}: unknown type`);
  }
  if (typeof event.object !== "object" || event.object === null) {
    throw new Error(`Cannot use watch event ${line.slice(0, 200)}: no object`);
  }
  return event as WatchEvent<T>;
}
