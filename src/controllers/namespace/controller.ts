/**
 * The namespace controller: empties a namespace marked for deletion, then finalizes it. A pass deletes
 * every object of every namespaced resource the server serves (Background propagation, as upstream),
 * lists again to see what remains, records upstream's deletion conditions on the namespace status, and
 * once nothing is left removes `kubernetes` from spec.finalizers through the `finalize` subresource,
 * after which the API server deletes the namespace.
 */
import { allResources } from "../../api/registry.js";
import type { Namespace } from "../../api/core/v1/namespace.js";
import { KUBERNETES_FINALIZER } from "../../api/core/v1/namespace.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { resources, type ResourceDescriptor } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { RetryLater, runQueue } from "../run-queue.js";
import {
  deletableResources,
  deletionConditions,
  finalizersAfterContent,
  isEmpty,
  mergeConditions,
  remainingGraceMs,
  type DeletionReport,
} from "./deletion.js";

/** Workers deleting namespaces at once (upstream's --concurrent-namespace-syncs default is 10). */
const WORKERS = 4;

/** Builds the namespace controller. */
export function newNamespaceController(ctx: ControllerContext): Controller {
  return new NamespaceController(
    ctx.client,
    ctx.informers.informerFor(resources.namespaces),
    ctx.logger,
  );
}

/** Deletes the content of terminating namespaces, then finalizes them. */
export class NamespaceController implements Controller {
  readonly name = "namespace";
  readonly #client: KubeClient;
  readonly #namespaces: Informer<Namespace>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #content: { def: ResourceDefinition; res: ResourceDescriptor }[];

  constructor(
    client: KubeClient,
    namespaces: Informer<KubeObject>,
    log: Logger,
    defs: readonly ResourceDefinition[] = allResources,
  ) {
    this.#client = client;
    this.#namespaces = namespaces as Informer<Namespace>;
    this.#log = log;
    this.#content = deletableResources(defs).map((def) => ({
      def,
      res: {
        group: def.group,
        version: def.version,
        resource: def.plural,
        namespaced: true,
        kind: def.kind,
      },
    }));
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata.deletionTimestamp) this.#queue.add(ns.metadata.name ?? "");
    };
    this.#namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runQueue(
      this.name,
      signal,
      this.#queue,
      WORKERS,
      (key) => this.reconcile(key),
      this.#log,
    );
  }

  /** One pass over a namespace. */
  async reconcile(name: string): Promise<ReconcileResult> {
    const ns = this.#namespaces.lister.get("", name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (!ns.spec?.finalizers?.includes(KUBERNETES_FINALIZER)) return;

    const report = await this.#deleteContent(name);
    const latest = await this.#writeConditions(ns, report);
    if (isEmpty(report)) {
      await this.#finalize(latest);
      return;
    }
    const waitMs = remainingGraceMs(report, Date.now());
    if (waitMs > 0 && report.listFailures.length === 0 && report.deleteFailures.length === 0) {
      return { requeueAfter: waitMs + 1000 };
    }
    throw new RetryLater(`Namespace ${name} still has content`);
  }

  async #deleteContent(namespace: string): Promise<DeletionReport> {
    const report: DeletionReport = { listFailures: [], deleteFailures: [], remaining: [] };
    await Promise.all(
      this.#content.map(async ({ def, res }) => {
        const label = `${def.plural}.${def.group}`;
        let items: KubeObject[];
        try {
          items = (await this.#client.list(res, { namespace })).items;
        } catch (err) {
          // A kind this server does not serve has nothing to delete.
          if (isNotFound(err)) return;
          report.listFailures.push(`${label}: ${(err as Error).message}`);
          return;
        }
        if (items.length === 0) return;
        await Promise.all(
          items
            .filter(
              (item) =>
                !item.metadata.deletionTimestamp || item.metadata.deletionGracePeriodSeconds,
            )
            .map(async (item) => {
              try {
                await this.#client.delete(res, item.metadata.name ?? "", {
                  namespace,
                  propagationPolicy: "Background",
                });
              } catch (err) {
                if (!isNotFound(err) && !isConflict(err)) {
                  report.deleteFailures.push(
                    `${label} ${item.metadata.name}: ${(err as Error).message}`,
                  );
                }
              }
            }),
        );
        try {
          const left = (await this.#client.list(res, { namespace })).items;
          if (left.length) report.remaining.push({ resource: label, items: left });
        } catch (err) {
          report.listFailures.push(`${label}: ${(err as Error).message}`);
        }
      }),
    );
    return report;
  }

  /** Records the pass on the namespace status; returns the namespace as last known. */
  async #writeConditions(ns: Namespace, report: DeletionReport): Promise<Namespace> {
    const merged = mergeConditions(
      ns.status?.conditions,
      deletionConditions(report),
      new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    );
    if (!merged) return ns;
    try {
      return await this.#client.updateStatus<Namespace>(resources.namespaces, {
        ...ns,
        status: { ...ns.status, conditions: merged },
      });
    } catch (err) {
      // A newer namespace (or one already gone) is handled by the pass its change triggers.
      if (!isConflict(err) && !isNotFound(err)) throw err;
      return ns;
    }
  }

  async #finalize(ns: Namespace): Promise<void> {
    const name = ns.metadata.name ?? "";
    try {
      await this.#client.update<Namespace>(
        resources.namespaces,
        { ...ns, spec: { ...ns.spec, finalizers: finalizersAfterContent(ns.spec?.finalizers) } },
        { subresource: "finalize" },
      );
      this.#log.info("Namespace finalized", { namespace: name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
