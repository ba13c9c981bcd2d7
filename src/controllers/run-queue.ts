/** The run loop every controller shares: workers over its queue until the controller's signal aborts. */
import { runWorkers, type ReconcileResult, type WorkQueue } from "../client/work-queue.js";
import type { Logger } from "../util/log.js";

/**
 * An error a reconcile throws to be retried with back-off when it is waiting rather than failing (content
 * still being deleted, say); logged at debug level only.
 */
export class RetryLater extends Error {}

/** Runs `workers` workers on `queue` until `signal` aborts, then lets them finish the keys in hand. */
export async function runQueue(
  name: string,
  signal: AbortSignal,
  queue: WorkQueue<string>,
  workers: number,
  reconcile: (key: string) => Promise<ReconcileResult>,
  log: Logger,
): Promise<void> {
  if (signal.aborted) queue.shutDown();
  else signal.addEventListener("abort", () => queue.shutDown(), { once: true });
  await runWorkers(queue, workers, reconcile, {
    onError: (key, err) => {
      if (err instanceof RetryLater) log.debug(err.message, { controller: name, key });
      else log.warn("Reconcile failed", { controller: name, key, err });
    },
  });
}
