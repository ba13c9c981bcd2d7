/**
 * Carries out the steps of a StatefulSet sync through the API (upstream's StatefulPodControl):
 * claims before pods, deletions with the pod's UID as a precondition, owner references of claims
 * for the retention policy, and an Event for each write a user should see.
 */
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { isAlreadyExists, isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import { resources } from "../../client/resource.js";
import { errorMessage } from "../../util/error-message.js";
import { isNamespaceTerminating } from "../replicaset/controller-index.js";
import { RetryLater } from "../run-queue.js";
import { slowStartBatches } from "../replicaset/replica-set-logic.js";
import type { StatefulSetAction, StatefulSetStep } from "./stateful-set-logic.js";

/** Writes pods and claims for one StatefulSet controller. */
export class StatefulPodControl {
  readonly #client: KubeClient;
  readonly #recorder: EventRecorder;

  constructor(client: KubeClient, recorder: EventRecorder) {
    this.#client = client;
    this.#recorder = recorder;
  }

  /**
   * Runs the steps of one phase: one after another, stopping at the first failure, or (`burst`)
   * in slow-start batches of 1, 2, 4 … steps at once, stopping after a batch with a failure.
   * Throws the first failure.
   */
  async runPhase(set: StatefulSet, steps: StatefulSetStep[], burst: boolean): Promise<void> {
    if (!burst) {
      for (const step of steps) await this.#runStep(set, step);
      return;
    }
    let offset = 0;
    for (const size of slowStartBatches(steps.length, 1)) {
      const batch = steps.slice(offset, offset + size);
      offset += size;
      const results = await Promise.allSettled(batch.map((step) => this.#runStep(set, step)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  }

  async #runStep(set: StatefulSet, step: StatefulSetStep): Promise<void> {
    for (const action of step) await this.#run(set, action);
  }

  async #run(set: StatefulSet, action: StatefulSetAction): Promise<void> {
    switch (action.type) {
      case "deletePod":
        return this.#deletePod(set, action.pod, action.why);
      case "createPod":
        await this.#createClaims(set, action.pod, action.claims, action.claimsBeingDeleted);
        return this.#createPod(set, action.pod);
      case "createClaims":
        return this.#createClaims(set, action.pod, action.claims, action.claimsBeingDeleted);
      case "updatePod":
        return this.#updatePod(set, action.pod);
      case "updateClaims":
        return this.#updateClaims(set, action);
    }
  }

  async #createPod(set: StatefulSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name ?? "";
    try {
      await this.#client.create<Pod>(resources.pods, pod);
    } catch (err) {
      // The cache has not seen the pod an earlier sync made yet; the next sync will.
      if (isAlreadyExists(err)) throw new RetryLater(`Pod ${name} already exists`);
      if (!isNamespaceTerminating(err)) this.#podEvent(set, "create", name, err);
      throw err;
    }
    this.#podEvent(set, "create", name);
  }

  async #createClaims(
    set: StatefulSet,
    pod: Pod,
    claims: PersistentVolumeClaim[],
    beingDeleted: string[],
  ): Promise<void> {
    const podName = pod.metadata.name ?? "";
    const problems: string[] = [];
    for (const claim of claims) {
      const name = claim.metadata.name ?? "";
      try {
        await this.#client.create(resources.persistentVolumeClaims, claim);
        this.#recorder.event(
          set,
          "Normal",
          "SuccessfulCreate",
          `Created Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name ?? ""}`,
        );
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        problems.push(`cannot create claim ${name}: ${errorMessage(err)}`);
        if (isNamespaceTerminating(err)) continue;
        this.#recorder.event(
          set,
          "Warning",
          "FailedCreate",
          `Failed to create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name ?? ""}: ${errorMessage(err)}`,
        );
      }
    }
    for (const name of beingDeleted) problems.push(`claim ${name} is being deleted`);
    if (problems.length === 0) return;
    const err = new Error(`Cannot give pod ${podName} its claims: ${problems.join("; ")}`);
    this.#podEvent(set, "create", podName, err);
    throw err;
  }

  async #deletePod(set: StatefulSet, pod: Pod, why: string): Promise<void> {
    const name = pod.metadata.name ?? "";
    try {
      await this.#client.delete(resources.pods, name, {
        namespace: pod.metadata.namespace ?? "",
        ...(pod.metadata.uid ? { preconditions: { uid: pod.metadata.uid } } : {}),
      });
    } catch (err) {
      // Gone already, or replaced by a new pod of the same name (the UID precondition failed).
      if (isNotFound(err) || isConflict(err)) {
        if (why === "update") return;
        throw new RetryLater(`Pod ${name} is already gone`);
      }
      this.#podEvent(set, "delete", name, err);
      throw err;
    }
    this.#podEvent(set, "delete", name);
  }

  async #updatePod(set: StatefulSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name ?? "";
    try {
      await this.#client.update<Pod>(resources.pods, pod);
    } catch (err) {
      if (isConflict(err)) throw new RetryLater(`Pod ${name} changed; retrying`);
      if (isNotFound(err)) return;
      this.#podEvent(set, "update", name, err);
      throw err;
    }
    this.#podEvent(set, "update", name);
  }

  async #updateClaims(
    set: StatefulSet,
    action: Extract<StatefulSetAction, { type: "updateClaims" }>,
  ): Promise<void> {
    for (const name of action.conflicts) {
      this.#recorder.event(
        set,
        "Warning",
        "ConflictingController",
        `Claim ${name} is controlled by another object, so the retention policy of StatefulSet ${set.metadata.name ?? ""} does not apply to it`,
      );
    }
    for (const { claim, ownerReferences } of action.updates) {
      const updated: PersistentVolumeClaim = {
        ...claim,
        metadata: { ...claim.metadata, ownerReferences },
      };
      if (ownerReferences.length === 0) delete updated.metadata.ownerReferences;
      try {
        await this.#client.update(resources.persistentVolumeClaims, updated);
      } catch (err) {
        if (isNotFound(err)) continue;
        if (isConflict(err)) throw new RetryLater(`Claim ${claim.metadata.name ?? ""} changed`);
        throw new Error(
          `Cannot update the owners of claim ${claim.metadata.name ?? ""} for the retention policy: ${errorMessage(err)}`,
          { cause: err },
        );
      }
    }
  }

  /** SuccessfulCreate / FailedCreate and so on, on the set, naming the pod. */
  #podEvent(set: StatefulSet, verb: "create" | "delete" | "update", pod: string, err?: unknown) {
    const title = verb[0]?.toUpperCase() + verb.slice(1);
    const setName = set.metadata.name ?? "";
    const done = { create: "Created", delete: "Deleted", update: "Updated" }[verb];
    if (err === undefined) {
      this.#recorder.event(
        set,
        "Normal",
        `Successful${title}`,
        `${done} Pod ${pod} in StatefulSet ${setName}`,
      );
      return;
    }
    this.#recorder.event(
      set,
      "Warning",
      `Failed${title}`,
      `Failed to ${verb} Pod ${pod} in StatefulSet ${setName}: ${errorMessage(err)}`,
    );
  }
}
