/** The kinds the garbage collector follows, and the lookup of an ownerReference's kind to its resource. */
import type { ResourceDefinition } from "../../api/resource.js";
import type { ResourceDescriptor } from "../../client/resource.js";

/** Kinds upstream's collector ignores by default: events churn and never own anything. */
const IGNORED = new Set(["/events", "events.k8s.io/events"]);

function descriptorOf(def: ResourceDefinition): ResourceDescriptor {
  return {
    group: def.group,
    version: def.version,
    resource: def.plural,
    namespaced: def.namespaced,
    kind: def.kind,
  };
}

/** The stored kinds that can be listed, watched and deleted, minus the ignored ones. */
export function followedResources(defs: readonly ResourceDefinition[]): ResourceDescriptor[] {
  return defs
    .filter(
      (d) =>
        !d.virtual &&
        !IGNORED.has(`${d.group}/${d.plural}`) &&
        (!d.verbs || ["list", "watch", "delete"].every((v) => d.verbs?.includes(v))),
    )
    .map(descriptorOf);
}

/** Finds the resource of an `apiVersion` and `kind`, matching group and kind (one version per kind). */
export class ResourceIndex {
  readonly #byGroupKind = new Map<string, ResourceDescriptor>();

  constructor(defs: readonly ResourceDefinition[]) {
    for (const def of defs) {
      if (!def.virtual) this.#byGroupKind.set(`${def.group}/${def.kind}`, descriptorOf(def));
    }
  }

  /** The resource serving this kind, or undefined when the server does not serve it. */
  lookup(apiVersion: string, kind: string): ResourceDescriptor | undefined {
    const slash = apiVersion.indexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    return this.#byGroupKind.get(`${group}/${kind}`);
  }
}
