/**
 * What a DaemonSet's ControllerRevisions record: a strategic merge patch that puts the template
 * back whole (`kubectl rollout undo` sends it as it is), and the hash of the template with the
 * DaemonSet's collision count, which names the revision and labels its pods.
 */
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import { copyJson } from "../../util/json-copy.js";
import { computeHash } from "./history.js";

/** The revision data of the DaemonSet's current template: `{spec: {template: {..., $patch: replace}}}`. */
export function daemonSetRevisionData(ds: DaemonSet): {
  spec: { template: Record<string, unknown> };
} {
  const template = copyJson(ds.spec?.template ?? {}) as Record<string, unknown>;
  template["$patch"] = "replace";
  return { spec: { template } };
}

/** The hash of the DaemonSet's current template and collision count. */
export function daemonSetTemplateHash(ds: DaemonSet): string {
  return computeHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
}
