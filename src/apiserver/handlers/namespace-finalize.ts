/**
 * The `finalize` subresource of namespaces: a PUT of the Namespace whose only effect is its
 * spec.finalizers, as upstream's namespace FinalizeREST. The namespace controller removes `kubernetes`
 * through it once a terminating namespace is empty; a namespace marked for deletion whose spec.finalizers
 * become empty is then deleted.
 */
import { StatusError } from "../../api/errors.js";
import { writeJson } from "../http/respond.js";
import type { ResourceContext } from "./context.js";
import { checkTypeMeta, readObject, writeOptions } from "./write.js";

/** PUT of `/api/v1/namespaces/{name}/finalize`. */
export async function finalizeNamespace(ctx: ResourceContext): Promise<void> {
  if (ctx.info.verb !== "update") {
    throw StatusError.methodNotAllowed(
      `${ctx.req.method} is not allowed on the finalize subresource`,
    );
  }
  const opts = { ...writeOptions(ctx), subresource: "finalize" };
  const body = checkTypeMeta(ctx.def, await readObject(ctx));
  const spec = body["spec"];
  const finalizers =
    spec && typeof spec === "object" ? (spec as Record<string, unknown>)["finalizers"] : undefined;
  if (finalizers !== undefined && finalizers !== null && !isStringArray(finalizers)) {
    throw StatusError.badRequest("spec.finalizers must be a list of strings");
  }
  const updated = await ctx.store.update(
    ctx.info.namespace,
    ctx.info.name,
    (current) => {
      const rv = body.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw StatusError.staleObject({ group: "", resource: "namespaces" }, ctx.info.name);
      }
      const currentSpec = (current["spec"] ?? {}) as Record<string, unknown>;
      const { finalizers: _old, ...rest } = currentSpec;
      current["spec"] = finalizers ? { ...rest, finalizers } : rest;
      return current;
    },
    opts,
  );
  writeJson(ctx.res, 200, updated.json);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
