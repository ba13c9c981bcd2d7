/**
 * Watch: a chunked stream of newline-delimited JSON events (`{"type":"ADDED","object":{…}}`) served from
 * the watch cache, with resourceVersion semantics, bookmarks, timeouts, in-stream 410 Expired, and
 * objects entering or leaving a selector reported as ADDED or DELETED.
 */
import type { KubeObject } from "../../api/meta/types.js";
import { apiVersionOf } from "../../api/resource.js";
import { StatusError } from "../../api/errors.js";
import { negotiate } from "../http/respond.js";
import { isTrue } from "../request-info.js";
import { objectKey, scopePrefix } from "../registry/keys.js";
import { parseRevision } from "../registry/store.js";
import type { CacheEvent, CachedObject, CacheWatcher } from "../registry/watch-cache.js";
import { parseIncludeObject, toTable } from "../table.js";
import type { ResourceContext } from "./context.js";
import { intParam, parseSelection } from "./params.js";

/** How often a watch with bookmarks allowed gets one. */
const BOOKMARK_INTERVAL_MS = 30_000;
/** Watches without timeoutSeconds end after a random time in [MIN, 2×MIN), as upstream spreads them. */
const MIN_WATCH_SECONDS = 1800;
/** A watcher whose socket has this much unsent data is too slow and is closed; it will re-watch. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Serves a watch request until the client goes away or the timeout passes. */
export async function watchObjects(ctx: ResourceContext): Promise<void> {
  const { def, store, res, query } = ctx;
  const representation = negotiate(ctx.req.headers.accept);
  const include = parseIncludeObject(query.get("includeObject"));
  const selection = parseSelection(def, query);
  const bookmarks = isTrue(query.get("allowWatchBookmarks"));
  const timeoutSeconds =
    intParam(query, "timeoutSeconds") || MIN_WATCH_SECONDS * (1 + Math.random());
  const rvParam = query.get("resourceVersion") ?? "";
  const sendInitial = query.get("sendInitialEvents");
  const initialEvents =
    sendInitial === null ? rvParam === "" || rvParam === "0" : isTrue(sendInitial);
  if (sendInitial !== null && query.get("resourceVersionMatch") !== "NotOlderThan") {
    throw StatusError.badRequest("sendInitialEvents requires resourceVersionMatch=NotOlderThan");
  }

  const cache = store.cache;
  const prefix = scopePrefix(def, ctx.info.namespace);
  const onlyKey =
    selection.name !== undefined ? objectKey(def, ctx.info.namespace, selection.name) : undefined;
  const inScope = (entry: CachedObject): boolean =>
    (onlyKey === undefined || entry.key === onlyKey) && entry.key.startsWith(prefix);
  const matches = (obj: KubeObject): boolean => !selection.predicate || selection.predicate(obj);

  if (rvParam === "") await store.sync();
  const startRevision = rvParam === "" || rvParam === "0" ? undefined : parseRevision(rvParam);

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Transfer-Encoding": "chunked",
    "Cache-Control": "no-cache",
  });
  res.flushHeaders();

  let closed = false;
  let firstTable = true;
  let lastRevision = startRevision ?? 0;
  const kind = def.kind;
  const apiVersion = apiVersionOf(def);

  const writeLine = (line: string): void => {
    if (closed) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const send = (type: string, entry: CachedObject): void => {
    if (representation === "table") {
      const table = toTable(def, [entry.obj], { include, withColumns: firstTable });
      firstTable = false;
      writeLine(`{"type":"${type}","object":${JSON.stringify(table)}}\n`);
      return;
    }
    writeLine(`{"type":"${type}","object":${entry.json}}\n`);
  };
  const sendBookmark = (revision: number, annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (annotations) metadata["annotations"] = annotations;
    writeLine(`${JSON.stringify({ type: "BOOKMARK", object: { kind, apiVersion, metadata } })}\n`);
  };

  const deliver = (event: CacheEvent): void => {
    if (event.revision <= lastRevision || !inScope(event.object)) return;
    lastRevision = event.revision;
    const now = event.type !== "DELETED" && matches(event.object.obj);
    const before = event.prev !== undefined && matches(event.prev.obj);
    if (event.type === "ADDED") {
      if (now) send("ADDED", event.object);
    } else if (event.type === "DELETED") {
      if (before || matches(event.object.obj)) send("DELETED", event.object);
    } else if (now && before) send("MODIFIED", event.object);
    else if (now) send("ADDED", event.object);
    else if (before) send("DELETED", event.object);
  };
  let progressRevision = 0;
  const watcher: CacheWatcher = {
    deliver,
    progress: (revision) => {
      progressRevision = revision;
    },
  };

  // Replay what the client has not seen, then follow live changes; nothing can interleave because the
  // cache only changes between turns of the event loop.
  if (startRevision === undefined || initialEvents) {
    const revision = store.revision;
    if (initialEvents) {
      for (const entry of cache.range(prefix)) {
        if (inScope(entry) && matches(entry.obj)) send("ADDED", entry);
      }
    }
    lastRevision = revision;
    if (sendInitial !== null && bookmarks)
      sendBookmark(revision, { "k8s.io/initial-events-end": "true" });
  } else {
    const events = cache.eventsAfter(startRevision);
    if (!events) {
      const status = StatusError.expired(
        `too old resource version: ${startRevision} (${cache.windowStart})`,
      ).status;
      res.end(`${JSON.stringify({ type: "ERROR", object: status })}\n`);
      return;
    }
    for (const event of events) deliver(event);
  }
  cache.addWatcher(watcher);

  let bookmarkTimer: NodeJS.Timeout | undefined;
  if (bookmarks) {
    bookmarkTimer = setInterval(() => {
      const revision = Math.max(lastRevision, progressRevision);
      lastRevision = revision;
      sendBookmark(revision);
    }, BOOKMARK_INTERVAL_MS);
  }
  const timeout = setTimeout(() => finish(), timeoutSeconds * 1000);

  function finish(): void {
    if (closed) return;
    closed = true;
    cache.removeWatcher(watcher);
    clearTimeout(timeout);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    res.end();
  }
  res.on("close", finish);
  await new Promise<void>((resolve) => res.on("close", resolve));
}
