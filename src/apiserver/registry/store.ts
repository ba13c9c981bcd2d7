/**
 * The generic store: create, read, update, delete, list and watch for any kind, over a storage backend and
 * the watch cache. HTTP knows nothing of storage; this knows nothing of HTTP.
 */
import { StatusError } from "../../api/errors.js";
import type { DeleteOptions, KubeObject } from "../../api/meta/types.js";
import { apiVersionOf, type ResourceDefinition } from "../../api/resource.js";
import {
  validateObjectMeta,
  validateObjectMetaUpdate,
  forbidden,
  root,
} from "../../api/validation.js";
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type Backend,
} from "../../storage/backend.js";
import { deepEqual } from "../../util/deep-equal.js";
import type { Admission, AdmissionAttributes } from "../admission/admission.js";
import type { UserInfo } from "../auth/authenticator.js";
import { recordUpdate } from "../apply/index.js";
import { decodeContinue, encodeContinue } from "./continue-token.js";
import { defaultGcPolicy, finalizersOnDelete } from "./gc-policy.js";
import { objectKey, scopePrefix } from "./keys.js";
import {
  generateName,
  prepareMetaForCreate,
  prepareMetaForUpdate,
  timestamp,
} from "./object-meta.js";
import { CachedObject, encodeObject, withResourceVersion } from "./codec.js";
import { decodeStored, type ResourceCache, type WatchCache } from "./watch-cache.js";
import { copyJson } from "../../util/json-copy.js";

/** Options every write takes. */
export interface WriteOptions {
  dryRun: boolean;
  user: UserInfo;
  /** Who makes the write, for managedFields; the server's own name when absent. */
  fieldManager?: string;
  /** The write set managedFields itself (server-side apply), so it is not recorded as an Update. */
  managedFieldsSet?: boolean;
}

/** The field manager of writes the server makes itself (the initial namespaces and Service). */
const SERVER_MANAGER = "kates-apiserver";

