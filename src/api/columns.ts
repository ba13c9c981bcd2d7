/** Helpers for Table columns that many kinds share. */
import type { KubeObject } from "./meta/types.js";
import type { TableColumn } from "./resource.js";

/** A duration as kubectl prints ages: `45s`, `3m20s`, `5h`, `2d3h`, `45d`, `3y120d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) return "<invalid>";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    return days % 365 === 0
      ? `${Math.floor(days / 365)}y`
      : `${Math.floor(days / 365)}y${days % 365}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** How long ago an RFC 3339 timestamp was, as kubectl prints it; `<unknown>` when absent. */
export function age(timestamp: string | null | undefined, now: Date): string {
  if (!timestamp) return "<unknown>";
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
}

/** The AGE column every kind shows. */
export function ageColumn<T extends KubeObject>(): TableColumn<T> {
  return {
    name: "Age",
    type: "string",
    description: "How long ago the object was created.",
    priority: 0,
    cell: (obj, now) => age(obj.metadata.creationTimestamp, now),
  };
}

/** A column showing a string (or `<none>` when empty). */
export function textColumn<T extends KubeObject>(
  name: string,
  description: string,
  get: (obj: T) => string | undefined,
  priority: 0 | 1 = 0,
): TableColumn<T> {
  return { name, type: "string", description, priority, cell: (obj) => get(obj) || "<none>" };
}

/** Renders a label map as `k=v,k2=v2`, the way kubectl prints selectors. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  if (!labels) return "";
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}
