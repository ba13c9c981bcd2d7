/** GET of one object and of collections, in every representation a client can ask for. */
import { apiVersionOf } from "../../api/resource.js";
import { negotiate, writeJson } from "../http/respond.js";
import type { CachedObject } from "../registry/watch-cache.js";
import { parseIncludeObject, partialMetadata, toTable } from "../table.js";
import type { ResourceContext } from "./context.js";
import { intParam, parseSelection } from "./params.js";

/** GET of one object. */
export async function getObject(ctx: ResourceContext): Promise<void> {
  const representation = negotiate(ctx.req.headers.accept);
  const include = parseIncludeObject(ctx.query.get("includeObject"));
  const entry = await ctx.store.get(ctx.info.namespace, ctx.info.name);
  switch (representation) {
    case "table":
      writeJson(
        ctx.res,
        200,
        toTable(ctx.def, [entry.obj], {
          include,
          listMeta: { resourceVersion: entry.obj.metadata.resourceVersion ?? "" },
        }),
      );
      return;
    case "partial-metadata":
    case "partial-metadata-list":
      writeJson(ctx.res, 200, partialMetadata(entry.obj));
      return;
    case "object":
      writeJson(ctx.res, 200, entry.json);
  }
}

/** GET of a collection (not a watch). */
export async function listObjects(ctx: ResourceContext): Promise<void> {
  const representation = negotiate(ctx.req.headers.accept);
  const include = parseIncludeObject(ctx.query.get("includeObject"));
  const selection = parseSelection(ctx.def, ctx.query);
  const limit = intParam(ctx.query, "limit");
  const result = await ctx.store.list(ctx.info.namespace, {
    ...(selection.predicate ? { predicate: selection.predicate } : {}),
    ...(selection.name !== undefined ? { name: selection.name } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(ctx.query.get("continue") ? { continue: ctx.query.get("continue")! } : {}),
    resourceVersion: ctx.query.get("resourceVersion") ?? "",
    resourceVersionMatch: ctx.query.get("resourceVersionMatch") ?? "",
  });
  const listMeta: Record<string, unknown> = { resourceVersion: String(result.revision) };
  if (result.continue) listMeta["continue"] = result.continue;
  if (result.remainingItemCount !== undefined)
    listMeta["remainingItemCount"] = result.remainingItemCount;

  switch (representation) {
    case "table":
      writeJson(
        ctx.res,
        200,
        toTable(
          ctx.def,
          result.items.map((e) => e.obj),
          { include, listMeta },
        ),
      );
      return;
    case "partial-metadata":
    case "partial-metadata-list":
      writeJson(ctx.res, 200, {
        kind: "PartialObjectMetadataList",
        apiVersion: "meta.k8s.io/v1",
        metadata: listMeta,
        items: result.items.map((e) => partialMetadata(e.obj)),
      });
      return;
    case "object":
      writeJson(
        ctx.res,
        200,
        listJson(`${ctx.def.kind}List`, apiVersionOf(ctx.def), listMeta, result.items),
      );
  }
}

/** A list serialised by joining the cached JSON of its items, without serialising any item again. */
function listJson(
  kind: string,
  apiVersion: string,
  meta: Record<string, unknown>,
  items: CachedObject[],
): string {
  let out = `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(meta)},"items":[`;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ",";
    out += items[i]!.json;
  }
  return out + "]}";
}
