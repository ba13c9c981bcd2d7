/**
 * The REST operations of a group-version, laid out as upstream's documents lay them out: a
 * collection path (list, create, delete collection), an object path (read, replace, patch, delete),
 * the status and scale subresources, the list across namespaces, and the deprecated `watch/` paths.
 * Each operation names its Kubernetes action and group-version-kind, which is how clients find, for
 * example, whether a kind's PATCH takes `fieldValidation` (kubectl then validates on the server).
 * Both document dialects are written from this one description.
 */
import { ALL_VERBS, type ResourceDefinition } from "../../api/resource.js";
import { TYPE_NAMES } from "./builtin-types.js";
import { listTypeName, type GroupVersionModel } from "./model.js";
import {
  DELETE_COLLECTION_PARAMS,
  DELETE_PARAMS,
  LIST_PARAMS,
  P,
  PATCH_PARAMS,
  WRITE_PARAMS,
  type ParameterSpec,
} from "./parameters.js";

export type { ParameterSpec } from "./parameters.js";

/** A response of an operation: its code and the named type of its body, if any. */
export interface ResponseSpec {
  readonly code: string;
  readonly description: string;
  readonly type?: string;
}

/** The Kubernetes action of an operation (`x-kubernetes-action`). */
export type Action =
  "get" | "list" | "watch" | "watchlist" | "post" | "put" | "patch" | "delete" | "deletecollection";

/**
 * The request body of an operation: an object of a named type, or a patch in a patch media type.
 */
export interface RequestBody {
  readonly type: string;
  readonly patch: boolean;
  readonly required: boolean;
}

/** One operation of a path. */
export interface OperationSpec {
  readonly method: "get" | "put" | "post" | "delete" | "patch";
  readonly action: Action | undefined;
  readonly operationId: string;
  readonly description: string;
  readonly tag: string;
  readonly parameters: readonly ParameterSpec[];
  readonly body?: RequestBody;
  readonly responses: readonly ResponseSpec[];
  /** Whether the 200 answer may also be a watch stream (list and watch operations). */
  readonly streams: boolean;
  readonly gvk?: { readonly group: string; readonly version: string; readonly kind: string };
}

/** A path and its operations. */
export interface PathSpec {
  readonly path: string;
  readonly parameters: readonly ParameterSpec[];
  readonly operations: readonly OperationSpec[];
}

/** The media types a PATCH accepts, in the order upstream lists them. */
export const PATCH_MEDIA_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
] as const;

const UNAUTHORIZED: ResponseSpec = { code: "401", description: "Unauthorized" };

/**
 * `AppsV1`, `CoreV1`, `EventsV1`, `RbacAuthorizationV1`: the group-version part of operation ids.
 */
export function operationGroupVersion(group: string, version: string): string {
  const name = group === "" ? "core" : group.replace(/\.k8s\.io$/, "");
  const camel = name
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  return camel + version.charAt(0).toUpperCase() + version.slice(1);
}

/** `core_v1`, `apps_v1`, `rbacAuthorization_v1`: the tag of a group-version's operations. */
export function operationTag(group: string, version: string): string {
  const gv = operationGroupVersion(group, version);
  const camel = gv.slice(0, gv.length - version.length);
  return `${camel.charAt(0).toLowerCase()}${camel.slice(1)}_${version}`;
}

/** Every path of a group-version document, resource by resource. */
export function groupVersionPaths(gv: GroupVersionModel): PathSpec[] {
  const prefix = `/${gv.key}`;
  const tag = operationTag(gv.group, gv.version);
  const paths: PathSpec[] = [
    {
      path: `${prefix}/`,
      parameters: [],
      operations: [
        {
          method: "get",
          action: undefined,
          operationId: `get${operationGroupVersion(gv.group, gv.version)}APIResources`,
          description: "The resources of this group-version.",
          tag,
          parameters: [],
          responses: [ok(TYPE_NAMES.resourceList), UNAUTHORIZED],
          streams: false,
        },
      ],
    },
  ];
  for (const def of gv.resources) paths.push(...resourcePaths(def, prefix, tag));
  return paths;
}

