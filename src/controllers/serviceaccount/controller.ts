/**
 * The service account controller: a `default` ServiceAccount in every active namespace, created when a
 * namespace appears and again whenever it is deleted.
 */
import type { Namespace } from "../../api/core/v1/namespace.js";
import type { KubeObject } from "../../api/meta/types.js";
import { ApiError, isAlreadyExists, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { resources } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { runQueue } from "../run-queue.js";
import { DEFAULT_SERVICE_ACCOUNTS, missingServiceAccounts } from "./decision.js";

/** Builds the service account controller. */
export function newServiceAccountController(ctx: ControllerContext): Controller {
  return new ServiceAccountController(
    ctx.client,
    ctx.informers.informerFor(resources.namespaces),
    ctx.informers.informerFor(resources.serviceAccounts),
    ctx.logger,
  );
}

/** Keeps the default service accounts in every active namespace; keys are namespace names. */
export class ServiceAccountController implements Controller {
  readonly name = "serviceaccount";
  readonly #client: KubeClient;
  readonly #namespaces: Informer<Namespace>;
  readonly #accounts: Informer<KubeObject>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();

  constructor(
    client: KubeClient,
    namespaces: Informer<KubeObject>,
    accounts: Informer<KubeObject>,
    log: Logger,
  ) {
    this.#client = client;
    this.#namespaces = namespaces as Informer<Namespace>;
    this.#accounts = accounts;
    this.#log = log;
    const byName = (obj: KubeObject): void => this.#queue.add(obj.metadata.name ?? "");
    this.#namespaces.addEventHandler({ onAdd: byName, onUpdate: (_old, ns) => byName(ns) });
    this.#accounts.addEventHandler({
      onDelete: (sa) => {
        if (DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name ?? "")) {
          this.#queue.add(sa.metadata.namespace ?? "");
        }
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runQueue(this.name, signal, this.#queue, 2, (key) => this.reconcile(key), this.#log);
  }

  /** Creates the default service accounts a namespace lacks. */
  async reconcile(namespace: string): Promise<void> {
    const ns = this.#namespaces.lister.get("", namespace);
    const missing = missingServiceAccounts(
      ns,
      (name) => this.#accounts.lister.get(namespace, name) !== undefined,
    );
    for (const name of missing) {
      try {
        await this.#client.create(resources.serviceAccounts, { metadata: { name, namespace } });
      } catch (err) {
        // Already there (the cache lags), or the namespace went or began terminating meanwhile.
        if (
          isAlreadyExists(err) ||
          isNotFound(err) ||
          (err instanceof ApiError && err.code === 403)
        )
          continue;
        throw err;
      }
    }
  }
}
