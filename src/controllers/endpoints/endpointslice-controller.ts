/**
 * The EndpointSlice controller: keeps the EndpointSlices of every Service with a selector, at most
 * 100 endpoints each, one or more per address type and port set. Services, pods and slices feed
 * service keys to a work queue; `reconcile(key)` plans with `planSlices` and writes the result.
 * Slices are owned by their Service, so the garbage collector removes them with it.
 */
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";
import { isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { resources, splitKey } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { isNamespaceTerminating } from "../replicaset/controller-index.js";
import { RetryLater, runQueue } from "../run-queue.js";
import { hasSelector, isExternalName } from "./pod-endpoint.js";
import { ServicePodIndex } from "./service-pods.js";
import { MANAGED_BY_LABEL, SLICE_CONTROLLER_NAME, planSlices } from "./slice-decision.js";
import { SliceTracker, serviceKeyOfSlice } from "./slice-tracker.js";
import { TriggerTimeTracker } from "./trigger-time.js";

/** Concurrent syncs (upstream's --concurrent-service-endpoint-syncs: 5). */
const WORKERS = 5;
/** How long a slice change waits before its service syncs (upstream's minimum sync delay). */
const SLICE_CHANGE_DELAY_MS = 1000;

/** Builds the EndpointSlice controller. */
export function newEndpointSliceController(ctx: ControllerContext): Controller {
  return new EndpointSliceController(ctx);
}

/** Writes the EndpointSlices of services with selectors; keys are service keys. */
export class EndpointSliceController implements Controller {
  readonly name = "endpointslice";
  readonly #client: KubeClient;
  readonly #services: Informer<Service>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #nodes: Informer<Node>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #triggers = new TriggerTimeTracker();
  readonly #tracker = new SliceTracker();
  readonly #index: ServicePodIndex;
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#services = ctx.informers.informerFor<Service>(resources.services);
    const pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#slices = ctx.informers.informerFor<EndpointSlice>(resources.endpointSlices);
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    this.#index = new ServicePodIndex(this.#services, pods, (key) => this.#queue.add(key));
    this.#recorder = new EventRecorder(ctx.client, {
      component: "endpoint-slice-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    const ours = (s: EndpointSlice): boolean =>
      s.metadata.labels?.[MANAGED_BY_LABEL] === SLICE_CONTROLLER_NAME;
    this.#slices.addEventHandler({
      // Only changes that are not our own writes coming back need a sync.
      onAdd: (slice) => {
        if (ours(slice) && this.#tracker.shouldSync(slice)) this.#enqueueFor(slice);
      },
      onUpdate: (old, slice) => {
        if (
          old.metadata.labels?.[SERVICE_NAME_LABEL] !== slice.metadata.labels?.[SERVICE_NAME_LABEL]
        ) {
          this.#enqueueFor(slice);
          this.#enqueueFor(old);
          return;
        }
        if (ours(old) !== ours(slice) || (ours(slice) && this.#tracker.shouldSync(slice))) {
          this.#enqueueFor(slice);
        }
      },
      onDelete: (slice) => {
        if (!ours(slice) || !this.#tracker.has(slice)) return;
        if (!this.#tracker.handleDeletion(slice)) this.#enqueueFor(slice);
      },
    });
  }

  #enqueueFor(slice: EndpointSlice): void {
    const key = serviceKeyOfSlice(slice);
    if (key) this.#queue.addAfter(key, SLICE_CHANGE_DELAY_MS);
  }

  async run(signal: AbortSignal): Promise<void> {
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

  /** One sync of the EndpointSlices of the service `key` names. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.#services.lister.get(namespace, name);
    if (!service) {
      // The slices are owned by the service: the garbage collector deletes them.
      this.#triggers.delete(key);
      this.#tracker.deleteService(key);
      return;
    }
    if (isExternalName(service) || !hasSelector(service)) return;

    const pods = this.#index.podsOf(service);
    const existing = this.#slices.lister
      .list(namespace, `${SERVICE_NAME_LABEL}=${name},${MANAGED_BY_LABEL}=${SLICE_CONTROLLER_NAME}`)
      .filter((s) => !s.metadata.deletionTimestamp);
    if (this.#tracker.isStale(key, existing)) {
      throw new RetryLater(`EndpointSlice informer cache of ${key} is out of date`);
    }
    const plan = planSlices({
      service,
      pods,
      nodeOf: (node) => this.#nodes.lister.get("", node),
      existing,
      triggerTime: this.#triggers.compute(key, service, pods),
    });

    try {
      await this.#write(namespace, plan);
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      this.#recorder.event(
        service,
        "Warning",
        "FailedToUpdateEndpointSlices",
        `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`,
      );
      throw err;
    }
    if (plan.skipped.length) {
      const message = plan.skipped.join("; ");
      this.#recorder.event(
        service,
        "Warning",
        "FailedToUpdateEndpointSlices",
        `Error updating Endpoint Slices for Service ${key}: ${message}`,
      );
      throw new RetryLater(message);
    }
  }

  async #write(
    namespace: string,
    plan: { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] },
  ): Promise<void> {
    const scope = { namespace };
    for (const slice of plan.create) {
      this.#tracker.update(await this.#client.create(resources.endpointSlices, slice, scope));
    }
    for (const slice of plan.update) {
      this.#tracker.update(await this.#client.update(resources.endpointSlices, slice, scope));
    }
    for (const slice of plan.delete) {
      try {
        await this.#client.delete(resources.endpointSlices, slice.metadata.name ?? "", scope);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.#tracker.expectDeletion(slice);
    }
  }
}