function ok(type: string): ResponseSpec {
  return { code: "200", description: "OK", type };
}

function resourcePaths(def: ResourceDefinition, prefix: string, tag: string): PathSpec[] {
  const verbs = new Set(def.verbs ?? ALL_VERBS);
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const gvName = operationGroupVersion(def.group, def.version);
  const scope = def.namespaced ? "Namespaced" : "";
  const base = def.namespaced ? `${prefix}/namespaces/{namespace}` : prefix;
  const scopeParams = def.namespaced ? [P.namespace] : [];
  const objectType = def.schema;
  const listType = listTypeName(def);
  const deleted = def.returnDeletedObject ? objectType : TYPE_NAMES.status;
  const op = (
    method: OperationSpec["method"],
    action: Action,
    id: string,
    description: string,
    rest: Partial<OperationSpec> = {},
  ): OperationSpec => ({
    method,
    action,
    operationId: id,
    description,
    tag,
    parameters: [],
    responses: [],
    streams: false,
    gvk,
    ...rest,
  });
  const objectBody = (type: string): RequestBody => ({ type, patch: false, required: true });
  const patchBody: RequestBody = { type: TYPE_NAMES.patch, patch: true, required: true };
  const writeResponses = (type: string, codes: string[]): ResponseSpec[] => [
    ...codes.map((code) => ({
      code,
      description: code === "201" ? "Created" : code === "202" ? "Accepted" : "OK",
      type,
    })),
    UNAUTHORIZED,
  ];
  const paths: PathSpec[] = [];

  const collection: OperationSpec[] = [];
  if (verbs.has("list")) {
    collection.push(
      op("get", "list", `list${gvName}${scope}${def.kind}`, `List or watch ${def.kind} objects.`, {
        parameters: LIST_PARAMS,
        responses: [ok(listType), UNAUTHORIZED],
        streams: true,
      }),
    );
  }
  if (verbs.has("create")) {
    collection.push(
      op("post", "post", `create${gvName}${scope}${def.kind}`, `Create a ${def.kind}.`, {
        parameters: WRITE_PARAMS,
        body: objectBody(objectType),
        responses: writeResponses(objectType, ["200", "201", "202"]),
      }),
    );
  }
  if (verbs.has("deletecollection")) {
    collection.push(
      op(
        "delete",
        "deletecollection",
        `delete${gvName}Collection${scope}${def.kind}`,
        `Delete the ${def.kind} objects that match the selectors.`,
        {
          parameters: DELETE_COLLECTION_PARAMS,
          body: { type: TYPE_NAMES.deleteOptions, patch: false, required: false },
          responses: [ok(TYPE_NAMES.status), UNAUTHORIZED],
        },
      ),
    );
  }
  if (collection.length > 0) {
    paths.push({
      path: `${base}/${def.plural}`,
      parameters: [...scopeParams, P.pretty],
      operations: collection,
    });
  }

  const object: OperationSpec[] = [];
  if (verbs.has("get")) {
    object.push(
      op("get", "get", `read${gvName}${scope}${def.kind}`, `Read the ${def.kind} of that name.`, {
        responses: [ok(objectType), UNAUTHORIZED],
      }),
    );
  }
  if (verbs.has("update")) {
    object.push(
      op(
        "put",
        "put",
        `replace${gvName}${scope}${def.kind}`,
        `Replace the ${def.kind} of that name.`,
        {
          parameters: WRITE_PARAMS,
          body: objectBody(objectType),
          responses: writeResponses(objectType, ["200", "201"]),
        },
      ),
    );
  }
  if (verbs.has("delete")) {
    object.push(
      op(
        "delete",
        "delete",
        `delete${gvName}${scope}${def.kind}`,
        `Delete the ${def.kind} of that name.`,
        {
          parameters: DELETE_PARAMS,
          body: { type: TYPE_NAMES.deleteOptions, patch: false, required: false },
          responses: writeResponses(deleted, ["200", "202"]),
        },
      ),
    );
  }
  if (verbs.has("patch")) {
    object.push(
      op(
        "patch",
        "patch",
        `patch${gvName}${scope}${def.kind}`,
        `Patch the ${def.kind} of that name.`,
        {
          parameters: PATCH_PARAMS,
          body: patchBody,
          responses: writeResponses(objectType, ["200", "201"]),
        },
      ),
    );
  }
  const objectParams = [P.name, ...scopeParams, P.pretty];
  if (object.length > 0) {
    paths.push({
      path: `${base}/${def.plural}/{name}`,
      parameters: objectParams,
      operations: object,
    });
  }

  const subresources: { name: string; suffix: string; type: string; noun: string }[] = [];
  if (def.scale)
    subresources.push({ name: "scale", suffix: "Scale", type: TYPE_NAMES.scale, noun: "scale" });
  if (def.statusSubresource) {
    subresources.push({ name: "status", suffix: "Status", type: objectType, noun: "status" });
  }
  for (const sub of subresources) {
    const subGvk =
      sub.type === TYPE_NAMES.scale ? { group: "autoscaling", version: "v1", kind: "Scale" } : gvk;
    const id = `${gvName}${scope}${def.kind}${sub.suffix}`;
    const of = `the ${sub.noun} of the ${def.kind} of that name`;
    paths.push({
      path: `${base}/${def.plural}/{name}/${sub.name}`,
      parameters: objectParams,
      operations: [
        op("get", "get", `read${id}`, `Read ${of}.`, {
          responses: [ok(sub.type), UNAUTHORIZED],
          gvk: subGvk,
        }),
        op("put", "put", `replace${id}`, `Replace ${of}.`, {
          parameters: WRITE_PARAMS,
          body: objectBody(sub.type),
          responses: writeResponses(sub.type, ["200", "201"]),
          gvk: subGvk,
        }),
        op("patch", "patch", `patch${id}`, `Patch ${of}.`, {
          parameters: PATCH_PARAMS,
          body: patchBody,
          responses: writeResponses(sub.type, ["200", "201"]),
          gvk: subGvk,
        }),
      ],
    });
  }

  if (def.namespaced && verbs.has("list")) {
    paths.push({
      path: `${prefix}/${def.plural}`,
      parameters: [...LIST_PARAMS, P.pretty],
      operations: [
        op(
          "get",
          "list",
          `list${gvName}${def.kind}ForAllNamespaces`,
          `List or watch ${def.kind} objects in every namespace.`,
          { responses: [ok(listType), UNAUTHORIZED], streams: true },
        ),
      ],
    });
  }
  if (verbs.has("watch")) {
    const watchBase = def.namespaced ? `${prefix}/watch/namespaces/{namespace}` : `${prefix}/watch`;
    const deprecated = "Deprecated: list with watch=true instead";
    const watchParams = [...LIST_PARAMS, P.pretty];
    paths.push(
      {
        path: `${watchBase}/${def.plural}`,
        parameters: [...watchParams, ...scopeParams],
        operations: [
          op(
            "get",
            "watchlist",
            `watch${gvName}${scope}${def.kind}List`,
            `Watch changes to ${def.kind} objects. ${deprecated}.`,
            { responses: [ok(TYPE_NAMES.watchEvent), UNAUTHORIZED], streams: true },
          ),
        ],
      },
      {
        path: `${watchBase}/${def.plural}/{name}`,
        parameters: [...watchParams, P.name, ...scopeParams],
        operations: [
          op(
            "get",
            "watch",
            `watch${gvName}${scope}${def.kind}`,
            `Watch changes to the ${def.kind} of that name. ${deprecated}, and a metadata.name field selector.`,
            { responses: [ok(TYPE_NAMES.watchEvent), UNAUTHORIZED], streams: true },
          ),
        ],
      },
    );
    if (def.namespaced) {
      paths.push({
        path: `${prefix}/watch/${def.plural}`,
        parameters: watchParams,
        operations: [
          op(
            "get",
            "watchlist",
            `watch${gvName}${def.kind}ListForAllNamespaces`,
            `Watch changes to ${def.kind} objects in every namespace. ${deprecated}.`,
            { responses: [ok(TYPE_NAMES.watchEvent), UNAUTHORIZED], streams: true },
          ),
        ],
      });
    }
  }
  return paths;
}
