/**
 * The parameters of Kubernetes REST operations, with our own descriptions: the path parameters, the
 * list and watch parameters, and those of writes and deletes. Only parameters the server handles
 * are listed (plus `pretty`, a formatting hint that every server may ignore).
 */

/** One parameter of an operation or a path. */
export interface ParameterSpec {
  readonly name: string;
  readonly in: "path" | "query";
  readonly description: string;
  readonly type: "string" | "integer" | "boolean";
  readonly required?: boolean;
}

const q = (name: string, type: ParameterSpec["type"], description: string): ParameterSpec => ({
  name,
  in: "query",
  type,
  description,
});

/** The parameters of operations and paths, by name. */
export const P = {
  name: {
    name: "name",
    in: "path",
    type: "string",
    required: true,
    description: "Name of the object.",
  },
  namespace: {
    name: "namespace",
    in: "path",
    type: "string",
    required: true,
    description: "Namespace of the objects; each namespace is a separate scope of names.",
  },
  pretty: q("pretty", "string", "If 'true', the output is indented."),
  allowWatchBookmarks: q(
    "allowWatchBookmarks",
    "boolean",
    "Whether a watch may send BOOKMARK events, which carry only a resourceVersion to resume from.",
  ),
  continue: q(
    "continue",
    "string",
    "The continue token of the previous page of a paged list; the list goes on from there at the same resourceVersion.",
  ),
  fieldSelector: q(
    "fieldSelector",
    "string",
    "Only objects whose fields match, such as metadata.name=web; every kind supports metadata.name and metadata.namespace.",
  ),
  labelSelector: q("labelSelector", "string", "Only objects whose labels match, such as app=web."),
  limit: q(
    "limit",
    "integer",
    "Largest number of objects to return; when more remain, the list's metadata.continue fetches the next page.",
  ),
  resourceVersion: q(
    "resourceVersion",
    "string",
    "The revision a read is served at or a watch starts after; 0 means any revision the server has.",
  ),
  resourceVersionMatch: q(
    "resourceVersionMatch",
    "string",
    "How resourceVersion applies to a list: Exact or NotOlderThan.",
  ),
  sendInitialEvents: q(
    "sendInitialEvents",
    "boolean",
    "Whether a watch starts with ADDED events for the current objects, ended by a BOOKMARK; needs resourceVersionMatch=NotOlderThan.",
  ),
  timeoutSeconds: q("timeoutSeconds", "integer", "Seconds after which a list or watch ends."),
  watch: q("watch", "boolean", "Whether to watch changes instead of listing the objects."),
  dryRun: q(
    "dryRun",
    "string",
    "All runs every step of the request but persists nothing; no other value is accepted.",
  ),
  fieldManager: q(
    "fieldManager",
    "string",
    "Name of the actor making the change, recorded in metadata.managedFields; at most 128 characters.",
  ),
  fieldValidation: q(
    "fieldValidation",
    "string",
    "What to do with unknown or duplicate fields in the body: Ignore drops them, Warn drops them and answers with a Warning header for each, Strict refuses the request.",
  ),
  force: q(
    "force",
    "boolean",
    "Whether an apply takes over fields other managers own instead of failing with a conflict; only for apply patches.",
  ),
  gracePeriodSeconds: q(
    "gracePeriodSeconds",
    "integer",
    "Seconds before the object is deleted; 0 deletes at once, unset takes the kind's default.",
  ),
  orphanDependents: q(
    "orphanDependents",
    "boolean",
    "Deprecated; use propagationPolicy. True orphans the dependents.",
  ),
  propagationPolicy: q(
    "propagationPolicy",
    "string",
    "What happens to dependents: Orphan, Background or Foreground.",
  ),
} satisfies Record<string, ParameterSpec>;

/** The parameters of list and watch operations. */
export const LIST_PARAMS: readonly ParameterSpec[] = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
/** The parameters of create and replace operations. */
export const WRITE_PARAMS: readonly ParameterSpec[] = [P.dryRun, P.fieldManager, P.fieldValidation];
/** The parameters of patch operations: those of writes plus `force` for apply. */
export const PATCH_PARAMS: readonly ParameterSpec[] = [...WRITE_PARAMS, P.force];
/** The parameters of deleting one object. */
export const DELETE_PARAMS: readonly ParameterSpec[] = [
  P.dryRun,
  P.gracePeriodSeconds,
  P.orphanDependents,
  P.propagationPolicy,
];
/** The parameters of deleting every object a selection matches. */
export const DELETE_COLLECTION_PARAMS: readonly ParameterSpec[] = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];
