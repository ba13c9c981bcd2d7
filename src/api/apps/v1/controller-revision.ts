/**
 * ControllerRevision (apps/v1): an immutable snapshot of a StatefulSet's or DaemonSet's template,
 * kept so that the controller can roll back to it.
 */
import { ageColumn } from "../../columns.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { any, defineType, f, int64 } from "../../schema.js";
import { immutable, required, root } from "../../validation.js";
import { validateNonNegative } from "./workload.js";

/** A ControllerRevision as stored and served. */
export interface ControllerRevision extends KubeObject {
  /** The serialized state, usually a patch of the owner's template. */
  data?: unknown;
  revision?: number;
}

defineType({
  name: "io.k8s.api.apps.v1.ControllerRevision",
  description: "An immutable snapshot of a controller's state, numbered for rollback.",
  gvk: { group: "apps", version: "v1", kind: "ControllerRevision" },
  fields: {
    ...objectFields(),
    data: f(any(), 2, "The serialized state this revision records."),
    revision: f(int64(), 3, "The revision number of the state in data.", { required: true }),
  },
});

function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errors: FieldError[] = [];
  if (cr.data === undefined || cr.data === null)
    errors.push(required(root("data"), "data is mandatory"));
  errors.push(...validateNonNegative(cr.revision ?? 0, root("revision")));
  return errors;
}

/**
 * The CONTROLLER cell: the controlling owner as `kind.group/name` in lower case
 * (`statefulset.apps/web`), or `<none>`.
 */
export function controllerOf(obj: KubeObject): string {
  const owner = obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
  if (!owner) return "<none>";
  const apiVersion = typeof owner.apiVersion === "string" ? owner.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const kind = group ? `${owner.kind ?? ""}.${group}` : (owner.kind ?? "");
  return `${kind.toLowerCase()}/${owner.name}`;
}

/** The resource definition of apps/v1 ControllerRevision. */
export const controllerRevisions = defineResource<ControllerRevision>({
  group: "apps",
  version: "v1",
  kind: "ControllerRevision",
  plural: "controllerrevisions",
  singular: "controllerrevision",
  namespaced: true,
  schema: "io.k8s.api.apps.v1.ControllerRevision",
  columns: [
    {
      name: "Controller",
      type: "string",
      description: "The controller that owns this revision.",
      priority: 0,
      cell: controllerOf,
    },
    {
      name: "Revision",
      type: "string",
      description: "The revision number.",
      priority: 0,
      cell: (cr) => cr.revision ?? 0,
    },
    ageColumn(),
  ],
  validate: validateControllerRevision,
  validateUpdate: (cr, old) =>
    sameValue(cr.data, old.data) ? [] : [immutable(root("data"), cr.data ?? null)],
});
