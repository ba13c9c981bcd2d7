/**
 * Interplay with client-side apply, which keeps the last applied configuration in an annotation:
 * when kubectl switches an object to server-side apply, the fields it applied before (and that
 * still hold those values) are its to take, and while the annotation exists kubectl's server-side
 * applies keep it current, so a later client-side apply computes the right patch.
 */
import type { KubeObject } from "../../api/meta/types.js";
import { compareObjects, isObject } from "./compare.js";
import { readConfig } from "./config-set.js";
import { goJson, type FieldSet } from "./field-set.js";
import type { StructNode } from "./shape.js";

/** The annotation in which `kubectl apply` records the configuration it last applied. */
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * The fields the live object's last-applied annotation names and still holds with the same
 * values: conflicts on these do not stop kubectl's server-side apply. Undefined when there is no
 * usable annotation (missing, not JSON, another version, or not of this kind's shape).
 */
export function allowedByLastApplied(
  root: StructNode,
  live: KubeObject | undefined,
  apiVersion: string,
  ignoreStatus: boolean,
): FieldSet | undefined {
  const text = live?.metadata.annotations?.[LAST_APPLIED];
  if (typeof text !== "string" || text === "" || live === undefined) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined; // An unreadable annotation grants nothing, as upstream ignores it.
  }
  if (!isObject(last) || last.apiVersion !== apiVersion) return undefined;
  const read = readConfig(root, last, ignoreStatus);
  if (read.errors.length > 0) return undefined;
  const change = compareObjects(root, last, live, ignoreStatus);
  read.set.subtract(change.touched);
  read.set.subtract(change.removed);
  return read.set;
}

/**
 * Rewrites the annotation of `obj`, when it has one, to the configuration kubectl just applied
 * (without the annotation itself), encoded as kubectl encodes it.
 */
export function syncLastApplied(obj: KubeObject, config: Readonly<Record<string, unknown>>): void {
  const annotations = obj.metadata.annotations;
  if (annotations === undefined || !annotations[LAST_APPLIED]) return;
  let applied: Record<string, unknown> = config;
  const meta = config.metadata;
  if (
    isObject(meta) &&
    isObject(meta.annotations) &&
    Object.hasOwn(meta.annotations, LAST_APPLIED)
  ) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
    applied = { ...config, metadata: { ...meta, annotations: rest } };
  }
  annotations[LAST_APPLIED] = goJson(applied) + "\n";
}
