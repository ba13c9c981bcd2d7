/** The scale subresource (autoscaling/v1 Scale) of kinds that have replicas. */
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { ResourceDefinition, ScaleSubresource } from "../../api/resource.js";
import {
  labelSelectorFromObject,
  labelSelectorFromSet,
} from "../../api/selectors/label-selector.js";
import { getPath, invalid, root } from "../../api/validation.js";
import { writeJson } from "../http/respond.js";
import type { ResourceContext } from "./context.js";
import { patchFunction, writeOptions } from "./write.js";
import { decodeObject, readBody } from "../http/body.js";

const SCALE_SCHEMA = "io.k8s.api.autoscaling.v1.Scale";

/** The Scale view of an object. */
export function toScale(
  def: ResourceDefinition,
  scale: ScaleSubresource,
  obj: KubeObject,
): Record<string, unknown> {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: getPath(obj, scale.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, scale.statusReplicasPath) ?? 0, selector: selectorOf(obj) },
  };
}

function selectorOf(obj: KubeObject): string {
  const selector = getPath(obj, "spec.selector");
  if (!selector || typeof selector !== "object") return "";
  const s = selector as Record<string, unknown>;
  // apps kinds hold a metav1.LabelSelector; ReplicationControllers hold a plain map of labels.
  if ("matchLabels" in s || "matchExpressions" in s) return labelSelectorFromObject(s).toString();
  return labelSelectorFromSet(s as Record<string, string>).toString();
}

function scaleOf(ctx: ResourceContext): ScaleSubresource {
  const scale = ctx.def.scale;
  if (!scale)
    throw StatusError.notFound(
      { group: ctx.def.group, resource: `${ctx.def.plural}/scale` },
      ctx.info.name,
    );
  return scale;
}

/** GET, PUT and PATCH of `…/scale`. */
export async function handleScale(ctx: ResourceContext): Promise<void> {
  const scale = scaleOf(ctx);
  const { namespace, name } = ctx.info;
  if (ctx.info.verb === "get") {
    const entry = await ctx.store.get(namespace, name);
    writeJson(ctx.res, 200, toScale(ctx.def, scale, entry.obj));
    return;
  }
  const opts = { ...writeOptions(ctx), subresource: "scale" };
  let change: (current: Record<string, unknown>) => Record<string, unknown>;
  if (ctx.info.verb === "update") {
    const body = decodeObject(await readBody(ctx.req), ctx.req.headers["content-type"]);
    change = () => body;
  } else if (ctx.info.verb === "patch") {
    const apply = await patchFunction(ctx, SCALE_SCHEMA);
    change = (current) => apply(current as KubeObject) as Record<string, unknown>;
  } else {
    throw StatusError.methodNotAllowed(
      `${ctx.info.verb} is not supported on the scale subresource`,
    );
  }
  const updated = await ctx.store.update(
    namespace,
    name,
    (current) => {
      const wanted = change(toScale(ctx.def, scale, current));
      const meta = (wanted["metadata"] ?? {}) as Record<string, unknown>;
      if (meta["resourceVersion"] && meta["resourceVersion"] !== current.metadata.resourceVersion) {
        throw StatusError.staleObject({ group: ctx.def.group, resource: ctx.def.plural }, name);
      }
      const replicas = (wanted["spec"] as Record<string, unknown> | undefined)?.["replicas"];
      if (!Number.isInteger(replicas) || (replicas as number) < 0) {
        throw StatusError.invalid({ group: "autoscaling", kind: "Scale" }, name, [
          invalid(root("spec").child("replicas"), replicas, "must be greater than or equal to 0"),
        ]);
      }
      setPath(current, scale.specReplicasPath, replicas);
      return current;
    },
    opts,
  );
  writeJson(ctx.res, 200, toScale(ctx.def, scale, updated.obj));
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== "object") cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}
