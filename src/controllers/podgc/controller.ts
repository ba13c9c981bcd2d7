/**
 * The pod garbage collector: every check period it deletes, with a zero grace period, finished
 * pods beyond `--terminated-pod-gc-threshold`, pods bound to nodes that no longer exist (once the
 * node has been missing from the cache for the quarantine time and the API confirms it is gone),
 * pods being deleted that were never scheduled, and pods being deleted on out-of-service nodes.
 * Pods that had not finished are marked Failed first; orphans also get a DisruptionTarget condition.
 */
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources } from "../../client/resource.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext, ControllerFactory } from "../manager.js";
import { formatTime } from "../replicaset/pod-state.js";
import {
  failedStatus,
  missingNodeNames,
  ORPHAN_CONDITION,
  terminatedPodsToDelete,
  terminatingOnOutOfServiceNodes,
  unscheduledTerminatingPods,
  type GcCondition,
} from "./pod-gc-logic.js";

/** Settings of pod GC (upstream's flags and constants). */
export interface PodGCOptions {
  /** --terminated-pod-gc-threshold: finished pods kept; 0 or less keeps all. Upstream: 12500. */
  terminatedPodThreshold: number;
  /** How often pods are collected; upstream 20 s. */
  gcCheckPeriodMs: number;
  /** How long a node must be missing before its pods count as orphans; upstream 40 s. */
  quarantineMs: number;
}

/** Upstream's defaults. */
export const DEFAULT_POD_GC_OPTIONS: PodGCOptions = {
  terminatedPodThreshold: 12_500,
  gcCheckPeriodMs: 20_000,
  quarantineMs: 40_000,
};

/** Deletions pod GC makes at once. */
const PARALLEL_DELETIONS = 10;

/** A factory of pod GC with some settings changed. */
export function podGCControllerFactory(opts: Partial<PodGCOptions> = {}): ControllerFactory {
  return (ctx) => new PodGCController(ctx, { ...DEFAULT_POD_GC_OPTIONS, ...opts });
}

/** Builds pod GC with upstream's settings. */
export const newPodGCController: ControllerFactory = podGCControllerFactory();

/** Deletes pods nothing else will. */
export class PodGCController implements Controller {
  readonly name = "podgc";
  readonly #opts: PodGCOptions;
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  /** Nodes pods are bound to that the cache lacks, with when that was first seen (ms). */
  readonly #missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, opts: PodGCOptions) {
    this.#opts = opts;
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    let running: Promise<void> = Promise.resolve();
    let busy = false;
    const tick = (): void => {
      if (busy || signal.aborted) return;
      busy = true;
      running = this.collect()
        .catch((err: unknown) => this.#log.warn("Pod GC pass failed", { err }))
        .finally(() => (busy = false));
    };
    const timer = setInterval(tick, this.#opts.gcCheckPeriodMs);
    tick();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    clearInterval(timer);
    await running;
  }

  /** One collection pass. */
  async collect(): Promise<void> {
    const pods = this.#pods.lister.list();
    const nodeOf = (name: string): Node | undefined => this.#nodes.lister.get("", name);

    await this.#deleteAll(terminatedPodsToDelete(pods, this.#opts.terminatedPodThreshold));
    await this.#deleteAll(terminatingOnOutOfServiceNodes(pods, nodeOf));
    await this.#deleteAll(await this.#orphans(pods), ORPHAN_CONDITION);
    await this.#deleteAll(unscheduledTerminatingPods(pods));
  }

  /** Pods of nodes that have been missing past the quarantine and that the API confirms are gone. */
  async #orphans(pods: readonly Pod[]): Promise<Pod[]> {
    const now = Date.now();
    const missing = missingNodeNames(
      pods,
      (name) => this.#nodes.lister.get("", name) !== undefined,
    );
    for (const name of this.#missingSince.keys())
      if (!missing.has(name)) this.#missingSince.delete(name);

    const gone = new Set<string>();
    for (const name of missing) {
      const since = this.#missingSince.get(name);
      if (since === undefined) {
        this.#missingSince.set(name, now);
        continue;
      }
      if (now - since < this.#opts.quarantineMs) continue;
      try {
        await this.#client.get(resources.nodes, name);
        // The node exists after all (the cache lagged): its pods are not orphans.
        this.#missingSince.delete(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        gone.add(name);
      }
    }
    return pods.filter((p) => gone.has(p.spec?.nodeName ?? ""));
  }

  async #deleteAll(pods: readonly Pod[], condition?: GcCondition): Promise<void> {
    for (let i = 0; i < pods.length; i += PARALLEL_DELETIONS) {
      await Promise.all(
        pods
          .slice(i, i + PARALLEL_DELETIONS)
          .map((pod) =>
            this.#markFailedAndDelete(pod, condition).catch((err: unknown) =>
              this.#log.warn("Cannot delete pod", { pod: objectKey(pod.metadata), err }),
            ),
          ),
      );
    }
  }

  /** Marks a pod Failed (with the condition, if any) unless it finished, then force-deletes it. */
  async #markFailedAndDelete(pod: Pod, condition: GcCondition | undefined): Promise<void> {
    const scope = { namespace: pod.metadata.namespace ?? "" };
    const status = failedStatus(pod, condition, formatTime(Date.now()));
    try {
      if (status) await this.#client.updateStatus<Pod>(resources.pods, { ...pod, status }, scope);
      await this.#client.delete(resources.pods, pod.metadata.name ?? "", {
        ...scope,
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid ?? "" },
      });
      this.#log.info("Pod GC deleted pod", {
        pod: objectKey(pod.metadata),
        node: pod.spec?.nodeName,
      });
    } catch (err) {
      // Gone already, or changed: the next pass sees its new state.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
