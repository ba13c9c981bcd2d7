/** Table output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the rows kubectl prints. */
import { StatusError } from "../api/errors.js";
import type { KubeObject, ListMeta } from "../api/meta/types.js";
import type { ResourceDefinition, TableColumn } from "../api/resource.js";

export type IncludeObject = "None" | "Metadata" | "Object";

/** The first column of every table. */
const NAME_COLUMN: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name of the object, unique within its namespace (or the cluster, for cluster-scoped kinds).",
  priority: 0,
  cell: (obj) => obj.metadata.name ?? "",
};

/** Reads the `includeObject` parameter; anything but the three values upstream knows is a 400. */
export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === "") return "Metadata";
  if (value === "None" || value === "Metadata" || value === "Object") return value;
  throw StatusError.badRequest(
    `Unsupported includeObject value ${JSON.stringify(value)}: use None, Metadata or Object`,
  );
}

/** The columns of a kind: NAME first, unless the kind places its own name column (events put it last). */
function columnsOf(def: ResourceDefinition): TableColumn[] {
  return def.columns.some((c) => c.format === "name") ? def.columns : [NAME_COLUMN, ...def.columns];
}

/** The Table of `objects`; `withColumns` is false for watch events after the first. */
export function toTable(
  def: ResourceDefinition,
  objects: KubeObject[],
  opts: { include: IncludeObject; listMeta?: ListMeta; withColumns?: boolean },
): Record<string, unknown> {
  const now = new Date();
  const columns = columnsOf(def);
  const table: Record<string, unknown> = {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: opts.listMeta ?? {},
  };
  if (opts.withColumns !== false) {
    table["columnDefinitions"] = columns.map(({ name, type, format, description, priority }) => ({
      name,
      type,
      format: format ?? "",
      description,
      priority,
    }));
  }
  table["rows"] = objects.map((obj) => ({
    cells: columns.map((c) => safeCell(c, obj, now)),
    object: rowObject(obj, opts.include),
  }));
  return table;
}

function safeCell(column: TableColumn, obj: KubeObject, now: Date): unknown {
  try {
    return column.cell(obj, now);
  } catch {
    // A malformed stored object must not break a whole listing; upstream prints such cells as <unknown>.
    return "<unknown>";
  }
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return partialMetadata(obj);
}

/** The PartialObjectMetadata form of an object: its type and metadata only. */
export function partialMetadata(obj: KubeObject): Record<string, unknown> {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}
