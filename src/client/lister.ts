/** Lister: reads of an informer's cache by namespace, name and labels, without any API call. */
import type { KubeObject } from "../api/meta/types.js";
import { type LabelSelector, parseLabelSelector } from "../api/selectors/label-selector.js";
import { NAMESPACE_INDEX, type Indexer } from "./indexer.js";

/** Cached reads of one resource. The objects are the cache's own: read them, never change them. */
export class Lister<T extends KubeObject = KubeObject> {
  readonly #indexer: Indexer<T>;

  constructor(indexer: Indexer<T>) {
    this.#indexer = indexer;
  }

  /** One object by namespace (empty for cluster-scoped kinds) and name. */
  get(namespace: string, name: string): T | undefined {
    return this.#indexer.get(namespace ? `${namespace}/${name}` : name);
  }

  /**
   * The objects of one namespace (all namespaces when undefined) whose labels match the selector,
   * given parsed or as text (`app=web,tier!=db`); throws SelectorParseError on bad text.
   */
  list(namespace?: string, selector?: LabelSelector | string): T[] {
    const parsed = typeof selector === "string" ? parseLabelSelector(selector) : selector;
    const candidates =
      namespace === undefined
        ? this.#indexer.list()
        : this.#indexer.byIndex(NAMESPACE_INDEX, namespace);
    if (!parsed || parsed.isEmpty()) return candidates;
    return candidates.filter((obj) => parsed.matches(obj.metadata.labels));
  }
}
