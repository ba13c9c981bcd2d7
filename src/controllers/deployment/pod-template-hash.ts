/**
 * The pod-template-hash: the label that tells the pods (and ReplicaSets) of one Deployment
 * template from those of another, and the suffix of the ReplicaSet's name. It is upstream's
 * ComputeHash of the template (`computeHash` in `history/revision-hash.ts`, shared with the
 * DaemonSet controller), plus the Deployment's collision count when a hash already names another
 * template.
 */
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import type { LabelSelector } from "../../api/meta/types.js";
import { canonicalJson, computeHash } from "../history/revision-hash.js";

/** The label (on ReplicaSets, their selectors, and pods) that carries the template hash. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** The pod-template-hash of `template` (without its hash label) and `collisionCount`. */
export function computePodTemplateHash(
  template: PodTemplateSpec | undefined,
  collisionCount?: number,
): string {
  return computeHash(withoutHashLabel(template), collisionCount);
}

/** A shallow copy of `template` whose labels lack the hash label (other fields are shared). */
export function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const labels = template?.metadata?.labels;
  if (!labels || !(POD_TEMPLATE_HASH_LABEL in labels)) return template ?? {};
  const rest = { ...labels };
  delete rest[POD_TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...template.metadata, labels: rest } };
}

/**
 * Whether two templates are the same but for the hash label, treating absent, null and empty
 * values alike (upstream compares them semantically). Quantities are compared as spelled.
 */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

/** `labels` plus the hash label. */
export function labelsWithHash(
  labels: Readonly<Record<string, string>> | undefined,
  hash: string,
): Record<string, string> {
  return { ...labels, [POD_TEMPLATE_HASH_LABEL]: hash };
}

/** `selector` with `matchLabels` extended by the hash label, so it selects only this template. */
export function selectorWithHash(selector: LabelSelector | undefined, hash: string): LabelSelector {
  const out: LabelSelector = { matchLabels: labelsWithHash(selector?.matchLabels, hash) };
  if (selector?.matchExpressions) {
    out.matchExpressions = selector.matchExpressions.map((e) => ({
      ...e,
      ...(e.values ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}
