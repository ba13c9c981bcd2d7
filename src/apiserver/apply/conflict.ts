/** The 409 an apply gets when it would change fields other managers own. */
import { StatusError } from "../../api/errors.js";
import { pathString } from "./field-set.js";
import type { Manager } from "./managers.js";

/** One field another manager owns with a different value than the config's. */
export interface Conflict {
  manager: Manager;
  /** The field, as serialized path elements. */
  path: string[];
}

/**
 * How upstream names a manager in conflict messages:
 * `"kubectl-scale" with subresource "scale" using apps/v1`.
 */
export function describeManager(m: Manager): string {
  let out = JSON.stringify(m.manager);
  if (m.subresource) out += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") out += ` using ${m.apiVersion}`;
  return out;
}

/**
 * A Conflict StatusError with one `FieldManagerConflict` cause per field, and the message kubectl
 * prints: managers sorted, each with its fields.
 */
export function conflictError(conflicts: readonly Conflict[]): StatusError {
  const sorted = [...conflicts].sort((a, b) =>
    a.manager.id < b.manager.id ? -1 : a.manager.id > b.manager.id ? 1 : 0,
  );
  const causes = sorted.map((c) => ({
    type: "FieldManagerConflict",
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    const only = sorted[0] as Conflict;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(only.manager)}: ${pathString(only.path)}`;
  } else {
    const lines: string[] = [];
    let current: Manager | undefined;
    for (const c of sorted) {
      if (c.manager !== current) {
        current = c.manager;
        lines.push(`conflicts with ${describeManager(current)}:`);
      }
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(409, "Conflict", message, { causes });
}
