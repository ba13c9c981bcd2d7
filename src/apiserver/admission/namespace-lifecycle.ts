/**
 * NamespaceLifecycle: nothing is created in a namespace that does not exist or is being deleted, and the
 * namespaces the system needs cannot be deleted.
 */
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { AdmissionAttributes, ValidatingPlugin } from "./admission.js";

/** Namespaces that exist from the start and may never be deleted. */
export const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export class NamespaceLifecycle implements ValidatingPlugin {
  readonly name = "NamespaceLifecycle";
  readonly #getNamespace: (name: string) => KubeObject | undefined;

  /** `getNamespace` reads the current namespace of that name (from the watch cache). */
  constructor(getNamespace: (name: string) => KubeObject | undefined) {
    this.#getNamespace = getNamespace;
  }

  validate(attrs: AdmissionAttributes): void {
    if (attrs.def.kind === "Namespace" && attrs.def.group === "" && attrs.operation === "DELETE") {
      if (IMMORTAL_NAMESPACES.has(attrs.name)) {
        throw StatusError.forbidden(
          { group: "", resource: "namespaces" },
          attrs.name,
          "this namespace may not be deleted",
        );
      }
      return;
    }
    if (!attrs.def.namespaced || attrs.operation !== "CREATE") return;
    const ns = this.#getNamespace(attrs.namespace);
    if (!ns) throw StatusError.notFound({ group: "", resource: "namespaces" }, attrs.namespace);
    const phase = (ns["status"] as { phase?: string } | undefined)?.phase;
    if (phase === "Terminating" || ns.metadata.deletionTimestamp) {
      throw StatusError.forbidden(
        { group: attrs.def.group, resource: attrs.def.plural },
        attrs.name,
        `unable to create new content in namespace ${attrs.namespace} because it is being terminated`,
      );
    }
  }
}
