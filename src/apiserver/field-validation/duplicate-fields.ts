/** Duplicate keys of a raw request body, JSON or YAML. */
import { scanJson } from "./json-fields.js";
import { FREE, objectNode } from "./schema-nodes.js";
import { findYamlDuplicateKeys } from "./yaml-fields.js";

/**
 * The paths of the keys that occur twice in one object of `body` (`replicas`, `spec.replicas`,
 * `metadata.labels.app`, `spec.containers[0].name`), in the order upstream reports them. Given
 * `schemaName`, a JSON body is checked only where upstream's decoder checks it: not inside fields
 * the schema does not declare, nor inside opaque values (`any`). YAML bodies are checked
 * everywhere, as go-yaml checks them.
 */
export function findDuplicateFields(
  body: string,
  contentType: "json" | "yaml",
  schemaName?: string,
): string[] {
  if (contentType === "yaml") return findYamlDuplicateKeys(body).map((d) => d.path);

  const root = schemaName === undefined ? FREE : objectNode(schemaName);
  const paths: string[] = [];
  for (const finding of scanJson(body, root).findings) {
    if (finding.type === "duplicate") paths.push(finding.path);
  }
  return paths;
}
