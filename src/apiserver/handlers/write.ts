/** Writes: POST (create), PUT (update), PATCH, DELETE and DELETE of a collection, for any kind. */
import { StatusError, isNotFound } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { apiVersionOf, type ResourceDefinition } from "../../api/resource.js";
import { ref } from "../../api/schema.js";
import { defaultManager } from "../apply/index.js";
import { checkObjectFields, checkPatchFields } from "../field-validation/check.js";
import {
  strictObjectError,
  strictPatchError,
  strictWarnings,
  type CheckedPatchType,
} from "../field-validation/messages.js";
import { parseFieldValidation, type FieldValidation } from "../field-validation/mode.js";
import { decodeBody, decodeObject, isYaml, mediaType, readBody } from "../http/body.js";
import { addWarnings, writeJson } from "../http/respond.js";
import { applyJsonPatch, PatchError } from "../patch/json-patch.js";
import { applyMergePatch } from "../patch/merge-patch.js";
import { applyStrategicMergePatch } from "../patch/strategic-merge.js";
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from "../protobuf/index.js";
import type { UpdateFunc, WriteOptions } from "../registry/store.js";
import { APPLY_PATCH, applyObject, checkForce } from "./apply.js";
import type { RequestContext, ResourceContext } from "./context.js";
import { checkWriteParams, parseDeleteOptions, parseSelection } from "./params.js";
import { copyJson } from "../../util/json-copy.js";

/** The options of a write from its query, with the field manager the request names or implies. */
export function writeOptions(ctx: RequestContext): WriteOptions {
  const params = checkWriteParams(ctx.query);
  const fieldManager = params.fieldManager ?? defaultManager(ctx.req.headers["user-agent"]);
  return { ...params, fieldManager, user: ctx.user };
}

