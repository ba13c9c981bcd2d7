/**
 * What the EndpointSlice controller remembers of its own writes, as upstream's
 * EndpointSliceTracker: the generation of every slice it created or updated, and the slices it
 * deleted. A sync whose cache is older than those writes would plan from the past (and create
 * duplicate slices), so it waits; a slice event that only echoes our own write needs no sync.
 */
import type { EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";
import { SERVICE_NAME_LABEL } from "../../api/discovery/v1/endpoint-slice.js";

/** The generation recorded for a slice this controller deleted. */
const DELETION_EXPECTED = -1;

/** The key of the service a slice belongs to (`namespace/name` from its service-name label). */
export function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice.metadata.namespace ?? ""}/${name}` : undefined;
}

/** Generations of our own slice writes, by service key and slice UID. Not safe across processes. */
export class SliceTracker {
  readonly #byService = new Map<string, Map<string, number>>();

  #generations(slice: EndpointSlice, create: boolean): Map<string, number> | undefined {
    const key = serviceKeyOfSlice(slice);
    if (!key) return undefined;
    let gens = this.#byService.get(key);
    if (!gens && create) this.#byService.set(key, (gens = new Map()));
    return gens;
  }

  /** Whether the slice is one this controller wrote or deleted. */
  has(slice: EndpointSlice): boolean {
    return this.#generations(slice, false)?.has(slice.metadata.uid ?? "") ?? false;
  }

  /** Whether a slice event shows a state newer than our last write of it (someone else's). */
  shouldSync(slice: EndpointSlice): boolean {
    const g = this.#generations(slice, false)?.get(slice.metadata.uid ?? "");
    return g === undefined || (slice.metadata.generation ?? 0) > g;
  }

  /**
   * Whether the cached `slices` of a service lag behind our writes: a slice we wrote is missing or
   * older than we wrote it, or a slice we deleted is still there.
   */
  isStale(serviceKey: string, slices: readonly EndpointSlice[]): boolean {
    const gens = this.#byService.get(serviceKey);
    if (!gens) return false;
    const seen = new Set<string>();
    for (const slice of slices) {
      const uid = slice.metadata.uid ?? "";
      seen.add(uid);
      const g = gens.get(uid);
      if (g !== undefined && (g === DELETION_EXPECTED || g > (slice.metadata.generation ?? 0))) {
        return true;
      }
    }
    for (const [uid, g] of gens) if (g !== DELETION_EXPECTED && !seen.has(uid)) return true;
    return false;
  }

  /** Records a slice as the server returned it after our create or update. */
  update(slice: EndpointSlice): void {
    this.#generations(slice, true)?.set(slice.metadata.uid ?? "", slice.metadata.generation ?? 0);
  }

  /** Records that we deleted the slice. */
  expectDeletion(slice: EndpointSlice): void {
    this.#generations(slice, true)?.set(slice.metadata.uid ?? "", DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; false when the deletion was not ours (the service must resync). */
  handleDeletion(slice: EndpointSlice): boolean {
    const gens = this.#generations(slice, false);
    if (!gens) return true;
    const uid = slice.metadata.uid ?? "";
    const g = gens.get(uid);
    gens.delete(uid);
    return g === undefined || g === DELETION_EXPECTED;
  }

  /** Forgets a service that is gone. */
  deleteService(serviceKey: string): void {
    this.#byService.delete(serviceKey);
  }
}
