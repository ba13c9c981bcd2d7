/**
 * Discovery: which groups, versions and resources the server has. Both forms are served: the aggregated
 * documents (`apidiscovery.k8s.io/v2`, one request for everything) that current clients ask for, and the
 * legacy per-group-version documents older clients and some commands (auth can-i, drain) still read.
 */
import { TOKEN_REQUEST_KIND } from "../../api/authentication/v1/index.js";
import { StatusError } from "../../api/errors.js";
import { ALL_VERBS, type ResourceDefinition } from "../../api/resource.js";
import { parseAccept, writeJson } from "../http/respond.js";
import type { RequestContext } from "./context.js";

const SUBRESOURCE_VERBS = ["get", "patch", "update"];

interface Subresource {
  name: string;
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

/** The groups of the server and their resources, in discovery order. */
export class DiscoveryDocuments {
  readonly #byGroupVersion = new Map<string, ResourceDefinition[]>();
  readonly #groups: string[] = [];
  readonly #address: string;

  constructor(defs: readonly ResourceDefinition[], serverAddress: string) {
    for (const def of defs) {
      const gv = `${def.group}/${def.version}`;
      if (!this.#byGroupVersion.has(gv)) this.#byGroupVersion.set(gv, []);
      this.#byGroupVersion.get(gv)!.push(def);
      if (def.group && !this.#groups.includes(def.group)) this.#groups.push(def.group);
    }
    this.#address = serverAddress;
  }

  /** Serves `/api`, `/apis`, `/api/v1`, `/apis/<group>` and `/apis/<group>/<version>`. */
  serve(ctx: RequestContext): void {
    const { prefix, group, version } = ctx.info;
    if (ctx.info.verb !== "get" && ctx.info.verb !== "list") {
      throw StatusError.methodNotAllowed(`${ctx.req.method} is not allowed on discovery documents`);
    }
    const aggregated = aggregatedVersion(ctx.req.headers.accept);
    if (prefix === "api" && !version) {
      if (aggregated) return this.#writeAggregated(ctx, aggregated, [""]);
      writeJson(
        ctx.res,
        200,
        {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: this.#address }],
        },
        { Vary: "Accept" },
      );
      return;
    }
    if (prefix === "apis" && !group) {
      if (aggregated) return this.#writeAggregated(ctx, aggregated, this.#groups);
      writeJson(
        ctx.res,
        200,
        {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: this.#groups.map((g) => this.#apiGroup(g)),
        },
        { Vary: "Accept" },
      );
      return;
    }
    if (prefix === "apis" && !version) {
      if (!this.#groups.includes(group)) throw notFound();
      writeJson(ctx.res, 200, { kind: "APIGroup", apiVersion: "v1", ...this.#apiGroup(group) });
      return;
    }
    const defs = this.#byGroupVersion.get(`${group}/${version}`);
    if (!defs) throw notFound();
    writeJson(ctx.res, 200, {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources: defs.flatMap((def) => legacyResources(def)),
    });
  }

  /** Whether a group/version is served (for 404s on unknown resource paths). */
  has(group: string, version: string): boolean {
    return this.#byGroupVersion.has(`${group}/${version}`);
  }

  #versionsOf(group: string): string[] {
    const versions: string[] = [];
    for (const gv of this.#byGroupVersion.keys()) {
      const [g, v] = gv.split("/") as [string, string];
      if (g === group && !versions.includes(v)) versions.push(v);
    }
    return versions;
  }

  #apiGroup(group: string): Record<string, unknown> {
    const versions = this.#versionsOf(group).map((v) => ({
      groupVersion: `${group}/${v}`,
      version: v,
    }));
    return { name: group, versions, preferredVersion: versions[0] };
  }

  #writeAggregated(ctx: RequestContext, version: string, groups: string[]): void {
    const items = groups.map((group) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: this.#versionsOf(group).map((v) => ({
        version: v,
        resources: (this.#byGroupVersion.get(`${group}/${v}`) ?? []).map(aggregatedResource),
        freshness: "Current",
      })),
    }));
    const body = {
      kind: "APIGroupDiscoveryList",
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items,
    };
    writeJson(ctx.res, 200, body, {
      "Content-Type": `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
      Vary: "Accept",
    });
  }
}

function notFound(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource");
}

/** The aggregated discovery version the client accepts (v2 or v2beta1), or undefined for the legacy form. */
function aggregatedVersion(accept: string | undefined): string | undefined {
  for (const range of parseAccept(accept)) {
    if (
      range.params["g"] !== "apidiscovery.k8s.io" ||
      range.params["as"] !== "APIGroupDiscoveryList"
    )
      continue;
    if (range.params["v"] === "v2" || range.params["v"] === "v2beta1") return range.params["v"];
  }
  return undefined;
}

function subresourcesOf(def: ResourceDefinition): Subresource[] {
  const subs: Subresource[] = [];
  const own = { group: def.group, version: def.version, kind: def.kind };
  if (def.statusSubresource) subs.push({ name: "status", kind: own, verbs: SUBRESOURCE_VERBS });
  if (def.scale) {
    subs.push({
      name: "scale",
      kind: { group: "autoscaling", version: "v1", kind: "Scale" },
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (def.group === "" && def.plural === "pods") {
    subs.push({
      name: "binding",
      kind: { group: "", version: "v1", kind: "Binding" },
      verbs: ["create"],
    });
    subs.push({
      name: "eviction",
      kind: { group: "policy", version: "v1", kind: "Eviction" },
      verbs: ["create"],
    });
  }
  if (def.group === "" && def.plural === "serviceaccounts") {
    subs.push({ name: "token", kind: TOKEN_REQUEST_KIND, verbs: ["create"] });
  }
  // Upstream lists a resource's subresources by name.
  return subs.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function aggregatedResource(def: ResourceDefinition): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? "Namespaced" : "Cluster",
    singularResource: def.singular,
    verbs: def.verbs ?? ALL_VERBS,
  };
  if (def.shortNames?.length) entry["shortNames"] = def.shortNames;
  if (def.categories?.length) entry["categories"] = def.categories;
  const subs = subresourcesOf(def);
  if (subs.length) {
    entry["subresources"] = subs.map((s) => ({
      subresource: s.name,
      responseKind: s.kind,
      verbs: s.verbs,
    }));
  }
  return entry;
}

function legacyResources(def: ResourceDefinition): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: def.plural,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: def.verbs ?? ALL_VERBS,
  };
  if (def.shortNames?.length) main["shortNames"] = def.shortNames;
  if (def.categories?.length) main["categories"] = def.categories;
  const subs = subresourcesOf(def).map((s) => {
    const entry: Record<string, unknown> = {
      name: `${def.plural}/${s.name}`,
      singularName: "",
      namespaced: def.namespaced,
      kind: s.kind.kind,
      verbs: s.verbs,
    };
    if (s.kind.group !== def.group || s.kind.version !== def.version) {
      entry["group"] = s.kind.group;
      entry["version"] = s.kind.version;
    }
    return entry;
  });
  return [main, ...subs];
}
