/**
 * The time of the first change a sync of a service's endpoints reflects, for the
 * `endpoints.kubernetes.io/last-change-trigger-time` annotation (which lets latency be measured from
 * the change to the programming of the proxies). A pod's change time is its Ready condition's last
 * transition; a service's is its creation. Each sync reports the earliest change it has not yet
 * reported, as upstream's tracker does.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service } from "../../api/core/v1/service.js";

interface ServiceState {
  service: number | undefined;
  pods: Map<string, number>;
}

/** Remembers, per service, the change times already reflected by a sync. */
export class TriggerTimeTracker {
  readonly #states = new Map<string, ServiceState>();

  /**
   * The earliest change time among the service and `pods` that changed since the last call for
   * `key`, and records the current times; undefined when nothing with a known time changed.
   */
  compute(key: string, service: Service, pods: readonly Pod[]): number | undefined {
    const old = this.#states.get(key);
    const state: ServiceState = {
      service: parse(service.metadata.creationTimestamp),
      pods: new Map(),
    };
    let earliest: number | undefined;
    // A time counts when it is later than the one last seen (or the first one seen).
    const consider = (time: number | undefined, before: number | undefined): void => {
      if (time === undefined || (before !== undefined && time <= before)) return;
      if (earliest === undefined || time < earliest) earliest = time;
    };
    consider(state.service, old?.service);
    for (const pod of pods) {
      const podKey = pod.metadata.name ?? "";
      const time = parse(
        pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime,
      );
      if (time === undefined) continue;
      state.pods.set(podKey, time);
      consider(time, old?.pods.get(podKey));
    }
    this.#states.set(key, state);
    return earliest;
  }

  /** Forgets a service that is gone. */
  delete(key: string): void {
    this.#states.delete(key);
  }
}

function parse(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A time as the annotation carries it: RFC 3339 in UTC, fractional seconds without trailing zeros. */
export function formatTriggerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, "Z");
}
