/**
 * The link both endpoint controllers keep between services and pods: service changes and pod
 * changes that matter become keys of the services concerned, and a service's pods are read from
 * the pod cache of its namespace.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";
import type { Informer } from "../../client/informer.js";
import { objectKey } from "../../client/resource.js";
import { podEndpointChanged, selectsPod } from "./pod-endpoint.js";

/** Turns service and pod events into service keys; lists the pods a service selects. */
export class ServicePodIndex {
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #enqueue: (key: string) => void;

  constructor(services: Informer<Service>, pods: Informer<Pod>, enqueue: (key: string) => void) {
    this.#services = services;
    this.#pods = pods;
    this.#enqueue = enqueue;
    const byKey = (svc: Service): void => enqueue(objectKey(svc.metadata));
    services.addEventHandler({
      onAdd: byKey,
      onUpdate: (old, svc) => {
        if (old.metadata.resourceVersion !== svc.metadata.resourceVersion) byKey(svc);
      },
      onDelete: byKey,
    });
    pods.addEventHandler({
      onAdd: (pod) => this.#enqueueFor(pod),
      onUpdate: (old, pod) => {
        if (!podEndpointChanged(old, pod)) return;
        // A label change may move the pod between services: both sides sync.
        this.#enqueueFor(pod, old);
      },
      onDelete: (pod) => this.#enqueueFor(pod),
    });
  }

  /** The pods of the service's namespace its selector matches. */
  podsOf(service: Service): Pod[] {
    return this.#pods.lister
      .list(service.metadata.namespace ?? "")
      .filter((pod) => selectsPod(service, pod));
  }

  #enqueueFor(pod: Pod, old?: Pod): void {
    for (const svc of this.#services.lister.list(pod.metadata.namespace ?? "")) {
      if (selectsPod(svc, pod) || (old && selectsPod(svc, old)))
        this.#enqueue(objectKey(svc.metadata));
    }
  }
}