/** Checks the type of a body against the endpoint: kind and apiVersion may be omitted but not differ. */
export function checkTypeMeta(def: ResourceDefinition, body: Record<string, unknown>): KubeObject {
  const apiVersion = apiVersionOf(def);
  if (body["apiVersion"] !== undefined && body["apiVersion"] !== apiVersion) {
    throw StatusError.badRequest(
      `the API version in the data (${String(body["apiVersion"])}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (body["kind"] !== undefined && body["kind"] !== def.kind) {
    throw StatusError.badRequest(
      `the kind in the data (${String(body["kind"])}) does not match the expected kind (${def.kind})`,
    );
  }
  const metadata = body["metadata"] ?? {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw StatusError.badRequest("metadata must be an object");
  }
  return { ...body, apiVersion, kind: def.kind, metadata } as KubeObject;
}

/** Refuses a body whose namespace differs from the URL's, as upstream does with a 400. */
function checkNamespace(ctx: ResourceContext, obj: KubeObject): void {
  const ns = obj.metadata.namespace;
  if (ctx.def.namespaced && ns && ns !== ctx.info.namespace) {
    throw StatusError.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
}

/** A decoded request body, with its text where field validation needs to see duplicate keys. */
export interface DecodedBody {
  obj: Record<string, unknown>;
  text: string;
  format: "json" | "yaml" | "protobuf";
}

/** Reads and decodes the object a request carries (JSON, YAML or protobuf). */
export async function readObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  return (await readDecoded(ctx)).obj;
}

async function readDecoded(ctx: RequestContext): Promise<DecodedBody> {
  const contentType = ctx.req.headers["content-type"];
  const body = await readBody(ctx.req);
  const type = mediaType(contentType);
  if (type === PROTOBUF_MEDIA_TYPE) {
    return { obj: decodeProtobufObject(body), text: "", format: "protobuf" };
  }
  const text = body.toString("utf8");
  return { obj: decodeObject(text, contentType), text, format: isYaml(type) ? "yaml" : "json" };
}

/**
 * Checks a create or update body for unknown and duplicate fields, removing unknown ones: Strict
 * refuses the request, Warn answers with Warning headers, Ignore says nothing.
 */
function checkBodyFields(ctx: ResourceContext, body: DecodedBody, mode: FieldValidation): void {
  // Protobuf has no duplicate keys, and its decoder keeps only the fields the schema knows.
  if (body.format === "protobuf") return;
  const errors = checkObjectFields({
    obj: body.obj,
    body: body.text,
    contentType: body.format,
    schemaName: ctx.def.schema,
    mode,
  });
  report(ctx, errors, mode, () => strictObjectError(errors, ctx.def, body.obj));
}

function report(
  ctx: RequestContext,
  errors: string[],
  mode: FieldValidation,
  strict: () => StatusError,
): void {
  if (errors.length === 0) return;
  if (mode === "Strict") throw strict();
  addWarnings(ctx.res, strictWarnings(errors));
}

/** POST to a collection. */
export async function createObject(ctx: ResourceContext): Promise<void> {
  const opts = writeOptions(ctx);
  const mode = parseFieldValidation(ctx.query.get("fieldValidation"), "CreateOptions");
  if (ctx.def.namespaced && !ctx.info.namespace) {
    throw StatusError.methodNotAllowed(
      `the server does not allow creating ${ctx.def.plural} without a namespace in the path`,
    );
  }
  const body = await readDecoded(ctx);
  checkBodyFields(ctx, body, mode);
  const obj = checkTypeMeta(ctx.def, body.obj);
  checkNamespace(ctx, obj);
  const created = await ctx.store.create(ctx.info.namespace, obj, opts);
  writeJson(ctx.res, 201, created.json);
}

/** PUT of an object or its status. */
export async function updateObject(ctx: ResourceContext): Promise<void> {
  const opts = writeOptions(ctx);
  const mode = parseFieldValidation(ctx.query.get("fieldValidation"), "UpdateOptions");
  const body = await readDecoded(ctx);
  checkBodyFields(ctx, body, mode);
  const obj = checkTypeMeta(ctx.def, body.obj);
  checkNamespace(ctx, obj);
  const { namespace, name, subresource } = ctx.info;
  try {
    const updated = await ctx.store.update(namespace, name, () => copyJson(obj), {
      ...opts,
      subresource,
    });
    writeJson(ctx.res, 200, updated.json);
  } catch (err) {
    if (!isNotFound(err) || !ctx.def.allowCreateOnUpdate || subresource) throw err;
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw StatusError.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    delete obj.metadata.resourceVersion;
    writeJson(ctx.res, 201, (await ctx.store.create(namespace, obj, opts)).json);
  }
}

const PATCH_TYPES: Record<string, CheckedPatchType> = {
  "application/merge-patch+json": "merge-patch",
  "application/json-patch+json": "json-patch",
  "application/strategic-merge-patch+json": "strategic-merge-patch",
};

/**
 * The function that applies a PATCH body (merge, JSON or strategic merge patch) to an object of
 * schema type `schemaName`, checking the result's fields as `fieldValidation` asks.
 */
export async function patchFunction(
  ctx: RequestContext,
  schemaName: string,
): Promise<(target: KubeObject) => KubeObject> {
  const mode = parseFieldValidation(ctx.query.get("fieldValidation"), "PatchOptions");
  const type = PATCH_TYPES[mediaType(ctx.req.headers["content-type"])];
  if (!type) throw unsupportedPatch(ctx);
  const text = (await readBody(ctx.req)).toString("utf8");
  const patch = decodeBody(text, "application/json");
  if (
    type !== "json-patch" &&
    (patch === null || typeof patch !== "object" || Array.isArray(patch))
  ) {
    throw StatusError.badRequest(`A ${type.replace("-", " ")} must be a JSON object`);
  }
  const schema = ref(schemaName);
  return (target) => {
    let patched: unknown;
    try {
      if (type === "merge-patch") patched = applyMergePatch(target, patch);
      else if (type === "json-patch") patched = applyJsonPatch(target, patch);
      else patched = applyStrategicMergePatch(target, patch, schema);
    } catch (err) {
      if (err instanceof PatchError) throw patchStatus(err);
      throw err;
    }
    if (patched === null || typeof patched !== "object" || Array.isArray(patched)) {
      throw StatusError.badRequest("The patched object is not an object");
    }
    const errors = checkPatchFields({ type, patch: text, patched, schemaName, mode });
    report(ctx, errors, mode, () => strictPatchError(errors, { type, patch, patched }));
    return patched as KubeObject;
  };
}

function unsupportedPatch(ctx: RequestContext): StatusError {
  const type = mediaType(ctx.req.headers["content-type"]);
  return new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type || "none"})`,
  );
}

/** The Status of a patch that cannot be applied: malformed (400), failed (422) or too large (413). */
function patchStatus(err: PatchError): StatusError {
  if (err.kind === "invalid") return StatusError.badRequest(err.message);
  if (err.kind === "tooLarge") return new StatusError(413, "RequestEntityTooLarge", err.message);
  return new StatusError(422, "Invalid", err.message);
}

/** PATCH of an object or its status. */
export async function patchObject(ctx: ResourceContext): Promise<void> {
  const opts = writeOptions(ctx);
  if (mediaType(ctx.req.headers["content-type"]) === APPLY_PATCH) return applyObject(ctx, opts);
  checkForce(ctx.query);
  const apply = await patchFunction(ctx, ctx.def.schema);
  const { namespace, name, subresource } = ctx.info;
  const update: UpdateFunc = (current) =>
    checkTypeMeta(ctx.def, apply(current) as unknown as Record<string, unknown>);
  writeJson(
    ctx.res,
    200,
    (await ctx.store.update(namespace, name, update, { ...opts, subresource })).json,
  );
}

async function readDeleteBody(ctx: ResourceContext): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(ctx.req);
  if (body.length === 0) return undefined;
  return decodeObject(body, ctx.req.headers["content-type"] ?? "application/json");
}

