import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { allResources } from "../../api/registry.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { OpenApiDocuments } from "./documents.js";
import { operationGroupVersion, operationTag, PATCH_MEDIA_TYPES } from "./operations.js";

const docs = new OpenApiDocuments(allResources, "v1.33.0-test");
const index = JSON.parse(docs.index().body.toString()) as {
  paths: Record<string, { serverRelativeURL: string }>;
};
const v3 = new Map<string, any>(
  Object.keys(index.paths).map((key) => [key, JSON.parse(docs.groupVersion(key)!.body.toString())]),
);
const v2 = JSON.parse(docs.v2Json().body.toString());

function keyOf(def: { group: string; version: string }): string {
  return def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
}

/** Calls `visit` on every schema object inside `node`, with its JSON path. */
function walkSchemas(node: unknown, path: string, visit: (s: any, path: string) => void): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => walkSchemas(n, `${path}[${i}]`, visit));
    return;
  }
  visit(node, path);
  for (const [k, v] of Object.entries(node)) walkSchemas(v, `${path}.${k}`, visit);
}

function gvkOf(s: any): { group: string; version: string; kind: string }[] {
  return s["x-kubernetes-group-version-kind"] ?? [];
}

describe("OpenApiDocuments index", () => {
  it("lists one entry per served group-version, with the document's digest as its hash", () => {
    const expected = [...new Set(allResources.map(keyOf))];
    assert.deepEqual(Object.keys(index.paths), expected);
    for (const [key, entry] of Object.entries(index.paths)) {
      const body = docs.groupVersion(key)!.body;
      const hash = createHash("sha512").update(body).digest("hex").toUpperCase();
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${key}?hash=${hash}`);
    }
  });

  it("gives the same hashes when generated again (stable digests)", () => {
    const again = new OpenApiDocuments(allResources, "v1.33.0-test");
    assert.equal(again.index().hash, docs.index().hash);
    assert.equal(again.v2Protobuf().hash, docs.v2Protobuf().hash);
  });

  it("returns undefined for a group-version that is not served", () => {
    assert.equal(docs.groupVersion("apis/nope/v1"), undefined);
  });
});

describe("OpenApiDocuments v3 schemas", () => {
  it("has every registered kind and its list kind, each with its group-version-kind", () => {
    for (const def of allResources) {
      const schemas = v3.get(keyOf(def)).components.schemas;
      const kind = schemas[def.schema];
      assert.ok(kind, `${def.schema} missing`);
      assert.deepEqual(gvkOf(kind), [{ group: def.group, kind: def.kind, version: def.version }]);
      const list = schemas[`${def.schema}List`];
      assert.ok(list, `${def.schema}List missing`);
      assert.deepEqual(gvkOf(list), [
        { group: def.group, kind: `${def.kind}List`, version: def.version },
      ]);
      assert.deepEqual(list.properties.items.items, { $ref: `#/components/schemas/${def.schema}` });
    }
  });

  it("resolves every $ref inside the same document", () => {
    for (const [key, doc] of v3) {
      walkSchemas(doc, key, (s, path) => {
        if (typeof s.$ref !== "string") return;
        const name = s.$ref.replace(/^#\/components\/schemas\//, "");
        assert.ok(doc.components.schemas[name], `${path}: dangling ${s.$ref}`);
      });
    }
  });

  it("describes every schema and every field", () => {
    for (const [key, doc] of v3) {
      for (const [name, schema] of Object.entries<any>(doc.components.schemas)) {
        assert.ok(schema.description, `${key} ${name} has no description`);
        for (const [field, prop] of Object.entries<any>(schema.properties ?? {})) {
          assert.ok(prop.description, `${key} ${name}.${field} has no description`);
        }
      }
    }
  });

  it("has the meta types operations use, and Scale where a kind has a scale subresource", () => {
    for (const [key, doc] of v3) {
      const names = Object.keys(doc.components.schemas);
      for (const meta of ["Status", "DeleteOptions", "WatchEvent", "Patch", "ListMeta"]) {
        assert.ok(names.includes(`io.k8s.apimachinery.pkg.apis.meta.v1.${meta}`), `${key} ${meta}`);
      }
      const scaled = allResources.some((d) => keyOf(d) === key && d.scale);
      assert.equal(names.includes("io.k8s.api.autoscaling.v1.Scale"), scaled, key);
    }
  });

  const apps = () => v3.get("apis/apps/v1").components.schemas;
  const core = () => v3.get("api/v1").components.schemas;
  const cases: { what: string; get: () => any; expected: Record<string, unknown> }[] = [
    {
      what: "containers merge by name as a list-map",
      get: () => core()["io.k8s.api.core.v1.PodSpec"].properties.containers,
      expected: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        "x-kubernetes-patch-merge-key": "name",
        "x-kubernetes-patch-strategy": "merge",
      },
    },
    {
      what: "a Deployment's strategy keeps only the keys of its type",
      get: () => apps()["io.k8s.api.apps.v1.DeploymentSpec"].properties.strategy,
      expected: { "x-kubernetes-patch-strategy": "retainKeys" },
    },
    {
      what: "references with a description are wrapped in allOf",
      get: () => apps()["io.k8s.api.apps.v1.Deployment"].properties.metadata,
      expected: {
        allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }],
      },
    },
    {
      what: "label selectors are atomic maps",
      get: () => apps()["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"],
      expected: { type: "object", "x-kubernetes-map-type": "atomic" },
    },
    {
      what: "int-or-string is an integer or a string",
      get: () => apps()["io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
      expected: { format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] },
    },
    {
      what: "quantities are strings or numbers",
      get: () => core()["io.k8s.apimachinery.pkg.api.resource.Quantity"],
      expected: { oneOf: [{ type: "string" }, { type: "number" }] },
    },
    {
      what: "times are date-time strings",
      get: () => core()["io.k8s.apimachinery.pkg.apis.meta.v1.Time"],
      expected: { type: "string", format: "date-time" },
    },
    {
      what: "free-form values are RawExtension objects",
      get: () => apps()["io.k8s.apimachinery.pkg.runtime.RawExtension"],
      expected: { type: "object" },
    },
    {
      what: "replicas is an int32",
      get: () => apps()["io.k8s.api.apps.v1.DeploymentSpec"].properties.replicas,
      expected: { type: "integer", format: "int32" },
    },
    {
      what: "required fields are listed",
      get: () => core()["io.k8s.api.core.v1.Container"],
      expected: { required: ["name"] },
    },
  ];
  for (const c of cases) {
    it(`marks that ${c.what}`, () => {
      const schema = c.get();
      for (const [k, v] of Object.entries(c.expected)) assert.deepEqual(schema[k], v, k);
    });
  }
});

