/**
 * DefaultTolerationSeconds: a new pod that does not say how long it tolerates its node being not
 * ready or unreachable gets NoExecute tolerations of both for 300 seconds, so that the taint
 * eviction controller moves it off a failed node after five minutes rather than at once.
 */
import type { Toleration } from "../../api/core/v1/pod-shapes.js";
import type { AdmissionAttributes, MutatingPlugin } from "./admission.js";

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

/** Upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

export class DefaultTolerationSeconds implements MutatingPlugin {
  readonly name = "DefaultTolerationSeconds";
  readonly #notReadySeconds: number;
  readonly #unreachableSeconds: number;

  constructor(
    notReadySeconds = DEFAULT_TOLERATION_SECONDS,
    unreachableSeconds = DEFAULT_TOLERATION_SECONDS,
  ) {
    this.#notReadySeconds = notReadySeconds;
    this.#unreachableSeconds = unreachableSeconds;
  }

  admit(attrs: AdmissionAttributes): void {
    if (attrs.operation !== "CREATE" || attrs.subresource !== "") return;
    if (attrs.def.group !== "" || attrs.def.plural !== "pods" || !attrs.object) return;
    const spec = (attrs.object as { spec?: { tolerations?: Toleration[] } }).spec;
    if (!spec || typeof spec !== "object") return;
    const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
    const added = defaultTolerations(tolerations, this.#notReadySeconds, this.#unreachableSeconds);
    if (added.length) spec.tolerations = [...tolerations, ...added];
  }
}

/** The tolerations a pod with `tolerations` lacks: one per key no NoExecute toleration covers. */
export function defaultTolerations(
  tolerations: readonly Toleration[],
  notReadySeconds: number,
  unreachableSeconds: number,
): Toleration[] {
  const covers = (key: string): boolean =>
    tolerations.some(
      (t) => (t?.key === key || !t?.key) && (t?.effect === "NoExecute" || !t?.effect),
    );
  const added: Toleration[] = [];
  if (!covers(NOT_READY)) {
    added.push({
      key: NOT_READY,
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: notReadySeconds,
    });
  }
  if (!covers(UNREACHABLE)) {
    added.push({
      key: UNREACHABLE,
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: unreachableSeconds,
    });
  }
  return added;
}
