/**
 * The types OpenAPI documents need beyond the kinds' own schemas: the meta/v1 types that operations
 * take and return (Status, DeleteOptions, WatchEvent, Patch, APIResourceList), and the named scalar
 * types that the schema language spells as `quantity`, `int-or-string`, `time` and `any`. A meta
 * type defined in the schema registry wins over the one here, so that the registry stays the one
 * source of truth once a kind file defines it.
 */
import {
  allTypes,
  boolean,
  f,
  int32,
  int64,
  list,
  ref,
  string,
  type ObjectType,
} from "../../api/schema.js";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** Names of the types every group-version document refers to from its operations. */
export const TYPE_NAMES = {
  status: `${META}.Status`,
  deleteOptions: `${META}.DeleteOptions`,
  watchEvent: `${META}.WatchEvent`,
  patch: `${META}.Patch`,
  resourceList: `${META}.APIResourceList`,
  listMeta: `${META}.ListMeta`,
  scale: "io.k8s.api.autoscaling.v1.Scale",
} as const;

/** A named type whose document form is a scalar rather than an object with properties. */
export interface ScalarType {
  readonly name: string;
  readonly description: string;
  /** The schema in OpenAPI 3 documents. */
  readonly v3: Readonly<Record<string, unknown>>;
  /** The schema in Swagger 2 documents, which has no `oneOf`. */
  readonly v2: Readonly<Record<string, unknown>>;
}

/** The named scalar types, keyed by the schema-language type they stand for. */
export const SCALAR_TYPES = {
  quantity: {
    name: "io.k8s.apimachinery.pkg.api.resource.Quantity",
    description:
      "A fixed-point amount such as 100m, 1.5, 2Gi or 1e3: a decimal number with an optional binary (Ki, Mi, Gi, Ti, Pi, Ei) or decimal (m, k, M, G, T, P, E) suffix or exponent.",
    v3: { oneOf: [{ type: "string" }, { type: "number" }] },
    v2: { type: "string" },
  },
  intOrString: {
    name: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    description:
      "Either an integer or a string, such as a port number or a port name, or a count or a percentage.",
    v3: { format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] },
    v2: { type: "string", format: "int-or-string" },
  },
  time: {
    name: `${META}.Time`,
    description: "A point in time in RFC 3339 form, to the second, such as 2024-05-01T12:00:00Z.",
    v3: { type: "string", format: "date-time" },
    v2: { type: "string", format: "date-time" },
  },
  microTime: {
    name: `${META}.MicroTime`,
    description:
      "A point in time in RFC 3339 form with microseconds, such as 2024-05-01T12:00:00.000001Z.",
    v3: { type: "string", format: "date-time" },
    v2: { type: "string", format: "date-time" },
  },
  any: {
    name: "io.k8s.apimachinery.pkg.runtime.RawExtension",
    description: "Any JSON value, kept as sent; its shape is not described here.",
    v3: { type: "object" },
    v2: { type: "object" },
  },
} as const satisfies Record<string, ScalarType>;

const SCALARS_BY_NAME = new Map<string, ScalarType>(
  Object.values(SCALAR_TYPES).map((s) => [s.name, s]),
);

/** The scalar type of that name, or undefined when the name is an object type's. */
export function scalarType(name: string): ScalarType | undefined {
  return SCALARS_BY_NAME.get(name);
}

const StatusCause: ObjectType = {
  name: `${META}.StatusCause`,
  description: "One reason a request failed, with the field it concerns when there is one.",
  fields: {
    reason: f(string(), 1, "Machine-readable kind of the problem, such as FieldValueInvalid."),
    message: f(string(), 2, "Human-readable description of the problem."),
    field: f(string(), 3, "Path of the field at fault, such as spec.containers[0].name."),
  },
};

const StatusDetails: ObjectType = {
  name: `${META}.StatusDetails`,
  description: "What a Status is about: the object it names and the causes of a failure.",
  fields: {
    name: f(string(), 1, "Name of the object the status concerns."),
    group: f(string(), 2, "API group of the object the status concerns."),
    kind: f(string(), 3, "Kind (or resource) of the object the status concerns."),
    uid: f(string(), 6, "UID of the object the status concerns."),
    causes: f(list(ref(StatusCause.name)), 4, "Details of each problem found."),
    retryAfterSeconds: f(int32(), 5, "Seconds the client should wait before retrying."),
  },
};

const Status: ObjectType = {
  name: TYPE_NAMES.status,
  description: "The outcome of a request that returns no object, and every failure.",
  gvk: { group: "", version: "v1", kind: "Status" },
  fields: {
    apiVersion: f(string(), undefined, "Versioned schema of this representation of the object."),
    kind: f(string(), undefined, "The REST resource this object represents, in CamelCase."),
    metadata: f(ref(TYPE_NAMES.listMeta), 1, "Standard list metadata."),
    status: f(string(), 2, "Success or Failure."),
    message: f(string(), 3, "Human-readable description of the outcome."),
    reason: f(string(), 4, "Machine-readable reason for a failure, such as NotFound."),
    details: f(ref(StatusDetails.name), 5, "Further data about the outcome, by reason."),
    code: f(int32(), 6, "The HTTP status code of the outcome."),
  },
};