describe("OpenApiDocuments v3 paths", () => {
  it("gives every patchable kind a PATCH kubectl recognises for server-side validation", () => {
    for (const def of allResources) {
      if (def.verbs && !def.verbs.includes("patch")) continue;
      const paths = v3.get(keyOf(def)).paths;
      const ns = def.namespaced ? "/namespaces/{namespace}" : "";
      const patch = paths[`/${keyOf(def)}${ns}/${def.plural}/{name}`].patch;
      assert.deepEqual(patch["x-kubernetes-group-version-kind"], {
        group: def.group,
        kind: def.kind,
        version: def.version,
      });
      assert.equal(patch["x-kubernetes-action"], "patch");
      const params = patch.parameters.map((p: any) => p.name);
      for (const p of ["dryRun", "fieldManager", "fieldValidation", "force"]) {
        assert.ok(params.includes(p), `${def.kind} patch lacks ${p}`);
      }
      assert.deepEqual(Object.keys(patch.requestBody.content), [...PATCH_MEDIA_TYPES]);
    }
  });

  it("lays out the operations of a namespaced kind with subresources as upstream does", () => {
    const paths = v3.get("apis/apps/v1").paths;
    const actions = (path: string) =>
      Object.fromEntries(
        Object.entries<any>(paths[path])
          .filter(([k]) => k !== "parameters")
          .map(([method, op]) => [method, `${op["x-kubernetes-action"]} ${op.operationId}`]),
      );
    assert.deepEqual(actions("/apis/apps/v1/namespaces/{namespace}/deployments"), {
      get: "list listAppsV1NamespacedDeployment",
      post: "post createAppsV1NamespacedDeployment",
      delete: "deletecollection deleteAppsV1CollectionNamespacedDeployment",
    });
    assert.deepEqual(actions("/apis/apps/v1/namespaces/{namespace}/deployments/{name}"), {
      get: "get readAppsV1NamespacedDeployment",
      put: "put replaceAppsV1NamespacedDeployment",
      delete: "delete deleteAppsV1NamespacedDeployment",
      patch: "patch patchAppsV1NamespacedDeployment",
    });
    assert.deepEqual(actions("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"), {
      get: "get readAppsV1NamespacedDeploymentStatus",
      put: "put replaceAppsV1NamespacedDeploymentStatus",
      patch: "patch patchAppsV1NamespacedDeploymentStatus",
    });
    const scale = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
    assert.deepEqual(scale.get["x-kubernetes-group-version-kind"], {
      group: "autoscaling",
      kind: "Scale",
      version: "v1",
    });
    assert.equal(
      scale.put.requestBody.content["*/*"].schema.$ref,
      "#/components/schemas/io.k8s.api.autoscaling.v1.Scale",
    );
    assert.deepEqual(actions("/apis/apps/v1/deployments"), {
      get: "list listAppsV1DeploymentForAllNamespaces",
    });
    assert.deepEqual(actions("/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}"), {
      get: "watch watchAppsV1NamespacedDeployment",
    });
    const list = paths["/apis/apps/v1/namespaces/{namespace}/deployments"].get;
    assert.deepEqual(
      list.parameters.map((p: any) => p.name),
      [
        "allowWatchBookmarks",
        "continue",
        "fieldSelector",
        "labelSelector",
        "limit",
        "resourceVersion",
        "resourceVersionMatch",
        "sendInitialEvents",
        "timeoutSeconds",
        "watch",
      ],
    );
    assert.equal(
      list.responses["200"].content["application/json"].schema.$ref,
      "#/components/schemas/io.k8s.api.apps.v1.DeploymentList",
    );
  });

  it("offers only the verbs a kind supports", () => {
    const deployment = allResources.find((d) => d.kind === "Deployment")!;
    const createOnly: ResourceDefinition[] = [{ ...deployment, verbs: ["create"] }];
    const only = new OpenApiDocuments(createOnly, "v");
    const doc = JSON.parse(only.groupVersion("apis/apps/v1")!.body.toString());
    const ops = Object.entries<any>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== "parameters")
        .map((m) => `${m} ${path}`),
    );
    assert.deepEqual(ops, [
      "get /apis/apps/v1/",
      "post /apis/apps/v1/namespaces/{namespace}/deployments",
      "get /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
      "put /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
      "patch /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
      "get /apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
      "put /apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
      "patch /apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
    ]);
  });

  it("refuses a kind whose schema type is not defined", () => {
    const deployment = allResources.find((d) => d.kind === "Deployment")!;
    const broken = new OpenApiDocuments([{ ...deployment, schema: "io.example.Nope" }], "v");
    assert.throws(() => broken.index(), /io\.example\.Nope is not defined/);
  });
});

