/**
 * The bind step of VolumeBinding (upstream's PreBind): before a pod is bound to its node, each of its
 * claims that waits for a first consumer is told the node through the `volume.kubernetes.io/selected-node`
 * annotation; then the step waits until the binder has bound every such claim (to a volume on that
 * node, provisioned or not). Runs in the background binding task, never in the scheduling cycle, so
 * other pods are scheduled meanwhile while this one stays assumed on its node.
 */
import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import type { PersistentVolumeClaim } from "../api/core/v1/persistent-volume-claim.js";
import { ANN_SELECTED_NODE, isClaimBindCompleted } from "../api/core/v1/volume-binding.js";
import type { KubeClient } from "../client/client.js";
import { resources } from "../client/resource.js";
import { podVolumes, volumeFitsNode, type VolumeListers } from "./plugins/volume-binding.js";

/** How long a pod waits for its claims to be bound, as upstream's default bindTimeoutSeconds. */
export const BIND_TIMEOUT_MS = 600_000;
const POLL_MS = 100;
const PREFIX = 'running PreBind plugin "VolumeBinding": binding volumes: ';

/** A failure of the volume bind step; its message is the FailedScheduling event's. */
export class PreBindError extends Error {
  constructor(detail: string) {
    super(PREFIX + detail);
  }
}

/** Options of the bind step. */
export interface PodVolumeBinderOptions {
  client: KubeClient;
  listers: VolumeListers;
  /** The Node of a name, from the scheduler's snapshot. */
  node(name: string): Node | undefined;
  timeoutMs?: number;
}

/** Hands waiting claims to the chosen node and waits for them to be bound. */
export class PodVolumeBinder {
  readonly #opts: PodVolumeBinderOptions;

  constructor(opts: PodVolumeBinderOptions) {
    this.#opts = opts;
  }

  /**
   * Annotates the pod's waiting claims with the node, then resolves once each is bound to a volume
   * reachable from it; throws PreBindError when a claim goes away, is handed to another node, binds
   * to a volume elsewhere, the timeout passes, or the signal aborts. Stops waiting (and resolves)
   * once `podGone` says the pod was deleted: binding it then fails as for any deleted pod.
   */
  async bind(
    pod: Pod,
    nodeName: string,
    signal: AbortSignal,
    podGone: () => boolean = () => false,
  ): Promise<void> {
    const state = podVolumes(pod, this.#opts.listers);
    if (state === undefined) return;
    if ("code" in state) throw new PreBindError(state.reasons.join(", "));
    if (state.delayed.length === 0) return;

    const claims = state.delayed.map((d) => d.claim);
    // The resourceVersion of each annotated claim: an older cached copy has not seen the annotation.
    const annotatedAt = new Map<PersistentVolumeClaim, number>();
    for (const claim of claims) {
      if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
      const patched = await this.#opts.client.patch<PersistentVolumeClaim>(
        resources.persistentVolumeClaims,
        claim.metadata.name ?? "",
        { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } },
        { namespace: claim.metadata.namespace ?? "", type: "merge" },
      );
      annotatedAt.set(claim, Number(patched.metadata.resourceVersion ?? 0));
    }

    const deadline = Date.now() + (this.#opts.timeoutMs ?? BIND_TIMEOUT_MS);
    for (;;) {
      if (podGone() || claims.every((c) => this.#bound(c, nodeName, annotatedAt.get(c) ?? 0))) {
        return;
      }
      if (Date.now() > deadline) throw new PreBindError("timed out waiting for the condition");
      await sleep(POLL_MS, signal);
    }
  }

  /** Whether the claim is bound for the node; throws when it never will be. */
  #bound(wanted: PersistentVolumeClaim, nodeName: string, annotatedAt: number): boolean {
    const { namespace = "", name = "" } = wanted.metadata;
    const claim = this.#opts.listers.claim(namespace, name);
    if (!claim || claim.metadata.uid !== wanted.metadata.uid) {
      throw new PreBindError(`persistentvolumeclaim "${name}" was deleted`);
    }
    const volumeName = claim.spec?.volumeName;
    if (!volumeName || !isClaimBindCompleted(claim)) {
      const seen = Number(claim.metadata.resourceVersion ?? 0);
      if (claim.metadata.annotations?.[ANN_SELECTED_NODE] !== nodeName && seen >= annotatedAt) {
        throw new PreBindError(`selectedNode annotation reset for PVC "${name}"`);
      }
      return false;
    }
    const volume = this.#opts.listers.volume(volumeName);
    if (!volume) return false;
    const node = this.#opts.node(nodeName);
    if (node && !volumeFitsNode(volume, node)) {
      throw new PreBindError(
        `pv "${volumeName}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`,
      );
    }
    return true;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new PreBindError("the scheduler is stopping"));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new PreBindError("the scheduler is stopping"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
