/**
 * A resource definition: everything the API server needs to serve one kind. Discovery, the generic REST
 * handlers, Table output, field selectors, defaulting and validation all read it; adding a kind is one file
 * that exports a definition plus one line in `registry.ts`.
 */
import type { FieldError } from "./errors.js";
import type { KubeObject } from "./meta/types.js";

/** One column of `kubectl get` output (a Table column definition). */
export interface TableColumn<T extends KubeObject = KubeObject> {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  /** `name` for the first column, as upstream marks it. */
  format?: "name" | "";
  description: string;
  /** 0: always shown; 1: shown with `-o wide`. */
  priority: 0 | 1;
  cell: (obj: T, now: Date) => string | number | boolean | null;
}

/** The scale subresource of a kind: where its replica counts and selector live. */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** The path of the status field holding the selector as a string, when the kind has one. */
  labelSelectorPath?: string;
}

/**
 * Hooks that shape an object on its way in. Each one mutates the object it is given; none touches storage.
 * Order on create: defaults → prepareForCreate → mutating admission → validate. On update: defaults →
 * prepareForUpdate (prepareForStatusUpdate for status writes) → mutating admission → validate →
 * validateUpdate (validateStatusUpdate, or validate, for status writes).
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Fills in upstream's defaults (idempotent: defaulting twice changes nothing). */
  defaults?: (obj: T) => void;
  /** Sets server-owned fields on create, such as an initial status. */
  prepareForCreate?: (obj: T) => void;
  /** Carries over fields an update may not set, such as status on the main resource. */
  prepareForUpdate?: (obj: T, old: T) => void;
  /** Checks the object itself (not its metadata, which the server checks for every kind). */
  validate?: (obj: T) => FieldError[];
  /** Checks what may not change between `old` and `obj`, such as immutable fields. */
  validateUpdate?: (obj: T, old: T) => FieldError[];
  /** Sets server-owned fields on a write through the status subresource. */
  prepareForStatusUpdate?: (obj: T, old: T) => void;
  /** Checks of a write through the status subresource; defaults to `validate`. */
  validateStatusUpdate?: (obj: T, old: T) => FieldError[];
}

/** Everything the API knows about one kind. */
export interface ResourceDefinition<T extends KubeObject = KubeObject> extends Strategy<T> {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, as in URLs (`deployments`). */
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  /** Name of the object type in the schema registry (`io.k8s.api.apps.v1.Deployment`). */
  schema: string;
  /** Verbs the resource supports; all eight by default. */
  verbs?: string[];
  /**
   * Objects of this kind are never stored: a create computes an answer and returns it (access reviews).
   * Such kinds have no store, no watch and only the `create` verb.
   */
  virtual?: boolean;
  /** How names of this kind must look; DNS-1123 subdomains unless set. */
  checkName?: (name: string) => string[];
  /**
   * The top-level fields that only the status subresource may write. Kinds with a status subresource keep
   * `status` apart; kinds such as ConfigMap have none.
   */
  statusSubresource?: boolean;
  /** Keep the status a client sends on create (nodes register with theirs); others start with none. */
  keepStatusOnCreate?: boolean;
  scale?: ScaleSubresource;
  /**
   * The grace period a delete gives this object, in seconds, from the period the client asked for (if any);
   * 0 deletes at once. Only pods wait for their containers to stop.
   */
  gracefulDeletion?: (obj: T, requested: number | undefined) => number;
  /**
   * Whether an object must stay after its deletion is requested, beyond its metadata finalizers, until a
   * controller finishes with it (a namespace with `spec.finalizers`). Pure: it changes nothing.
   */
  deferDeletion?: (obj: T) => boolean;
  /** Marks an object whose deletion is pending (a namespace turns Terminating). */
  prepareForDeletion?: (obj: T) => void;
  /** Whether a completed delete answers with the deleted object rather than a Success Status. */
  returnDeletedObject?: boolean;
  /** Whether an update of a missing object creates it (PUT as create), as for leases and endpoints. */
  allowCreateOnUpdate?: boolean;
  /** Whether `metadata.generation` counts changes to the desired state (kinds with a spec). */
  tracksGeneration?: boolean;
  /** Table columns after NAME, which the server always adds first; kinds place AGE where upstream does. */
  columns: TableColumn<T>[];
  /** Field selectors beyond `metadata.name` and `metadata.namespace`, as getters of the field's value. */
  fieldSelectors?: Record<string, (obj: T) => string | undefined>;
}

/** The verbs of a resource that does not list its own: all eight, sorted as discovery lists them. */
export const ALL_VERBS: readonly string[] = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

/** The API version string of a definition: `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Helper so kind files can state their object type once: `defineResource<Pod>({...})`. */
export function defineResource<T extends KubeObject>(
  def: ResourceDefinition<T>,
): ResourceDefinition {
  return def as unknown as ResourceDefinition;
}
