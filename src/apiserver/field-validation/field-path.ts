/**
 * Field paths as upstream's strict decoder writes them: keys joined by dots, list indexes in
 * brackets, no leading dot (`spec.template.spec.containers[0].imagee`, `[0].op` for a JSON patch).
 */

/** The keys and list indexes from the root down to a value; kept as a stack while walking. */
export type PathSegments = (string | number)[];

/** Renders `segments` followed by `leaf` (a key), as upstream renders the path of a field. */
export function renderPath(segments: readonly (string | number)[], leaf: string): string {
  if (segments.length === 0) return leaf;

  let path = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (typeof segment === "number") path += `[${segment}]`;
    else path += i === 0 ? segment : `.${segment}`;
  }
  return `${path}.${leaf}`;
}