const Preconditions: ObjectType = {
  name: `${META}.Preconditions`,
  description: "Conditions the object must meet for a delete to go ahead.",
  fields: {
    uid: f(string(), 1, "The UID the object must have."),
    resourceVersion: f(string(), 2, "The resourceVersion the object must have."),
  },
};

const DeleteOptions: ObjectType = {
  name: TYPE_NAMES.deleteOptions,
  description: "Options of a delete: grace period, preconditions, and what becomes of dependents.",
  fields: {
    apiVersion: f(string(), undefined, "Versioned schema of this representation of the object."),
    kind: f(string(), undefined, "The REST resource this object represents, in CamelCase."),
    gracePeriodSeconds: f(
      int64(),
      1,
      "Seconds before the object is deleted; 0 deletes at once, unset takes the kind's default.",
    ),
    preconditions: f(ref(Preconditions.name), 2, "Must hold for the delete to go ahead."),
    orphanDependents: f(
      boolean(),
      3,
      "Deprecated; use propagationPolicy. True orphans the dependents.",
    ),
    propagationPolicy: f(
      string(),
      4,
      "What happens to dependents: Orphan, Background (the default for most kinds) or Foreground.",
    ),
    dryRun: f(list(string()), 5, "All runs every step of the delete but persists nothing."),
    ignoreStoreReadErrorWithClusterBreakingPotential: f(
      boolean(),
      6,
      "Deletes an object that cannot be read from storage; may break the cluster.",
    ),
  },
};

const WatchEvent: ObjectType = {
  name: TYPE_NAMES.watchEvent,
  description: "One event of a watch stream.",
  fields: {
    type: f(string(), 1, "ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.", { required: true }),
    object: f(
      { type: "any" },
      2,
      "The object after the change; the last state for DELETED, a Status for ERROR.",
      { required: true },
    ),
  },
};

const Patch: ObjectType = {
  name: TYPE_NAMES.patch,
  description:
    "A patch body, whose form the Content-Type names: JSON patch, merge patch, strategic merge patch or an apply configuration.",
  fields: {},
};

const APIResource: ObjectType = {
  name: `${META}.APIResource`,
  description: "One resource of a group-version, as discovery lists it.",
  fields: {
    name: f(string(), 1, "Plural name of the resource, with a subresource after a slash.", {
      required: true,
    }),
    singularName: f(string(), 6, "Singular name of the resource.", { required: true }),
    namespaced: f(boolean(), 2, "Whether objects of the resource live in namespaces.", {
      required: true,
    }),
    group: f(string(), 8, "Group of the kind, when it differs from the resource's."),
    version: f(string(), 9, "Version of the kind, when it differs from the resource's."),
    kind: f(string(), 3, "The kind of the resource's objects.", { required: true }),
    verbs: f(list(string()), 4, "The verbs the resource supports.", { required: true }),
    shortNames: f(list(string()), 5, "Short names kubectl accepts for the resource."),
    categories: f(list(string()), 7, "Groups of resources this one belongs to, such as all."),
    storageVersionHash: f(string(), 10, "Hash of the version objects are stored in."),
  },
};

const APIResourceList: ObjectType = {
  name: TYPE_NAMES.resourceList,
  description: "The resources of one group-version.",
  gvk: { group: "", version: "v1", kind: "APIResourceList" },
  fields: {
    apiVersion: f(string(), undefined, "Versioned schema of this representation of the object."),
    kind: f(string(), undefined, "The REST resource this object represents, in CamelCase."),
    groupVersion: f(string(), 1, "The group-version listed.", { required: true }),
    resources: f(list(ref(APIResource.name)), 2, "The resources of the group-version.", {
      required: true,
    }),
  },
};

const BUILTIN_OBJECTS: readonly ObjectType[] = [
  StatusCause,
  StatusDetails,
  Status,
  Preconditions,
  DeleteOptions,
  WatchEvent,
  Patch,
  APIResource,
  APIResourceList,
];

/**
 * Looks object types up by name: the schema registry first, then the meta types above. Built once
 * per generation, after every kind file has defined its types.
 */
export class TypeLookup {
  readonly #types = new Map<string, ObjectType>();

  constructor() {
    for (const type of BUILTIN_OBJECTS) this.#types.set(type.name, type);
    for (const type of allTypes()) this.#types.set(type.name, type);
  }

  /** The object type of that name; an unknown name is a programming error and throws. */
  get(name: string): ObjectType {
    const type = this.#types.get(name);
    if (!type) throw new Error(`Cannot find type ${name}: not defined`);
    return type;
  }

  /** Whether a type of that name exists. */
  has(name: string): boolean {
    return this.#types.has(name);
  }

  /** Adds a type only documents need (a kind's list type); a name already taken throws. */
  define(type: ObjectType): void {
    if (this.#types.has(type.name)) throw new Error(`Cannot define type ${type.name}: taken`);
    this.#types.set(type.name, type);
  }
}