/** DELETE of one object. */
export async function deleteObject(ctx: ResourceContext): Promise<void> {
  const body = await readDeleteBody(ctx);
  const options = parseDeleteOptions(body, ctx.query);
  const opts = writeOptions(ctx);
  if (options.dryRun) opts.dryRun = true;
  const { object, deleted } = await ctx.store.delete(
    ctx.info.namespace,
    ctx.info.name,
    options,
    opts,
  );
  if (!deleted || ctx.def.returnDeletedObject) {
    writeJson(ctx.res, 200, object.json);
    return;
  }
  writeJson(ctx.res, 200, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name: ctx.info.name,
      group: ctx.def.group,
      kind: ctx.def.plural,
      uid: object.obj.metadata.uid,
    },
  });
}

/** DELETE of a collection: every object the selectors match, one by one. */
export async function deleteCollection(ctx: ResourceContext): Promise<void> {
  const body = await readDeleteBody(ctx);
  const options = parseDeleteOptions(body, ctx.query);
  const opts = writeOptions(ctx);
  if (options.dryRun) opts.dryRun = true;
  const selection = parseSelection(ctx.def, ctx.query);
  const listed = await ctx.store.list(
    ctx.info.namespace,
    selection.predicate ? { predicate: selection.predicate } : {},
  );
  const items: KubeObject[] = [];
  for (const entry of listed.items) {
    const { namespace = "", name = "" } = entry.obj.metadata;
    try {
      items.push((await ctx.store.delete(namespace, name, options, opts)).object.obj);
    } catch (err) {
      // Deleted by someone else meanwhile: that is what was asked.
      if (!isNotFound(err)) throw err;
    }
  }
  writeJson(ctx.res, 200, {
    kind: `${ctx.def.kind}List`,
    apiVersion: apiVersionOf(ctx.def),
    metadata: { resourceVersion: String(ctx.store.revision) },
    items,
  });
}
