/**
 * Binding (core/v1): the body of a pod's `binding` subresource, through which the scheduler assigns a
 * pod to a node. It is never stored: the server sets the pod's spec.nodeName from its target.
 */
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineType, f } from "../../schema.js";
import { notSupported, required, root } from "../../validation.js";
import { ObjectReference } from "./reference-types.js";

/** The group, version and kind of a Binding. */
export const BINDING_KIND = { group: "", version: "v1", kind: "Binding" } as const;

/** What a pod is bound to: a Node, by name. */
export interface BindingTarget {
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface Binding extends KubeObject {
  target: BindingTarget;
}

defineType({
  name: "io.k8s.api.core.v1.Binding",
  description: "Ties one object to another, such as a pod to the node the scheduler picked.",
  gvk: BINDING_KIND,
  fields: {
    ...objectFields(),
    target: f(ObjectReference, 2, "The object to bind to.", { required: true }),
  },
});

/** Problems with a pod binding: the target must name a node (kind Node or empty). */
export function validatePodBinding(binding: Binding): FieldError[] {
  const errors: FieldError[] = [];
  const target = root("target");
  const kind = binding.target.kind ?? "";
  if (kind !== "" && kind !== "Node") {
    errors.push(notSupported(target.child("kind"), kind, ["Node", "<empty>"]));
  }
  if (!binding.target.name) errors.push(required(target.child("name")));
  return errors;
}
