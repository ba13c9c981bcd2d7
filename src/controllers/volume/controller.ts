/**
 * The PersistentVolume binder, as upstream's persistentvolume-controller: claims and volumes each get
 * a sync. A claim's sync binds it to the best volume (or the one it names), leaves it Pending with
 * the reason as an event, asks the class's provisioner for a volume, or marks it Lost. A volume's
 * sync keeps its phase, releases it when its claim is gone and reclaims it by its policy.
 */
import type { Node } from "../../api/core/v1/node.js";
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import {
  ANN_SELECTED_NODE,
  claimClass,
  defaultStorageClassName,
  isClaimBindCompleted,
} from "../../api/core/v1/volume-binding.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import { isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import { copyJson } from "../../util/json-copy.js";
import type { Controller, ControllerContext } from "../manager.js";
import { runQueue } from "../run-queue.js";
import {
  boundClaimStatus,
  claimAskingProvisioner,
  claimBoundTo,
  claimKeyOf,
  decideClaim,
  decideVolume,
  volumeBoundTo,
  volumeUnbound,
  type BinderEvent,
  type VolumeDecision,
} from "./binder-logic.js";
import { volumeFitsNode } from "../../scheduler/plugins/volume-binding.js";

/** The event source, as upstream's binder names it. */
export const BINDER_COMPONENT = "persistentvolume-controller";
/** Every claim and volume is synced again this often, as upstream's default resync period. */
const RESYNC_MS = 15_000;
const WORKERS = 2;
const CLAIM = "claim:";
const VOLUME = "volume:";

/** Builds the PersistentVolume binder. */
export function newPersistentVolumeBinder(ctx: ControllerContext): Controller {
  return new PersistentVolumeBinder(ctx);
}

