/**
 * Zones and the rate of evictions in each, without I/O (upstream's zone states and
 * RateLimitedTimedQueue). A zone whose nodes are mostly not ready is more likely cut off from the
 * control plane than broken, so evicting its pods slows down (PartialDisruption) or, when every
 * zone is fully down, stops altogether.
 */
import type { Node, NodeCondition } from "../../api/core/v1/node.js";

/** The state of a zone. */
export type ZoneState = "Normal" | "PartialDisruption" | "FullDisruption";

/** The eviction rate settings (upstream's flags of the same names). */
export interface EvictionRates {
  /** NoExecute taints added per second in a healthy zone (0.1). */
  evictionLimiterQPS: number;
  /** Per second in a partly disrupted large zone (0.01). */
  secondaryEvictionLimiterQPS: number;
  /** Nodes beyond which a zone counts as large (50). */
  largeClusterSizeThreshold: number;
  /** Share of not-ready nodes (with more than two) that makes a zone partly disrupted (0.55). */
  unhealthyZoneThreshold: number;
}

/** Upstream's defaults. */
export const DEFAULT_EVICTION_RATES: EvictionRates = {
  evictionLimiterQPS: 0.1,
  secondaryEvictionLimiterQPS: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

/** The zone of a node: region and zone labels (current or beta spelling), empty when unset. */
export function zoneOf(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const region =
    labels["topology.kubernetes.io/region"] ??
    labels["failure-domain.beta.kubernetes.io/region"] ??
    "";
  const zone =
    labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\u0000:${zone}`;
}

/** The state of a zone from the Ready conditions of its nodes. */
export function zoneState(
  readyConditions: readonly (NodeCondition | undefined)[],
  unhealthyThreshold: number,
): ZoneState {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === "True") ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) {
    return "PartialDisruption";
  }
  return "Normal";
}

/** NoExecute taints per second a zone may get in a state; 0 stops them. */
export function zoneRate(state: ZoneState, zoneSize: number, rates: EvictionRates): number {
  switch (state) {
    case "Normal":
    case "FullDisruption":
      return rates.evictionLimiterQPS;
    case "PartialDisruption":
      return zoneSize > rates.largeClusterSizeThreshold ? rates.secondaryEvictionLimiterQPS : 0;
  }
}

/** A token bucket of burst one refilled at `qps` per second; a rate of 0 never gives a token. */
export class TokenBucket {
  #qps: number;
  #tokens = 1;
  #last: number;

  constructor(qps: number, now: number) {
    this.#qps = qps;
    this.#last = now;
  }

  get qps(): number {
    return this.#qps;
  }

  /** Changes the rate; the bucket starts full again, as upstream swaps in a new limiter. */
  setRate(qps: number, now: number): void {
    if (qps === this.#qps) return;
    this.#qps = qps;
    this.#tokens = qps > 0 ? 1 : 0;
    this.#last = now;
  }

  /** Takes a token if one is there at `now` (ms). */
  tryAccept(now: number): boolean {
    if (this.#qps <= 0) return false;
    this.#tokens = Math.min(1, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * Nodes waiting for a NoExecute taint in one zone, first come first served, each once, behind the
 * zone's token bucket.
 */
export class ZoneQueue {
  readonly bucket: TokenBucket;
  readonly #waiting = new Set<string>();

  constructor(qps: number, now: number) {
    this.bucket = new TokenBucket(qps, now);
  }

  add(node: string): void {
    this.#waiting.add(node);
  }

  remove(node: string): boolean {
    return this.#waiting.delete(node);
  }

  has(node: string): boolean {
    return this.#waiting.has(node);
  }

  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Hands out waiting nodes while tokens last at `now`; `process` returns false to keep a node
   * waiting (it is tried again later, at the back).
   */
  drain(now: number, process: (node: string) => boolean): void {
    for (const node of [...this.#waiting]) {
      if (!this.bucket.tryAccept(now)) return;
      this.#waiting.delete(node);
      if (!process(node)) this.#waiting.add(node);
    }
  }
}
