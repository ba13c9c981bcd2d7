/**
 * Settings of individual controllers that `kates server` takes as flags, as upstream's
 * kube-controller-manager does (`--node-monitor-grace-period`, `--terminated-pod-gc-threshold`).
 * They reach the manager as factories that replace the named controllers' defaults.
 */
import { parseGoDuration } from "../util/duration.js";
import type { ControllerFactory } from "./manager.js";
import { nodeLifecycleControllerFactory } from "./nodelifecycle/controller.js";
import { podGCControllerFactory } from "./podgc/controller.js";

/** Controller settings; each unset one keeps upstream's default. */
export interface ControllerSettings {
  /** Silence after which a node's conditions become Unknown (40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Finished pods kept before pod GC deletes the oldest (12500; 0 keeps all). */
  terminatedPodGcThreshold?: number;
}

/** The controllers to run: names, with those whose settings differ replaced by factories. */
export function controllersWithSettings(
  names: readonly string[],
  settings: ControllerSettings,
): (string | ControllerFactory)[] {
  return names.map((name) => {
    if (name === "nodelifecycle" && settings.nodeMonitorGracePeriodMs !== undefined) {
      return nodeLifecycleControllerFactory({
        nodeMonitorGracePeriodMs: settings.nodeMonitorGracePeriodMs,
      });
    }
    if (name === "podgc" && settings.terminatedPodGcThreshold !== undefined) {
      return podGCControllerFactory({ terminatedPodThreshold: settings.terminatedPodGcThreshold });
    }
    return name;
  });
}

/**
 * Milliseconds of a Go-style duration (`40s`, `1m30s`, `500ms`, `1.5h`); throws on anything else,
 * including negative durations.
 */
export function parseDuration(text: string): number {
  const ms = parseGoDuration(text.trim());
  if (ms === undefined || ms < 0) {
    throw new Error(
      `Invalid duration ${JSON.stringify(text)}: use a number with a unit, such as 40s, 1m30s or 500ms`,
    );
  }
  return Math.round(ms);
}