/** Binds claims to volumes and keeps both phases. */
export class PersistentVolumeBinder implements Controller {
  readonly name = "persistentvolume-binder";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #volumes: Informer<PersistentVolume>;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #classes: Informer<StorageClass>;
  readonly #nodes: Informer<Node>;
  readonly #queue = new WorkQueue<string>();
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#volumes = ctx.informers.informerFor<PersistentVolume>(resources.persistentVolumes);
    this.#claims = ctx.informers.informerFor<PersistentVolumeClaim>(
      resources.persistentVolumeClaims,
    );
    this.#classes = ctx.informers.informerFor<StorageClass>(resources.storageClasses);
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    this.#recorder = new EventRecorder(ctx.client, {
      component: BINDER_COMPONENT,
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    this.#claims.addEventHandler({
      onAdd: (claim) => this.#queue.add(CLAIM + objectKey(claim.metadata)),
      onUpdate: (_old, claim) => this.#queue.add(CLAIM + objectKey(claim.metadata)),
      onDelete: (claim) => this.#claimDeleted(claim),
    });
    this.#volumes.addEventHandler({
      onAdd: (pv) => {
        this.#volumeChanged(pv);
        this.#enqueueUnboundClaims();
      },
      onUpdate: (old, pv) => {
        this.#volumeChanged(pv);
        if (old.status?.phase !== "Available" && pv.status?.phase === "Available") {
          this.#enqueueUnboundClaims();
        }
      },
      onDelete: (pv) => this.#volumeChanged(pv),
    });
    this.#classes.addEventHandler({
      onAdd: () => this.#enqueueUnboundClaims(),
      onUpdate: () => this.#enqueueUnboundClaims(),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const resync = setInterval(() => this.#resync(), RESYNC_MS);
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
      clearInterval(resync);
      await this.#recorder.stop();
    }
  }

  #resync(): void {
    for (const claim of this.#claims.lister.list())
      this.#queue.add(CLAIM + objectKey(claim.metadata));
    for (const pv of this.#volumes.lister.list())
      this.#queue.add(VOLUME + (pv.metadata.name ?? ""));
  }

  #volumeChanged(pv: PersistentVolume): void {
    this.#queue.add(VOLUME + (pv.metadata.name ?? ""));
    const ref = pv.spec?.claimRef;
    if (ref?.name) this.#queue.add(CLAIM + `${ref.namespace ?? ""}/${ref.name}`);
  }

  #claimDeleted(claim: PersistentVolumeClaim): void {
    const volumeName = claim.spec?.volumeName;
    if (volumeName) this.#queue.add(VOLUME + volumeName);
    const key = claimKeyOf(claim);
    for (const pv of this.#volumes.lister.list()) {
      const ref = pv.spec?.claimRef;
      if (ref && `${ref.namespace ?? ""}/${ref.name ?? ""}` === key) {
        this.#queue.add(VOLUME + (pv.metadata.name ?? ""));
      }
    }
  }

  #enqueueUnboundClaims(): void {
    for (const claim of this.#claims.lister.list()) {
      if (!isClaimBindCompleted(claim)) this.#queue.add(CLAIM + objectKey(claim.metadata));
    }
  }

  /** Syncs the claim or volume a key names. */
  async reconcile(key: string): Promise<void> {
    if (key.startsWith(CLAIM)) return this.#syncClaim(key.slice(CLAIM.length));
    if (key.startsWith(VOLUME)) return this.#syncVolume(key.slice(VOLUME.length));
  }

  async #syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.#claims.lister.get(namespace, name);
    if (!claim) return;
    const volumeName = claim.spec?.volumeName;
    const className = claimClass(claim);
    const decision = decideClaim({
      claim,
      volume: volumeName ? this.#volumes.lister.get("", volumeName) : undefined,
      volumes: this.#volumes.lister.list(),
      storageClass: className ? this.#classes.lister.get("", className) : undefined,
      defaultClass: defaultStorageClassName(this.#classes.lister.list()),
      fitsSelectedNode: this.#fitsSelectedNode(claim),
    });

    switch (decision.action) {
      case "assignClass": {
        const next = copyJson(claim);
        (next.spec ??= {}).storageClassName = decision.className;
        await this.#client.update(resources.persistentVolumeClaims, next, { namespace });
        return;
      }
      case "bind":
        return this.#bind(decision.volume, claim);
      case "pending": {
        this.#record(claim, undefined, decision.events);
        let current = claim;
        if (decision.provisioner) {
          const asking = claimAskingProvisioner(claim, decision.provisioner);
          if (asking) {
            current = await this.#client.update(resources.persistentVolumeClaims, asking, {
              namespace,
            });
          }
        }
        await this.#claimPhase(current, "Pending");
        return;
      }
      case "lost":
        this.#record(claim, undefined, decision.events);
        await this.#claimPhase(claim, "Lost");
        return;
    }
  }

  /** A predicate for volumes reachable from the node the scheduler selected for the claim. */
  #fitsSelectedNode(claim: PersistentVolumeClaim): ((pv: PersistentVolume) => boolean) | undefined {
    const nodeName = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    if (nodeName === undefined) return undefined;
    const node = this.#nodes.lister.get("", nodeName);
    return node ? (pv) => volumeFitsNode(pv, node) : () => false;
  }

  /** Binds both sides, each step only when not done yet: the volume first, then the claim. */
  async #bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const namespace = claim.metadata.namespace ?? "";
    let pv = volume;
    const reserved = volumeBoundTo(pv, claim);
    if (reserved) pv = await this.#client.update(resources.persistentVolumes, reserved);
    pv = await this.#volumePhase(pv, { phase: "Bound" });

    let current = claim;
    const bound = claimBoundTo(current, pv);
    if (bound) {
      current = await this.#client.update(resources.persistentVolumeClaims, bound, { namespace });
    }
    const status = boundClaimStatus(current, pv);
    if (status) {
      await this.#client.updateStatus(
        resources.persistentVolumeClaims,
        { ...current, status },
        { namespace },
      );
      this.#log.info("Claim bound", { claim: claimKeyOf(claim), volume: pv.metadata.name });
    }
  }

  async #syncVolume(name: string): Promise<void> {
    let pv = this.#volumes.lister.get("", name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    let claim = ref?.name ? this.#claims.lister.get(ref.namespace ?? "", ref.name) : undefined;
    if (ref?.uid && ref.name && !claim) {
      // The cache may not have seen a new claim yet: ask before releasing its volume.
      try {
        claim = await this.#client.get<PersistentVolumeClaim>(
          resources.persistentVolumeClaims,
          ref.name,
          { namespace: ref.namespace ?? "" },
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const decision: VolumeDecision = decideVolume({ volume: pv, claim });

    this.#record(claim, pv, decision.events);
    if (decision.unbind) {
      pv = await this.#client.update(
        resources.persistentVolumes,
        volumeUnbound(pv, decision.unbind),
      );
    }
    if (decision.phase) await this.#volumePhase(pv, decision.phase);
    if (decision.syncClaim) this.#queue.add(CLAIM + decision.syncClaim);
  }

  /** Writes the volume's phase (and message) when it differs; returns the volume as stored. */
  async #volumePhase(
    pv: PersistentVolume,
    want: { phase: string; message?: string; reason?: string },
  ): Promise<PersistentVolume> {
    const status = pv.status ?? {};
    if (status.phase === want.phase && (status.message ?? "") === (want.message ?? "")) return pv;
    const next: PersistentVolume["status"] = {
      phase: want.phase,
      ...(want.message ? { message: want.message } : {}),
      ...(want.reason ? { reason: want.reason } : {}),
      lastPhaseTransitionTime:
        status.phase === want.phase && status.lastPhaseTransitionTime
          ? status.lastPhaseTransitionTime
          : new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    };
    this.#log.info("Volume phase", { volume: pv.metadata.name, phase: want.phase });
    return this.#client.updateStatus(resources.persistentVolumes, { ...pv, status: next });
  }

  async #claimPhase(claim: PersistentVolumeClaim, phase: string): Promise<void> {
    if (claim.status?.phase === phase) return;
    await this.#client.updateStatus(
      resources.persistentVolumeClaims,
      { ...claim, status: { ...claim.status, phase } },
      { namespace: claim.metadata.namespace ?? "" },
    );
  }

  #record(
    claim: PersistentVolumeClaim | undefined,
    pv: PersistentVolume | undefined,
    events: readonly BinderEvent[],
  ): void {
    for (const e of events) {
      const target = e.on === "claim" ? claim : pv;
      if (target) this.#recorder.event(target, e.type, e.reason, e.message);
    }
  }
}
