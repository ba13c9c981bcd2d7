/**
 * A deep copy of plain JSON data (objects, arrays, strings, numbers, booleans, null). On API objects it
 * is several times faster than structuredClone, which goes through the full serializer; members whose
 * value is undefined are left out, as JSON would leave them out.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (key === "__proto__") {
      // A member named __proto__ (legal JSON) must stay a member, not become the prototype.
      Object.defineProperty(out, key, {
        value: copyJson(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = copyJson(v);
    }
  }
  return out as T;
}
