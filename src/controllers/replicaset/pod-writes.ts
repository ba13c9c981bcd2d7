/**
 * Pod deletions as the controllers that keep a count of pods make them (upstream's
 * RealPodControl.DeletePod with its events): in parallel, each reported as an Event on the owner,
 * each failure observed at once in the owner's expectations since the informer will never see it.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import type { KubeObject } from "../../api/meta/types.js";
import { isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import { objectKey, resources } from "../../client/resource.js";
import { errorMessage } from "../../util/error-message.js";
import type { ControllerExpectations } from "./expectations.js";

/** Who deletes the pods, and where the deletions are expected. */
export interface PodDeletions {
  client: KubeClient;
  recorder: EventRecorder;
  expectations: ControllerExpectations;
  /** The owner's key in `expectations`, which the caller has told to expect the deletions. */
  key: string;
  /** The owner the events are about. */
  owner: KubeObject;
}

/**
 * Deletes `pods` in parallel with `SuccessfulDelete` and `FailedDelete` events. A pod already
 * gone counts as deleted. Resolves the first other failure, or undefined when all went well.
 */
export async function deletePods(d: PodDeletions, pods: readonly Pod[]): Promise<unknown> {
  let firstError: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      const podName = pod.metadata.name ?? "";
      try {
        await d.client.delete(resources.pods, podName, { namespace: pod.metadata.namespace ?? "" });
        d.recorder.event(d.owner, "Normal", "SuccessfulDelete", `Deleted pod: ${podName}`);
      } catch (err) {
        // A failed delete is never observed (and a pod already gone was, or will be).
        d.expectations.deletionObserved(d.key, objectKey(pod.metadata));
        if (isNotFound(err)) return;
        firstError ??= err;
        d.recorder.event(
          d.owner,
          "Warning",
          "FailedDelete",
          `Error deleting: ${errorMessage(err)}`,
        );
      }
    }),
  );
  return firstError;
}
