/**
 * The Endpoints controller: keeps an Endpoints object beside every Service with a selector, listing
 * the addresses of the pods it selects. Services, pods and deleted Endpoints feed service keys to a
 * work queue; `reconcile(key)` plans with `planEndpoints` and writes the result. On start, every
 * Endpoints object this controller wrote is synced once, so those whose Service went away while
 * the controller was not running are deleted.
 */
import type { Endpoints } from "../../api/core/v1/endpoints.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";
import { isAlreadyExists, isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { isNamespaceTerminating } from "../replicaset/controller-index.js";
import { RetryLater, runQueue } from "../run-queue.js";
import {
  ENDPOINTS_CONTROLLER_NAME,
  ENDPOINTS_MANAGED_BY_LABEL,
  planEndpoints,
} from "./endpoints-decision.js";
import { ServicePodIndex } from "./service-pods.js";
import { TriggerTimeTracker } from "./trigger-time.js";

/** Concurrent syncs (upstream's --concurrent-endpoint-syncs: 5). */
const WORKERS = 5;

/** Builds the Endpoints controller. */
export function newEndpointsController(ctx: ControllerContext): Controller {
  return new EndpointsController(ctx);
}

/** Writes the Endpoints of services with selectors; keys are service keys. */
export class EndpointsController implements Controller {
  readonly name = "endpoint";
  readonly #client: KubeClient;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #triggers = new TriggerTimeTracker();
  readonly #index: ServicePodIndex;
  readonly #recorder: EventRecorder;
  /** By service key, the resourceVersion our last update of its Endpoints replaced. */
  readonly #replaced = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#services = ctx.informers.informerFor<Service>(resources.services);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#endpoints = ctx.informers.informerFor<Endpoints>(resources.endpoints);
    this.#index = new ServicePodIndex(this.#services, this.#pods, (key) => this.#queue.add(key));
    this.#recorder = new EventRecorder(ctx.client, {
      component: "endpoint-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });
    // A deleted Endpoints object of a service with a selector is written again by a sync.
    this.#endpoints.addEventHandler({
      onDelete: (ep) => this.#queue.add(objectKey(ep.metadata)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    for (const ep of this.#endpoints.lister.list()) {
      if (ep.metadata.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === ENDPOINTS_CONTROLLER_NAME) {
        this.#queue.add(objectKey(ep.metadata));
      }
    }
    try {
      await runQueue(
        this.name,
        signal,
        this.#queue,
        WORKERS,
        (key) => this.reconcile(key),
        this.#log,
      );
    } finally {
      await this.#recorder.stop();
    }
  }

  /** One sync of the Endpoints of the service `key` names. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.#services.lister.get(namespace, name);
    if (!service) {
      this.#triggers.delete(key);
      this.#replaced.delete(key);
    }
    const current = this.#endpoints.lister.get(namespace, name);
    if (current && this.#replaced.get(key) === current.metadata.resourceVersion) {
      // The cache still shows what our last update replaced: a write now would only conflict.
      throw new RetryLater(`Endpoints informer cache of ${key} is out of date`);
    }
    const pods = service ? this.#index.podsOf(service) : [];
    const action = planEndpoints({
      service,
      current,
      pods,
      triggerTime: service ? this.#triggers.compute(key, service, pods) : undefined,
    });
    const scope = { namespace };
    try {
      switch (action.type) {
        case "none":
          return;
        case "delete":
          await this.#client.delete(resources.endpoints, name, scope);
          return;
        case "create":
          await this.#client.create(resources.endpoints, action.endpoints, scope);
          return;
        case "update": {
          const written = await this.#client.update(resources.endpoints, action.endpoints, scope);
          const before = current?.metadata.resourceVersion;
          if (before && written.metadata.resourceVersion !== before)
            this.#replaced.set(key, before);
          return;
        }
      }
    } catch (err) {
      if (action.type === "delete") {
        if (isNotFound(err)) return;
        throw err;
      }
      if (action.type === "create" && isNamespaceTerminating(err)) return;
      // The cache lags behind a write (ours or another's): try again once it has caught up.
      if (isAlreadyExists(err)) throw new RetryLater(`Endpoints ${key} exist already`);
      if (isConflict(err))
        throw new RetryLater(`Endpoints ${key} changed since the cache saw them`);
      const message = (err as Error).message;
      if (action.type === "none") throw err;
      if (action.type === "create") {
        this.#recorder.event(
          action.endpoints,
          "Warning",
          "FailedToCreateEndpoint",
          `Failed to create endpoint for service ${key}: ${message}`,
        );
      } else {
        this.#recorder.event(
          action.endpoints,
          "Warning",
          "FailedToUpdateEndpoint",
          `Failed to update endpoint ${key}: ${message}`,
        );
      }
      throw err;
    }
  }
}