describe("OpenApiDocuments v2", () => {
  it("holds every group-version's paths and resolves every $ref to a definition", () => {
    for (const doc of v3.values()) {
      for (const path of Object.keys(doc.paths)) assert.ok(v2.paths[path], path);
    }
    walkSchemas(v2, "v2", (s, path) => {
      if (typeof s.$ref !== "string") return;
      const name = s.$ref.replace(/^#\/definitions\//, "");
      assert.ok(v2.definitions[name], `${path}: dangling ${s.$ref}`);
    });
  });

  it("puts descriptions beside references and spells scalars in Swagger 2 types", () => {
    const meta = v2.definitions["io.k8s.api.apps.v1.Deployment"].properties.metadata;
    assert.equal(meta.$ref, "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert.ok(meta.description);
    assert.deepEqual(
      { ...v2.definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"], description: "" },
      { type: "string", format: "int-or-string", description: "" },
    );
  });

  it("gives PATCH a body parameter and the patch media types", () => {
    const patch = v2.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    assert.deepEqual(patch.consumes, [...PATCH_MEDIA_TYPES]);
    assert.deepEqual(patch.parameters[0], {
      name: "body",
      in: "body",
      schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" },
      required: true,
    });
    assert.ok(patch.parameters.some((p: any) => p.name === "fieldValidation" && p.in === "query"));
  });
});

describe("operation names", () => {
  const cases: [string, string, string, string][] = [
    ["", "v1", "CoreV1", "core_v1"],
    ["apps", "v1", "AppsV1", "apps_v1"],
    ["events.k8s.io", "v1", "EventsV1", "events_v1"],
    ["rbac.authorization.k8s.io", "v1", "RbacAuthorizationV1", "rbacAuthorization_v1"],
    ["autoscaling", "v2beta1", "AutoscalingV2beta1", "autoscaling_v2beta1"],
  ];
  for (const [group, version, id, tag] of cases) {
    it(`operationGroupVersion("${group}", "${version}") is ${id} and its tag ${tag}`, () => {
      assert.equal(operationGroupVersion(group, version), id);
      assert.equal(operationTag(group, version), tag);
    });
  }
});
