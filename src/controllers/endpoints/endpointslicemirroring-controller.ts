/**
 * The EndpointSlice mirroring controller: copies the Endpoints of Services without a selector
 * (endpoints a user or another controller writes by hand) into EndpointSlices, owned by the
 * Endpoints object. Endpoints, services and mirrored slices feed Endpoints keys to a work queue;
 * `reconcile(key)` plans with `planMirror` and writes the result. Slices of Endpoints that should
 * no longer be mirrored (gone, labelled skip-mirror, or whose service is gone or has a selector)
 * are deleted.
 */
import type { Endpoints } from "../../api/core/v1/endpoints.js";
import type { Service } from "../../api/core/v1/service.js";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";
import { isNotFound } from "../../client/api-error.js";
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
  MAX_MIRRORED_PER_SUBSET,
  MIRROR_CONTROLLER_NAME,
  planMirror,
  shouldMirror,
} from "./mirror-decision.js";
import { hasSelector } from "./pod-endpoint.js";
import { MANAGED_BY_LABEL } from "./slice-decision.js";
import { SliceTracker, serviceKeyOfSlice } from "./slice-tracker.js";

/** Concurrent syncs (upstream's --mirroring-concurrent-service-endpoint-syncs: 5). */
const WORKERS = 5;

/** Builds the EndpointSlice mirroring controller. */
export function newEndpointSliceMirroringController(ctx: ControllerContext): Controller {
  return new EndpointSliceMirroringController(ctx);
}

/** Mirrors custom Endpoints into EndpointSlices; keys are Endpoints keys. */
export class EndpointSliceMirroringController implements Controller {
  readonly name = "endpointslicemirroring";
  readonly #client: KubeClient;
  readonly #services: Informer<Service>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #tracker = new SliceTracker();
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#services = ctx.informers.informerFor<Service>(resources.services);
    this.#endpoints = ctx.informers.informerFor<Endpoints>(resources.endpoints);
    this.#slices = ctx.informers.informerFor<EndpointSlice>(resources.endpointSlices);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "endpointslicemirroring-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    const byKey = (obj: { metadata: { namespace?: string; name?: string } }): void =>
      this.#queue.add(objectKey(obj.metadata));
    this.#services.addEventHandler({
      onAdd: (svc) => !hasSelector(svc) && byKey(svc),
      onUpdate: (old, svc) => hasSelector(old) !== hasSelector(svc) && byKey(svc),
      onDelete: (svc) => !hasSelector(svc) && byKey(svc),
    });
    this.#endpoints.addEventHandler({
      onAdd: (ep) => shouldMirror(ep) && byKey(ep),
      onUpdate: (old, ep) => (shouldMirror(old) || shouldMirror(ep)) && byKey(ep),
      onDelete: (ep) => shouldMirror(ep) && byKey(ep),
    });
    const ours = (s: EndpointSlice): boolean =>
      s.metadata.labels?.[MANAGED_BY_LABEL] === MIRROR_CONTROLLER_NAME;
    const enqueueFor = (s: EndpointSlice): void => {
      const key = serviceKeyOfSlice(s);
      if (key) this.#queue.add(key);
    };
    this.#slices.addEventHandler({
      onAdd: (s) => ours(s) && this.#tracker.shouldSync(s) && enqueueFor(s),
      onUpdate: (old, s) => {
        if (old.metadata.labels?.[SERVICE_NAME_LABEL] !== s.metadata.labels?.[SERVICE_NAME_LABEL]) {
          enqueueFor(old);
          enqueueFor(s);
        } else if (ours(old) !== ours(s) || (ours(s) && this.#tracker.shouldSync(s))) {
          enqueueFor(s);
        }
      },
      onDelete: (s) => {
        if (ours(s) && this.#tracker.has(s) && !this.#tracker.handleDeletion(s)) enqueueFor(s);
      },
    });
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

  /** One sync of the slices mirrored from the Endpoints `key` names. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const mirrored = this.#slices.lister
      .list(
        namespace,
        `${SERVICE_NAME_LABEL}=${name},${MANAGED_BY_LABEL}=${MIRROR_CONTROLLER_NAME}`,
      )
      .filter((s) => !s.metadata.deletionTimestamp);
    const endpoints = this.#endpoints.lister.get(namespace, name);
    const service = this.#services.lister.get(namespace, name);
    if (!endpoints || !shouldMirror(endpoints) || !service || hasSelector(service)) {
      this.#tracker.deleteService(key);
      for (const slice of mirrored) await this.#delete(namespace, slice);
      return;
    }
    if (this.#tracker.isStale(key, mirrored)) {
      throw new RetryLater(`EndpointSlice informer cache of ${key} is out of date`);
    }

    const plan = planMirror(endpoints, mirrored);
    if (plan.invalid > 0) {
      this.#recorder.event(
        endpoints,
        "Warning",
        "InvalidIPAddress",
        `Skipped ${plan.invalid} invalid IP addresses when mirroring to EndpointSlices`,
      );
    }
    if (plan.skipped > plan.invalid) {
      this.#recorder.event(
        endpoints,
        "Warning",
        "TooManyAddressesToMirror",
        `A max of ${MAX_MIRRORED_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skipped} addresses were skipped`,
      );
    }

    const scope = { namespace };
    try {
      for (const slice of plan.create) {
        this.#tracker.update(await this.#client.create(resources.endpointSlices, slice, scope));
      }
      for (const slice of plan.update) {
        this.#tracker.update(await this.#client.update(resources.endpointSlices, slice, scope));
      }
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      throw err;
    }
    for (const slice of plan.delete) await this.#delete(namespace, slice);
  }

  async #delete(namespace: string, slice: EndpointSlice): Promise<void> {
    try {
      await this.#client.delete(resources.endpointSlices, slice.metadata.name ?? "", { namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#tracker.expectDeletion(slice);
  }
}
