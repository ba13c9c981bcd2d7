/** Server-side handling of object metadata on create and update: names, uids, timestamps, generation. */
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../../api/meta/types.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { deepEqual } from "../../util/deep-equal.js";

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** A generated name: the prefix plus five random characters, as upstream generates them. */
export function generateName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return `${prefix.slice(0, 58)}${suffix}`;
}

let lastSecond = NaN;
let lastStamp = "";

/** An RFC 3339 timestamp with second precision, as metav1.Time serialises. */
export function timestamp(date = new Date()): string {
  // Writes come in bursts within one second: the text of the last second is kept.
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastStamp = date.toISOString().replace(/\.\d{3}Z$/, "Z");
    lastSecond = second;
  }
  return lastStamp;
}

/** Sets the fields the server owns on a new object. */
export function prepareMetaForCreate(def: ResourceDefinition, obj: KubeObject, now: Date): void {
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (def.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/** Carries over the metadata an update may not change, and counts a changed desired state in generation. */
export function prepareMetaForUpdate(
  def: ResourceDefinition,
  obj: KubeObject,
  old: KubeObject,
): void {
  const meta = obj.metadata;
  const was = old.metadata;
  for (const field of [
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
  ] as const) {
    if (was[field] === undefined) delete meta[field];
    else (meta as Record<string, unknown>)[field] = was[field];
  }
  delete meta.selfLink;
  if (!def.tracksGeneration) {
    if (was.generation === undefined) delete meta.generation;
    else meta.generation = was.generation;
    return;
  }
  meta.generation = (was.generation ?? 1) + (specChanged(obj, old) ? 1 : 0);
}

/** Whether anything but metadata and status differs: the desired state that generation counts. */
export function specChanged(obj: KubeObject, old: KubeObject): boolean {
  return !deepEqual(desired(obj), desired(old));
}

function desired(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}
