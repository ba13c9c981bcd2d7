/**
 * The local-path provisioner: creates a hostPath volume on the selected node for each claim the binder
 * hands to `kates.dev/local-path`, pre-bound to the claim so that the binder finishes the bind, and
 * deletes its volumes once released under the Delete policy. It creates nothing on any machine: the
 * node agent makes the folder (hostPath type DirectoryOrCreate) when a pod mounts it.
 */
import type { Node } from "../../api/core/v1/node.js";
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import { ANN_SELECTED_NODE, claimClass } from "../../api/core/v1/volume-binding.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import { isAlreadyExists, isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { runQueue } from "../run-queue.js";
import {
  DEFAULT_LOCAL_PATH_BASE,
  LOCAL_PATH_PROVISIONER,
  asksLocalPath,
  planLocalPathVolume,
  provisionedVolumeName,
  shouldDeleteVolume,
} from "./local-path-logic.js";
import { errorMessage } from "../../util/error-message.js";

const CLAIM = "claim:";
const VOLUME = "volume:";

/** Options of the provisioner. */
export interface LocalPathOptions {
  /** The folder volumes go under on each node, unless a class's `basePath` parameter says otherwise. */
  basePath?: string;
}

/** Builds the local-path provisioner with the default base folder. */
export function newLocalPathProvisioner(ctx: ControllerContext): Controller {
  return new LocalPathProvisioner(ctx);
}

/** Provisions and deletes `kates.dev/local-path` volumes. */
export class LocalPathProvisioner implements Controller {
  readonly name = "local-path-provisioner";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #basePath: string;
  readonly #volumes: Informer<PersistentVolume>;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #classes: Informer<StorageClass>;
  readonly #nodes: Informer<Node>;
  readonly #queue = new WorkQueue<string>();
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext, opts: LocalPathOptions = {}) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#basePath = opts.basePath ?? DEFAULT_LOCAL_PATH_BASE;
    this.#volumes = ctx.informers.informerFor<PersistentVolume>(resources.persistentVolumes);
    this.#claims = ctx.informers.informerFor<PersistentVolumeClaim>(
      resources.persistentVolumeClaims,
    );
    this.#classes = ctx.informers.informerFor<StorageClass>(resources.storageClasses);
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    this.#recorder = new EventRecorder(ctx.client, {
      component: LOCAL_PATH_PROVISIONER,
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    const claimChanged = (claim: PersistentVolumeClaim): void => {
      if (asksLocalPath(claim)) this.#queue.add(CLAIM + objectKey(claim.metadata));
    };
    this.#claims.addEventHandler({
      onAdd: claimChanged,
      onUpdate: (_old, claim) => claimChanged(claim),
    });
    const volumeChanged = (pv: PersistentVolume): void => {
      this.#queue.add(VOLUME + (pv.metadata.name ?? ""));
    };
    this.#volumes.addEventHandler({
      onAdd: volumeChanged,
      onUpdate: (_old, pv) => volumeChanged(pv),
    });
    this.#nodes.addEventHandler({
      // A claim may wait for its selected node to appear in the cache.
      onAdd: () => {
        for (const claim of this.#claims.lister.list()) claimChanged(claim);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await runQueue(this.name, signal, this.#queue, 2, (key) => this.reconcile(key), this.#log);
    } finally {
      await this.#recorder.stop();
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
    const className = claimClass(claim);
    const nodeName = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    const decision = planLocalPathVolume({
      claim,
      storageClass: className ? this.#classes.lister.get("", className) : undefined,
      node: nodeName ? this.#nodes.lister.get("", nodeName) : undefined,
      volumeExists: this.#volumes.lister.get("", provisionedVolumeName(claim)) !== undefined,
      basePath: this.#basePath,
    });
    if (decision.action === "skip") return;
    if (decision.action === "fail") {
      this.#recorder.event(claim, "Warning", "ProvisioningFailed", decision.message);
      return;
    }

    this.#recorder.event(
      claim,
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${key}"`,
    );
    const volumeName = decision.volume.metadata.name ?? "";
    try {
      await this.#client.create(resources.persistentVolumes, decision.volume);
    } catch (err) {
      // Made by an earlier sync whose answer was lost: provisioned all the same.
      if (!isAlreadyExists(err)) {
        this.#recorder.event(
          claim,
          "Warning",
          "ProvisioningFailed",
          `failed to provision volume with StorageClass "${className}": ${errorMessage(err)}`,
        );
        throw err;
      }
    }
    this.#log.info("Volume provisioned", { claim: key, volume: volumeName, node: nodeName });
    this.#recorder.event(
      claim,
      "Normal",
      "ProvisioningSucceeded",
      `Successfully provisioned volume ${volumeName}`,
    );
  }

  async #syncVolume(name: string): Promise<void> {
    const pv = this.#volumes.lister.get("", name);
    if (!pv || !shouldDeleteVolume(pv)) return;
    try {
      await this.#client.delete(resources.persistentVolumes, name, {
        preconditions: { uid: pv.metadata.uid ?? "" },
      });
      this.#log.info("Volume deleted", { volume: name });
    } catch (err) {
      // Gone already, or replaced by another volume of the same name (the precondition failed).
      if (isNotFound(err) || isConflict(err)) return;
      this.#recorder.event(pv, "Warning", "VolumeFailedDelete", errorMessage(err));
      throw err;
    }
  }
}
