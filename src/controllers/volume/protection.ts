/**
 * The pvc-protection and pv-protection controllers: they put the protection finalizer on every
 * claim and volume, and take it off a claim being deleted once no pod uses it, and off a volume being
 * deleted once it is not Bound. Without them running nothing gets the finalizer, so nothing waits.
 */
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { podClaimNames } from "../../api/core/v1/volume-binding.js";
import { isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey, type ResourceDescriptor } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { runQueue } from "../run-queue.js";
import {
  PVC_PROTECTION_FINALIZER,
  PV_PROTECTION_FINALIZER,
  claimFinalizerAction,
  finalizerPatch,
  podUsesClaim,
  volumeFinalizerAction,
} from "./protection-logic.js";

/** Builds the pvc-protection controller. */
export function newClaimProtectionController(ctx: ControllerContext): Controller {
  return new ClaimProtectionController(ctx);
}

/** Builds the pv-protection controller. */
export function newVolumeProtectionController(ctx: ControllerContext): Controller {
  return new VolumeProtectionController(ctx);
}

/** Keeps claims in use by pods from going away. */
export class ClaimProtectionController implements Controller {
  readonly name = "pvc-protection";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #pods: Informer<Pod>;
  readonly #queue = new WorkQueue<string>();

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#claims = ctx.informers.informerFor<PersistentVolumeClaim>(
      resources.persistentVolumeClaims,
    );
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    const claimChanged = (claim: PersistentVolumeClaim): void => {
      if (claimFinalizerAction(claim, true) !== "none" || claim.metadata.deletionTimestamp) {
        this.#queue.add(objectKey(claim.metadata));
      }
    };
    this.#claims.addEventHandler({ onAdd: claimChanged, onUpdate: (_old, c) => claimChanged(c) });
    // A pod that goes away or finishes may release the claims it used.
    const podChanged = (pod: Pod): void => {
      const namespace = pod.metadata.namespace ?? "";
      for (const { name } of podClaimNames(pod)) this.#queue.add(`${namespace}/${name}`);
    };
    this.#pods.addEventHandler({
      onUpdate: (_old, pod) => podChanged(pod),
      onDelete: podChanged,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runQueue(this.name, signal, this.#queue, 2, (key) => this.reconcile(key), this.#log);
  }

  /** Adds or removes the finalizer of the claim the key names. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.#claims.lister.get(namespace, name);
    if (!claim) return;
    let inUse = this.#pods.lister.list(namespace).some((pod) => podUsesClaim(pod, name));
    let action = claimFinalizerAction(claim, inUse);
    if (action === "remove") {
      // The cache may not have seen a new pod yet: ask the API before letting the claim go.
      const live = await this.#client.list<Pod>(resources.pods, { namespace });
      inUse = live.items.some((pod) => podUsesClaim(pod, name));
      action = claimFinalizerAction(claim, inUse);
    }
    if (action === "none") return;
    await patchFinalizer(
      this.#client,
      resources.persistentVolumeClaims,
      claim,
      PVC_PROTECTION_FINALIZER,
      action,
    );
    this.#log.debug("Claim protection", { claim: key, action });
  }
}

/** Keeps bound volumes from going away. */
export class VolumeProtectionController implements Controller {
  readonly name = "pv-protection";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #volumes: Informer<PersistentVolume>;
  readonly #queue = new WorkQueue<string>();

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#volumes = ctx.informers.informerFor<PersistentVolume>(resources.persistentVolumes);
    const changed = (pv: PersistentVolume): void => {
      if (volumeFinalizerAction(pv) !== "none") this.#queue.add(pv.metadata.name ?? "");
    };
    this.#volumes.addEventHandler({ onAdd: changed, onUpdate: (_old, pv) => changed(pv) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runQueue(this.name, signal, this.#queue, 1, (key) => this.reconcile(key), this.#log);
  }

  /** Adds or removes the finalizer of the volume the key names. */
  async reconcile(name: string): Promise<void> {
    const pv = this.#volumes.lister.get("", name);
    if (!pv) return;
    const action = volumeFinalizerAction(pv);
    if (action === "none") return;
    await patchFinalizer(
      this.#client,
      resources.persistentVolumes,
      pv,
      PV_PROTECTION_FINALIZER,
      action,
    );
    this.#log.debug("Volume protection", { volume: name, action });
  }
}

async function patchFinalizer(
  client: KubeClient,
  res: ResourceDescriptor,
  obj: PersistentVolume | PersistentVolumeClaim,
  finalizer: string,
  action: "add" | "remove",
): Promise<void> {
  try {
    await client.patch(res, obj.metadata.name ?? "", finalizerPatch(obj, finalizer, action), {
      namespace: obj.metadata.namespace ?? "",
      type: "merge",
    });
  } catch (err) {
    // Gone: nothing to protect. A conflict is thrown and retried with back-off, from the newer object.
    if (!isNotFound(err)) throw err;
  }
}