export interface ListOptions {
  /** Keeps only objects for which this holds (label and field selectors). */
  predicate?: (obj: KubeObject) => boolean;
  /** When a field selector pins the name, only that object is looked at. */
  name?: string;
  limit?: number;
  continue?: string;
  /** `""` for the latest state, `"0"` for whatever the cache holds, or a revision to be at least as new as. */
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: CachedObject[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

/** Builds the next state of an object from its current state; throws a StatusError to refuse. */
export type UpdateFunc = (current: KubeObject) => KubeObject | Promise<KubeObject>;

/** How many times a write retries after losing a compare-and-swap race to another writer. */
const MAX_RETRIES = 8;

export class Store {
  readonly def: ResourceDefinition;
  readonly #backend: Backend;
  readonly #watchCache: WatchCache;
  readonly #cache: ResourceCache;
  readonly #admission: Admission;
  readonly #qr: { group: string; resource: string };
  readonly #apiVersion: string;

  constructor(
    def: ResourceDefinition,
    backend: Backend,
    watchCache: WatchCache,
    admission: Admission,
  ) {
    this.def = def;
    this.#backend = backend;
    this.#watchCache = watchCache;
    this.#cache = watchCache.resource(scopePrefix(def, ""));
    this.#admission = admission;
    this.#qr = { group: def.group, resource: def.plural };
    this.#apiVersion = apiVersionOf(def);
  }

  get cache(): ResourceCache {
    return this.#cache;
  }

  /** The revision of the last change the cache has applied, across all resources. */
  get revision(): number {
    return this.#watchCache.revision;
  }

  /** Waits until the cache holds every write storage has acknowledged. */
  sync(): Promise<void> {
    return this.#watchCache.sync();
  }

  /** The latest state of one object. */
  async get(namespace: string, name: string): Promise<CachedObject> {
    await this.#watchCache.sync();
    const found = this.#cache.get(objectKey(this.def, namespace, name));
    if (!found) throw StatusError.notFound(this.#qr, name);
    return found;
  }

  /** Lists objects in `namespace` (all namespaces for ""), in key order, honouring limit and continue. */
  async list(namespace: string, opts: ListOptions = {}): Promise<ListResult> {
    const prefix = scopePrefix(this.def, namespace);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const keep = opts.predicate ?? (() => true);

    const match = opts.resourceVersionMatch ?? "";
    if (match !== "" && match !== "NotOlderThan" && match !== "Exact") {
      throw StatusError.badRequest(
        `Unsupported resourceVersionMatch ${JSON.stringify(match)}: use NotOlderThan or Exact`,
      );
    }
    if (match && !opts.resourceVersion) {
      throw StatusError.badRequest(
        "resourceVersionMatch is forbidden unless resourceVersion is provided",
      );
    }
    if (match && opts.continue) {
      throw StatusError.badRequest("resourceVersionMatch is forbidden when continue is provided");
    }
    if (opts.continue) return this.#listFromStorage(prefix, opts.continue, limit, keep);
    if (match === "Exact") {
      if (opts.resourceVersion === "0") {
        throw StatusError.badRequest(
          "resourceVersionMatch=Exact is forbidden with resourceVersion=0",
        );
      }
      // An exact past revision is history the cache does not hold: read it from storage.
      const revision = parseRevision(opts.resourceVersion!);
      return this.#listFromStorage(prefix, encodeContinue({ revision, start: "" }), limit, keep);
    }

    await this.#waitForListRevision(opts.resourceVersion);
    const revision = this.#watchCache.revision;
    const items: CachedObject[] = [];
    if (opts.name !== undefined) {
      const one = this.#cache.get(objectKey(this.def, namespace, opts.name));
      if (one && one.key.startsWith(prefix) && keep(one.obj)) items.push(one);
      return { items, revision };
    }
    let seen = 0;
    for (const entry of this.#cache.range(prefix)) {
      if (limit && items.length === limit) {
        const result: ListResult = {
          items,
          revision,
          continue: encodeContinue({ revision, start: entry.key.slice(prefix.length) }),
        };
        // Upstream reports the count only when it is exact, that is for lists without selectors.
        if (!opts.predicate) result.remainingItemCount = this.#countUnder(prefix) - seen;
        return result;
      }
      seen++;
      if (keep(entry.obj)) items.push(entry);
    }
    return { items, revision };
  }

  #countUnder(prefix: string): number {
    if (!this.def.namespaced || prefix === scopePrefix(this.def, "")) return this.#cache.size;
    let n = 0;
    for (const _ of this.#cache.range(prefix)) n++;
    return n;
  }

  async #waitForListRevision(resourceVersion: string | undefined): Promise<void> {
    if (resourceVersion === "0") return;
    if (!resourceVersion) {
      await this.#watchCache.sync();
      return;
    }
    const wanted = parseRevision(resourceVersion);
    try {
      await this.#watchCache.waitForRevision(wanted);
    } catch {
      throw StatusError.timeout(
        `Too large resource version: ${wanted}, current: ${this.#watchCache.revision}`,
      );
    }
  }

  /** Later pages of a list are read from storage at the first page's revision. */
  async #listFromStorage(
    prefix: string,
    token: string,
    limit: number,
    keep: (obj: KubeObject) => boolean,
  ): Promise<ListResult> {
    const { revision, start } = decodeContinue(token);
    const items: CachedObject[] = [];
    let startKey = prefix + start;
    for (;;) {
      let page;
      try {
        page = await this.#backend.list(prefix, {
          revision,
          startKey,
          limit: limit ? limit + 1 : 0,
        });
      } catch (err) {
        if (err instanceof CompactedError) {
          throw StatusError.expired(
            `The revision ${revision} of this list is compacted (a continue token or resourceVersion that is too old); start a new list without it.`,
          );
        }
        if (err instanceof FutureRevisionError) {
          throw StatusError.timeout(
            `Too large resource version: ${revision}, current: ${this.#watchCache.revision}`,
          );
        }
        throw err;
      }
      for (const kv of page.items) {
        if (limit && items.length === limit) {
          return {
            items,
            revision,
            continue: encodeContinue({ revision, start: kv.key.slice(prefix.length) }),
          };
        }
        const entry = decodeStored(kv);
        if (keep(entry.obj)) items.push(entry);
      }
      const last = page.items[page.items.length - 1];
      if (!page.more || !last) return { items, revision };
      startKey = last.key + "\0";
    }
  }

  /** Creates an object in `namespace` from a decoded body. Returns it as stored (or as it would be, for dry runs). */
  async create(namespace: string, obj: KubeObject, opts: WriteOptions): Promise<CachedObject> {
    const def = this.def;
    const meta = obj.metadata;
    if (meta.resourceVersion) {
      throw StatusError.badRequest(
        "metadata.resourceVersion must not be set on objects to be created",
      );
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (def.namespaced) meta.namespace = namespace;

    def.defaults?.(obj);
    prepareMetaForCreate(def, obj, new Date());
    if (def.statusSubresource && !def.keepStatusOnCreate) delete obj["status"];
    def.prepareForCreate?.(obj);
    const attrs = this.#attrs("CREATE", namespace, meta.name ?? "", obj, undefined, opts);
    await this.#admission.admit(attrs);
    if (!opts.managedFieldsSet) this.#recordUpdate(undefined, obj, opts, undefined);

    const errors = [...validateObjectMeta(obj.metadata, def), ...(def.validate?.(obj) ?? [])];
    if (errors.length) throw StatusError.invalid(def, meta.name ?? meta.generateName ?? "", errors);
    await this.#admission.validate(attrs);

    const key = objectKey(def, namespace, meta.name!);
    if (opts.dryRun) return unstored(key, obj);
    try {
      return await this.#written(key, obj, (value) => this.#backend.create(key, value));
    } catch (err) {
      if (err instanceof KeyExistsError) throw StatusError.alreadyExists(this.#qr, meta.name!);
      throw err;
    }
  }

  /**
   * Replaces an object with what `update` builds from its current state, retrying when another writer got
   * there first. `update` sees the latest state on each attempt and throws to refuse (for instance when the
   * caller's resourceVersion is stale). Writes nothing when the result equals the current state.
   */
  async update(
    namespace: string,
    name: string,
    update: UpdateFunc,
    opts: WriteOptions & { subresource?: string },
  ): Promise<CachedObject> {
    const key = objectKey(this.def, namespace, name);
    await this.#watchCache.sync();
    let current = this.#cache.get(key);
    for (let attempt = 0; ; attempt++) {
      if (!current) throw StatusError.notFound(this.#qr, name);
      const next = await this.#prepareUpdate(namespace, name, current, update, opts);
      if (unchanged(next, current.obj)) return current;
      if (opts.dryRun) return unstored(key, next);
      try {
        if (this.#finalized(next)) {
          await this.#backend.delete(key, current.revision);
          return unstored(key, next);
        }
        const revision = current.revision;
        return await this.#written(key, next, (value) =>
          this.#backend.update(key, value, revision),
        );
      } catch (err) {
        if (err instanceof RevisionMismatchError && attempt < MAX_RETRIES) {
          current = decodeStored(err.current);
          continue;
        }
        if (err instanceof KeyNotFoundError) throw StatusError.notFound(this.#qr, name);
        if (err instanceof RevisionMismatchError) throw StatusError.staleObject(this.#qr, name);
        throw err;
      }
    }
  }

  async #prepareUpdate(
    namespace: string,
    name: string,
    current: CachedObject,
    update: UpdateFunc,
    opts: WriteOptions & { subresource?: string },
  ): Promise<KubeObject> {
    const def = this.def;
    const old = current.obj;
    let next = await update(copyJson(old));
    const meta = next.metadata ?? (next.metadata = {});
    if (meta.name !== undefined && meta.name !== name) {
      throw StatusError.badRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
      );
    }
    if (meta.namespace && def.namespaced && meta.namespace !== namespace) {
      throw StatusError.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw StatusError.staleObject(this.#qr, name);
    }
    meta.name = name;
    if (def.namespaced) meta.namespace = namespace;
    else delete meta.namespace;

    const status = opts.subresource === "status";
    // The finalize subresource (namespaces) changes spec.finalizers only; its handler builds that state.
    const finalize = opts.subresource === "finalize";
    // A pod's binding sets spec.nodeName and a status condition, built by its handler; as upstream's
    // BindingREST, the write skips the pod's update strategy and validation.
    const binding = opts.subresource === "binding";
    if (status) {
      // A status write changes status only; everything else stays as stored.
      next = { ...copyJson(old), status: next["status"] };
    } else if (def.statusSubresource && !binding) {
      if (old["status"] === undefined) delete next["status"];
      else next["status"] = copyJson(old["status"]);
    }
    def.defaults?.(next);
    prepareMetaForUpdate(def, next, old);
    if (binding) next.metadata.generation = old.metadata.generation!;
    if (status) def.prepareForStatusUpdate?.(next, old);
    else if (!finalize && !binding) def.prepareForUpdate?.(next, old);
    const attrs = this.#attrs("UPDATE", namespace, name, next, old, opts, opts.subresource ?? "");
    await this.#admission.admit(attrs);
    if (!opts.managedFieldsSet) this.#recordUpdate(old, next, opts, opts.subresource);

    const errors = [
      ...validateObjectMetaUpdate(next.metadata, old.metadata, def),
      ...(binding
        ? []
        : status
          ? ((def.validateStatusUpdate ?? def.validate)?.(next, old) ?? [])
          : [...(def.validate?.(next) ?? []), ...(def.validateUpdate?.(next, old) ?? [])]),
      ...finalizerErrors(next, old),
    ];
    if (errors.length) throw StatusError.invalid(def, name, errors);
    await this.#admission.validate(attrs);
    return next;
  }

  /** Gives the fields a write changed to its manager in `next.metadata.managedFields`. */
  #recordUpdate(
    live: KubeObject | undefined,
    next: KubeObject,
    opts: WriteOptions,
    subresource: string | undefined,
  ): void {
    recordUpdate({
      live,
      updated: next,
      manager: opts.fieldManager ?? SERVER_MANAGER,
      apiVersion: this.#apiVersion,
      ...(subresource ? { subresource } : {}),
      now: timestamp(),
      schema: this.def.schema,
    });
  }

  /** Whether an object marked for deletion has nothing left to wait for, so an update removes it. */
  #finalized(obj: KubeObject): boolean {
    const meta = obj.metadata;
    if (!meta.deletionTimestamp || meta.finalizers?.length || meta.deletionGracePeriodSeconds)
      return false;
    return !(this.def.deferDeletion?.(obj) ?? false);
  }

  /**
   * Deletes an object. With finalizers, a grace period, or a kind that defers deletion (namespaces), the
   * object only gets its deletionTimestamp and stays until those are done; the result says which.
   */
  async delete(
    namespace: string,
    name: string,
    options: DeleteOptions,
    opts: WriteOptions,
  ): Promise<{ object: CachedObject; deleted: boolean }> {
    const key = objectKey(this.def, namespace, name);
    await this.#watchCache.sync();
    let current = this.#cache.get(key);
    for (let attempt = 0; ; attempt++) {
      if (!current) throw StatusError.notFound(this.#qr, name);
      this.#checkPreconditions(current.obj, options);
      const attrs = this.#attrs("DELETE", namespace, name, undefined, current.obj, opts);
      await this.#admission.validate(attrs);

      const pending = this.#pendingDeletion(current.obj, options);
      try {
        if (pending) {
          if (unchanged(pending, current.obj)) return { object: current, deleted: false };
          if (opts.dryRun) return { object: unstored(key, pending), deleted: false };
          const revision = current.revision;
          const object = await this.#written(key, pending, (v) =>
            this.#backend.update(key, v, revision),
          );
          return { object, deleted: false };
        }
        if (opts.dryRun) return { object: current, deleted: true };
        await this.#backend.delete(key, current.revision);
        return { object: current, deleted: true };
      } catch (err) {
        if (err instanceof RevisionMismatchError && attempt < MAX_RETRIES) {
          current = decodeStored(err.current);
          continue;
        }
        if (err instanceof KeyNotFoundError) throw StatusError.notFound(this.#qr, name);
        throw err;
      }
    }
  }

  #checkPreconditions(obj: KubeObject, options: DeleteOptions): void {
    const pre = options.preconditions;
    if (!pre) return;
    const name = obj.metadata.name ?? "";
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw StatusError.conflict(
        this.#qr,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw StatusError.conflict(
        this.#qr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
      );
    }
  }

  /** The object marked for deletion when it cannot go at once, or undefined to delete it now. */
  #pendingDeletion(obj: KubeObject, options: DeleteOptions): KubeObject | undefined {
    const now = new Date();
    const next = copyJson(obj);
    const meta = next.metadata;
    // The garbage collector's finalizers hold the object until it has dealt with the dependents.
    const gcFinalizers = finalizersOnDelete(
      meta.finalizers,
      options,
      defaultGcPolicy(this.def.group, this.def.kind),
    );
    if (gcFinalizers) meta.finalizers = gcFinalizers;
    const grace = this.def.gracefulDeletion?.(next, options.gracePeriodSeconds) ?? 0;
    if (grace > 0) {
      const previous = meta.deletionGracePeriodSeconds;
      // A repeated delete may shorten the grace period but never lengthen it.
      if (meta.deletionTimestamp && previous !== undefined && previous <= grace) return next;
      meta.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      return next;
    }
    const deferred = this.def.deferDeletion?.(next) ?? false;
    if (meta.finalizers?.length || deferred) {
      this.def.prepareForDeletion?.(next);
      meta.deletionTimestamp ??= timestamp(now);
      meta.deletionGracePeriodSeconds = 0;
      return next;
    }
    return undefined;
  }

  /** Writes `obj` with `write` and returns it as stored, with its new resourceVersion. */
  async #written(
    key: string,
    obj: KubeObject,
    write: (value: string) => Promise<{ revision: number }>,
  ): Promise<CachedObject> {
    const value = encodeObject(obj);
    const { revision } = await write(value);
    obj.metadata.resourceVersion = String(revision);
    return new CachedObject(key, withResourceVersion(value, revision), revision, obj);
  }

  #attrs(
    operation: AdmissionAttributes["operation"],
    namespace: string,
    name: string,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    opts: WriteOptions,
    subresource = "",
  ): AdmissionAttributes {
    const attrs: AdmissionAttributes = {
      operation,
      def: this.def,
      namespace,
      name,
      subresource,
      user: opts.user,
      dryRun: opts.dryRun,
    };
    if (object) attrs.object = object;
    if (oldObject) attrs.oldObject = oldObject;
    return attrs;
  }
}

/** An object that was not stored (a dry run), in the form the handlers answer with. */
function unstored(key: string, obj: KubeObject): CachedObject {
  return new CachedObject(key, JSON.stringify(obj), 0, obj);
}

function unchanged(next: KubeObject, current: KubeObject): boolean {
  const { resourceVersion: _a, managedFields: _b, ...nextMeta } = next.metadata;
  const { resourceVersion: _c, managedFields: _d, ...currentMeta } = current.metadata;
  return deepEqual({ ...next, metadata: nextMeta }, { ...current, metadata: currentMeta });
}

function finalizerErrors(next: KubeObject, old: KubeObject) {
  if (!old.metadata.deletionTimestamp) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  return added.length
    ? [
        forbidden(
          root("metadata").child("finalizers"),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        ),
      ]
    : [];
}

/** Parses a resourceVersion parameter; anything but a non-negative integer is a 400. */
export function parseRevision(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw StatusError.badRequest(
      `Invalid value for resourceVersion: ${JSON.stringify(text)}; it must be an integer`,
    );
  }
  return n;
}
