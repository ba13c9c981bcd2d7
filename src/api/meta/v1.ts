/** Schemas of meta/v1 (io.k8s.apimachinery.pkg.apis.meta.v1): object and list metadata, selectors. */
import type { Field } from "../schema.js";
import {
  boolean,
  defineType,
  f,
  int64,
  keyedList,
  list,
  map,
  any,
  set,
  string,
  stringMap,
  time,
} from "../schema.js";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

export const OwnerReference = defineType({
  name: `${META}.OwnerReference`,
  description:
    "Identifies an object that owns this one; the owner's deletion may delete its dependents.",
  mapType: "atomic",
  fields: {
    apiVersion: f(string(), 5, "API version of the owner.", { required: true }),
    kind: f(string(), 1, "Kind of the owner.", { required: true }),
    name: f(string(), 3, "Name of the owner.", { required: true }),
    uid: f(string(), 4, "UID of the owner.", { required: true }),
    controller: f(boolean(), 6, "True if the owner is the managing controller.", { pointer: true }),
    blockOwnerDeletion: f(
      boolean(),
      7,
      "If true, the owner cannot be deleted from storage before this dependent is removed (foreground deletion).",
      { pointer: true },
    ),
  },
});

export const ManagedFieldsEntry = defineType({
  name: `${META}.ManagedFieldsEntry`,
  description: "The set of fields one manager owns, and the operation that set them.",
  fields: {
    manager: f(string(), 1, "Name of the workflow managing these fields."),
    operation: f(string(), 2, "The operation that caused this entry: Apply or Update."),
    apiVersion: f(string(), 3, "Version of the resource the fields were set through."),
    time: f(time(), 4, "When these fields were last changed.", { pointer: true }),
    fieldsType: f(string(), 6, "Format of fieldsV1; only FieldsV1 exists."),
    fieldsV1: f(any(), 7, "The owned fields, as a trie of field paths."),
    subresource: f(string(), 8, "The subresource the fields were written through, if any."),
  },
});

export const ObjectMeta = defineType({
  name: `${META}.ObjectMeta`,
  description:
    "Metadata every persisted object has: identity, labels, annotations, owners and lifecycle.",
  fields: {
    name: f(
      string(),
      1,
      "Unique name within a namespace; required on create unless generateName is set.",
    ),
    generateName: f(
      string(),
      2,
      "Prefix from which the server generates a unique name when name is empty.",
    ),
    namespace: f(
      string(),
      3,
      "The namespace the object lives in; empty for cluster-scoped objects.",
    ),
    selfLink: f(string(), 4, "Deprecated and always empty."),
    uid: f(
      string(),
      5,
      "Unique identifier of this object for its whole lifetime, set by the server.",
    ),
    resourceVersion: f(
      string(),
      6,
      "Opaque version of this object, changed on every write; used for optimistic concurrency and watches.",
    ),
    generation: f(
      int64(),
      7,
      "Sequence number of changes to the desired state, set by the server.",
    ),
    creationTimestamp: f(time(), 8, "When the object was created, set by the server."),
    deletionTimestamp: f(
      time(),
      9,
      "When the object will be deleted; set when deletion is requested and finalizers or a grace period remain.",
      { pointer: true },
    ),
    deletionGracePeriodSeconds: f(int64(), 10, "Seconds allowed for graceful termination.", {
      pointer: true,
    }),
    labels: f(stringMap(), 11, "Key/value pairs used to organise and select objects."),
    annotations: f(stringMap(), 12, "Unstructured key/value data stored with the object."),
    ownerReferences: f(
      keyedList(OwnerReference, ["uid"], { mergeKey: "uid" }),
      13,
      "Objects this one depends on; when all owners are gone the object is garbage collected.",
    ),
    finalizers: f(
      set(string(), "merge"),
      14,
      "Conditions that must be cleared before the object is removed from storage.",
    ),
    managedFields: f(
      list(ManagedFieldsEntry),
      17,
      "Which manager owns which fields; maintained by the server for server-side apply.",
    ),
  },
});

export const ListMeta = defineType({
  name: `${META}.ListMeta`,
  description: "Metadata of a list: the revision it was read at and how to fetch the next page.",
  fields: {
    selfLink: f(string(), 1, "Deprecated and always empty."),
    resourceVersion: f(string(), 2, "The revision the list was read at."),
    continue: f(string(), 3, "Token to fetch the next page, when the list was truncated by limit."),
    remainingItemCount: f(int64(), 4, "How many items remain after this page, when known.", {
      pointer: true,
    }),
  },
});

export const LabelSelectorRequirement = defineType({
  name: `${META}.LabelSelectorRequirement`,
  description: "A requirement on one label key: an operator and the values it relates to.",
  fields: {
    key: f(string(), 1, "The label key the requirement applies to.", { required: true }),
    operator: f(string(), 2, "One of In, NotIn, Exists and DoesNotExist.", { required: true }),
    values: f(
      list(string()),
      3,
      "Values for In and NotIn; must be empty for Exists and DoesNotExist.",
    ),
  },
});

export const LabelSelector = defineType({
  name: `${META}.LabelSelector`,
  description: "A label query; requirements are ANDed, and an empty selector matches everything.",
  mapType: "atomic",
  fields: {
    matchLabels: f(stringMap(), 1, "Labels that must all have exactly these values."),
    matchExpressions: f(
      list(LabelSelectorRequirement),
      2,
      "Further requirements, all of which must hold.",
    ),
  },
});

export const Condition = defineType({
  name: `${META}.Condition`,
  description: "One aspect of an object's current state.",
  fields: {
    type: f(string(), 1, "Type of condition, in CamelCase.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    observedGeneration: f(int64(), 3, "The generation the condition was set for."),
    lastTransitionTime: f(time(), 4, "When the condition last changed status.", { required: true }),
    reason: f(string(), 5, "Programmatic reason for the last transition, in CamelCase.", {
      required: true,
    }),
    message: f(string(), 6, "Human-readable details of the transition.", { required: true }),
  },
});

/** Free-form map of string to any JSON, for the rare fields that hold one. */
export const anyMap = (): ReturnType<typeof map> => map(any());

/** The fields every top-level kind starts with: apiVersion, kind and metadata. */
export function objectFields(): Record<string, Field> {
  return {
    apiVersion: f(string(), undefined, "Versioned schema of this representation of the object."),
    kind: f(string(), undefined, "The REST resource this object represents, in CamelCase."),
    metadata: f(ObjectMeta, 1, "Standard object metadata."),
  };
}
