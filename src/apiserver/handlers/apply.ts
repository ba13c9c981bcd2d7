/**
 * Server-side apply: PATCH with `application/apply-patch+yaml`. The applied configuration is merged
 * into the live object by src/apiserver/apply, which also owns the conflict rules; a missing object is
 * created (201). Everything after the merge (defaults, admission, validation, dry runs) is the store's.
 */
import { StatusError, isNotFound } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { apiVersionOf } from "../../api/resource.js";
import { forbidden, required, root } from "../../api/validation.js";
import { applyConfiguration } from "../apply/index.js";
import { checkApplyFields } from "../field-validation/check.js";
import { strictApplyError, strictWarnings } from "../field-validation/messages.js";
import { parseFieldValidation } from "../field-validation/mode.js";
import { decodeBody, readBody } from "../http/body.js";
import { addWarnings, writeJson } from "../http/respond.js";
import { timestamp } from "../registry/object-meta.js";
import type { WriteOptions } from "../registry/store.js";
import type { ResourceContext } from "./context.js";
import { isTrue } from "../request-info.js";

/** The media type of server-side apply bodies (YAML, of which JSON is a subset). */
export const APPLY_PATCH = "application/apply-patch+yaml";

const PATCH_OPTIONS = { group: "meta.k8s.io", kind: "PatchOptions" };

/** PATCH with an applied configuration: update or create the object, owning the applied fields. */
export async function applyObject(ctx: ResourceContext, opts: WriteOptions): Promise<void> {
  const mode = parseFieldValidation(ctx.query.get("fieldValidation"), "PatchOptions");
  const manager = ctx.query.get("fieldManager");
  if (!manager) {
    throw StatusError.invalid(PATCH_OPTIONS, "", [
      required(root("fieldManager"), "is required for apply patch"),
    ]);
  }
  const force = isTrue(ctx.query.get("force"));
  const text = (await readBody(ctx.req)).toString("utf8");
  const errors = checkApplyFields(text, mode);
  if (errors.length > 0) {
    if (mode === "Strict") throw strictApplyError(errors);
    addWarnings(ctx.res, strictWarnings(errors));
  }
  const config = decodeBody(text, APPLY_PATCH);
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw StatusError.badRequest("error decoding YAML: the applied configuration is not an object");
  }
  const applied = config as Record<string, unknown>;
  checkNames(ctx, applied);

  const { namespace, name, subresource } = ctx.info;
  const args = {
    config: applied,
    manager,
    force,
    apiVersion: apiVersionOf(ctx.def),
    schema: ctx.def.schema,
  };
  const writeOpts = { ...opts, fieldManager: manager, managedFieldsSet: true };
  try {
    const updated = await ctx.store.update(
      namespace,
      name,
      (live) => applyConfiguration({ ...args, live, now: timestamp() }),
      { ...writeOpts, subresource },
    );
    writeJson(ctx.res, 200, updated.json);
  } catch (err) {
    if (!isNotFound(err) || subresource) throw err;
    const obj: KubeObject = applyConfiguration({ ...args, live: undefined, now: timestamp() });
    obj.metadata.name = name;
    const created = await ctx.store.create(namespace, obj, writeOpts);
    writeJson(ctx.res, 201, created.json);
  }
}

/** The applied name and namespace, when given, must be the URL's; `force` only goes with apply. */
function checkNames(ctx: ResourceContext, config: Record<string, unknown>): void {
  const meta = config["metadata"];
  if (meta === undefined || meta === null) return;
  if (typeof meta !== "object" || Array.isArray(meta)) {
    throw StatusError.badRequest("metadata must be an object");
  }
  const { name, namespace } = meta as { name?: unknown; namespace?: unknown };
  if (name !== undefined && name !== ctx.info.name) {
    throw StatusError.badRequest(
      `the name of the object (${String(name)}) does not match the name on the URL (${ctx.info.name})`,
    );
  }
  if (ctx.def.namespaced && namespace !== undefined && namespace !== ctx.info.namespace) {
    throw StatusError.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
}

/** The 422 upstream gives a non-apply patch that sets `force`. */
export function checkForce(query: URLSearchParams): void {
  if (query.get("force") !== null) {
    throw StatusError.invalid(PATCH_OPTIONS, "", [
      forbidden(root("force"), "may not be specified for non-apply patch"),
    ]);
  }
}
