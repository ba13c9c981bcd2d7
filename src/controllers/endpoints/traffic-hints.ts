/**
 * Hints for `trafficDistribution`, after upstream's trafficdist package: with `PreferClose` or
 * `PreferSameZone`, every ready endpoint is hinted for its own zone (and with `PreferSameNode`
 * also for its own node), so that proxies keep traffic close; otherwise slices carry no hints.
 * Slices that would stay unchanged are rewritten only when their hints are missing or stale.
 */
import type { Service } from "../../api/core/v1/service.js";
import type { Endpoint, EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";

/** The annotations of the older topology-aware routing, which upstream serves with its topology cache. */
const TOPOLOGY_ANNOTATIONS = [
  "service.kubernetes.io/topology-aware-hints",
  "service.kubernetes.io/topology-mode",
];
const CLOSE = new Set(["PreferClose", "PreferSameZone", "PreferSameNode"]);

/** The hints each endpoint of a slice should carry for a service. */
export interface HintPolicy {
  /** The hints `ep` should have; undefined for none. */
  hintsFor(ep: Endpoint): Endpoint["hints"];
}

/**
 * The policy of a service: close routing from `trafficDistribution`, unless the topology
 * annotation asks for the older mode, which wins as upstream (and, without a topology cache, here
 * means no hints).
 */
export function hintPolicy(service: Service): HintPolicy {
  const annotations = service.metadata.annotations ?? {};
  const topology = TOPOLOGY_ANNOTATIONS.map((k) => annotations[k]).find((v) => v !== undefined);
  const auto = topology === "Auto" || topology === "auto";
  const distribution = service.spec?.trafficDistribution;
  if (auto || !distribution || !CLOSE.has(distribution)) return { hintsFor: () => undefined };
  const nodes = distribution === "PreferSameNode";
  return {
    hintsFor: (ep) => {
      if (ep.conditions?.ready !== true) return ep.hints;
      const hints: NonNullable<Endpoint["hints"]> = {};
      if (ep.zone !== undefined) hints.forZones = [{ name: ep.zone }];
      if (nodes && ep.nodeName !== undefined) hints.forNodes = [{ name: ep.nodeName }];
      return hints.forZones || hints.forNodes ? hints : undefined;
    },
  };
}

function sameHints(a: Endpoint["hints"], b: Endpoint["hints"]): boolean {
  const names = (list: { name?: string }[] | undefined): string =>
    (list ?? []).map((x) => x.name ?? "").join(",");
  return names(a?.forZones) === names(b?.forZones) && names(a?.forNodes) === names(b?.forNodes);
}

/** Whether some endpoint of the slice lacks the hints the policy gives it. */
export function needsHints(slice: EndpointSlice, policy: HintPolicy): boolean {
  return (slice.endpoints ?? []).some((ep) => !sameHints(ep.hints, policy.hintsFor(ep)));
}

/** The slice with every endpoint's hints set as the policy says. */
export function withHints(slice: EndpointSlice, policy: HintPolicy): EndpointSlice {
  const endpoints = (slice.endpoints ?? []).map((ep) => {
    const hints = policy.hintsFor(ep);
    const { hints: _old, ...rest } = ep;
    return hints ? { ...rest, hints } : rest;
  });
  return { ...slice, endpoints };
}
