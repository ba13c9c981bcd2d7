/**
 * SharedInformerFactory: one informer per resource and scope for a whole process, so that controllers
 * following the same resource share one list, one watch and one cache.
 */
import type { KubeObject } from "../api/meta/types.js";
import type { KubeClient } from "./client.js";
import { Informer, type InformerOptions, type InformerScope } from "./informer.js";
import type { ResourceDescriptor } from "./resource.js";

/** Options every informer of a factory gets. */
export type SharedInformerOptions = Omit<InformerOptions, keyof InformerScope | "indexers">;

/** Makes and keeps shared informers; start them all once every controller has asked for its own. */
export class SharedInformerFactory {
  readonly #client: KubeClient;
  readonly #opts: SharedInformerOptions;
  readonly #informers = new Map<string, Informer>();
  #started = false;

  constructor(client: KubeClient, opts: SharedInformerOptions = {}) {
    this.#client = client;
    this.#opts = opts;
  }

  /**
   * The informer of a resource in a scope, made on first request. Asked for after `start()`, it starts
   * at once. Controllers add their indexes through `informer.indexer.addIndexers`.
   */
  informerFor<T extends KubeObject = KubeObject>(
    resource: ResourceDescriptor,
    scope: InformerScope = {},
  ): Informer<T> {
    const key = [
      resource.group,
      resource.version,
      resource.resource,
      scope.namespace ?? "",
      scope.labelSelector ?? "",
      scope.fieldSelector ?? "",
    ].join("\u0000");
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer(this.#client, resource, { ...this.#opts, ...scope });
      this.#informers.set(key, informer);
      if (this.#started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer made so far (and any made later). */
  start(): void {
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
  }

  /** Resolves true once every informer has synced; false if one stops or `signal` aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all(
      [...this.#informers.values()].map((i) => i.waitForSync(signal)),
    );
    return results.every(Boolean);
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}
