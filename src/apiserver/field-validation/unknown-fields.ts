/**
 * Unknown fields of a decoded object: keys that its kind's schema does not declare. Upstream's
 * decoders drop them whatever the validation mode, so Kates removes them before anything is stored.
 */
import { renderPath, type PathSegments } from "./field-path.js";
import { compareBytes } from "./go-format.js";
import { fieldsOf, NodeKind, objectNode, type FieldNode } from "./schema-nodes.js";

/**
 * The order in which paths are reported. `document` follows the keys as the body held them (as
 * upstream's decoder reads a JSON body); `sorted` visits each object's keys in byte order (as it
 * reads a body upstream re-encoded from a Go map first: a YAML body, a merge or JSON patch result).
 */
export type PathOrder = "document" | "sorted";

/** The paths of the fields `obj` holds that schema type `schemaName` does not declare. */
export function findUnknownFields(
  obj: unknown,
  schemaName: string,
  order: PathOrder = "document",
): string[] {
  const found: string[] = [];
  walk(obj, objectNode(schemaName), [], { found, prune: false, sorted: order === "sorted" });
  return found;
}

/**
 * Removes from `obj`, in place, the fields schema type `schemaName` does not declare, and returns
 * their paths. Nothing inside a removed field is reported: upstream skips it whole.
 */
export function pruneUnknownFields(
  obj: unknown,
  schemaName: string,
  order: PathOrder = "document",
): string[] {
  const found: string[] = [];
  walk(obj, objectNode(schemaName), [], { found, prune: true, sorted: order === "sorted" });
  return found;
}

interface Walk {
  readonly found: string[];
  readonly prune: boolean;
  readonly sorted: boolean;
}

function walk(value: unknown, node: FieldNode, path: PathSegments, w: Walk): void {
  if (typeof value !== "object" || value === null) return;

  switch (node.kind) {
    case NodeKind.Object: {
      if (Array.isArray(value)) return;
      const record = value as Record<string, unknown>;
      const fields = fieldsOf(node);
      for (const key of keysOf(record, w.sorted)) {
        const child = fields.get(key)?.node;
        if (child === undefined) {
          w.found.push(renderPath(path, key));
          if (w.prune) delete record[key];
          continue;
        }
        if (child.kind === NodeKind.Opaque) continue;
        path.push(key);
        walk(record[key], child, path, w);
        path.pop();
      }
      return;
    }
    case NodeKind.Map: {
      const values = node.child;
      if (Array.isArray(value) || values === undefined || values.kind === NodeKind.Opaque) return;
      const record = value as Record<string, unknown>;
      for (const key of keysOf(record, w.sorted)) {
        path.push(key);
        walk(record[key], values, path, w);
        path.pop();
      }
      return;
    }
    case NodeKind.List: {
      const items = node.child;
      if (!Array.isArray(value) || items === undefined || items.kind === NodeKind.Opaque) return;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i], items, path, w);
        path.pop();
      }
      return;
    }
    default:
      return;
  }
}

function keysOf(record: Record<string, unknown>, sorted: boolean): string[] {
  const keys = Object.keys(record);
  return sorted ? keys.sort(compareBytes) : keys;
}
