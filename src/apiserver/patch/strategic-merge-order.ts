/**
 * Where the elements of a merged list end up under strategic merge patch. Upstream's rules, which
 * kubectl's patches rely on: the elements the patch names come in the patch's order (or in
 * `$setElementOrder`'s), the others keep the live list's order, and the two runs are interleaved by
 * walking both and taking the live element first only when the live list already had it before the
 * patch element. A patch element the live list never had therefore wins every tie, which is why a
 * container added without `$setElementOrder` lands before the remaining live ones, as upstream
 * does.
 */
import type { JsonValue } from "./json-value.js";
import { getMember, isJsonObject } from "./json-value.js";

/**
 * What identifies an element: the value of its merge key, or the element itself in a scalar list.
 */
export type ElementKey = JsonValue | undefined;

/**
 * The identity of a list element: its `mergeKey` member (undefined when it has none), or the
 * element itself when `mergeKey` is empty (lists of scalars).
 */
export function elementKey(element: JsonValue, mergeKey: string): ElementKey {
  if (mergeKey === "") return element;
  return isJsonObject(element) ? getMember(element, mergeKey) : undefined;
}

/** The index of the first element of `list` with each key. */
export function firstIndexes(
  list: readonly JsonValue[],
  mergeKey: string,
): Map<ElementKey, number> {
  const index = new Map<ElementKey, number>();
  list.forEach((element, i) => {
    const key = elementKey(element, mergeKey);
    if (!index.has(key)) index.set(key, i);
  });
  return index;
}

/**
 * Orders a merged list: `patchItems` (the elements the patch or `$setElementOrder` names) sorted by
 * `patchOrder`, `serverOnly` sorted by `serverOrder`, then interleaved as described above.
 */
export function orderMerged(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: ReadonlyMap<ElementKey, number>,
  serverOrder: ReadonlyMap<ElementKey, number>,
  mergeKey: string,
): JsonValue[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  if (left.length === 0) return right;
  if (right.length === 0) return left;

  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const l = serverOrder.get(elementKey(left[i] as JsonValue, mergeKey));
    const r = serverOrder.get(elementKey(right[j] as JsonValue, mergeKey));
    if (l !== undefined && r !== undefined && l < r) out.push(left[i++] as JsonValue);
    else out.push(right[j++] as JsonValue);
  }
  while (i < left.length) out.push(left[i++] as JsonValue);
  while (j < right.length) out.push(right[j++] as JsonValue);
  return out;
}

/**
 * Sorts `items` by their position in `order`, keeping ties in place. Upstream's comparison calls an
 * element that `order` lacks "less" than any other, which is no ordering at all; the result is then
 * whatever its insertion sort makes of it, so that case runs the same insertion sort. (Upstream
 * sorts blocks of 20 that way and merges them, so past 20 such elements the two may differ; only
 * hand-written patches with an empty `$setElementOrder` get there.)
 */
function sortByOrder(
  items: JsonValue[],
  order: ReadonlyMap<ElementKey, number>,
  mergeKey: string,
): JsonValue[] {
  if (items.length < 2) return items;
  const ranked = items.map((item) => ({ item, at: order.get(elementKey(item, mergeKey)) ?? -1 }));

  if (ranked.every((r) => r.at >= 0)) {
    ranked.sort((a, b) => a.at - b.at);
  } else {
    const less = (a: { at: number }, b: { at: number }): boolean =>
      a.at >= 0 && b.at >= 0 ? a.at < b.at : true;
    for (let i = 1; i < ranked.length; i++) {
      for (let j = i; j > 0 && less(ranked[j]!, ranked[j - 1]!); j--) {
        [ranked[j], ranked[j - 1]] = [ranked[j - 1]!, ranked[j]!];
      }
    }
  }
  return ranked.map((r) => r.item);
}
