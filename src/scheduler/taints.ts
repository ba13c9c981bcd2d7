/** Toleration matching, as the node agent and the scheduler both apply it. */
import type { Taint } from "../api/core/v1/node.js";
import type { Toleration } from "../api/core/v1/pod-shapes.js";

/** Whether one toleration tolerates a taint (an empty key with Exists tolerates every taint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? "";
  if (op === "Exists") return true;
  if (op === "" || op === "Equal") return (t.value ?? "") === (taint.value ?? "");
  return false;
}

/** Whether any of the tolerations tolerates the taint. */
export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (let i = 0; i < tolerations.length; i++)
    if (toleratesTaint(tolerations[i]!, taint)) return true;
  return false;
}

/** The first taint none of the tolerations tolerates. */
export function firstUntolerated(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Taint | undefined {
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i]!;
    if (!tolerated(tolerations, taint)) return taint;
  }
  return undefined;
}
