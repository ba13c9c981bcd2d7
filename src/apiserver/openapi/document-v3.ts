/**
 * OpenAPI 3.0 documents, one per group-version, as `/openapi/v3/<api/v1|apis/group/version>` serves
 * them.
 */
import type { JsonObject } from "../patch/json-value.js";
import { scalarType, type TypeLookup } from "./builtin-types.js";
import type { GroupVersionModel } from "./model.js";
import {
  groupVersionPaths,
  PATCH_MEDIA_TYPES,
  type OperationSpec,
  type ParameterSpec,
} from "./operations.js";
import { objectSchema, REF_PREFIX, scalarSchema } from "./schemas.js";

/** The `info.title` of every document, as upstream's documents have it. */
export const DOCUMENT_TITLE = "Kubernetes";

/** Builds the OpenAPI 3.0 document of one group-version. */
export function groupVersionDocumentV3(
  gv: GroupVersionModel,
  lookup: TypeLookup,
  serverVersion: string,
): JsonObject {
  const paths: JsonObject = {};
  for (const spec of groupVersionPaths(gv)) {
    const item: JsonObject = {};
    for (const op of spec.operations) item[op.method] = operation(op);
    if (spec.parameters.length > 0) item["parameters"] = spec.parameters.map(parameter);
    paths[spec.path] = item;
  }

  const schemas: JsonObject = {};
  for (const name of gv.types) {
    const scalar = scalarType(name);
    schemas[name] = scalar ? scalarSchema(scalar, "v3") : objectSchema(lookup.get(name), "v3");
  }
  return {
    openapi: "3.0.0",
    info: { title: DOCUMENT_TITLE, version: serverVersion },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          type: "apiKey",
          description: "A bearer token in the Authorization header.",
          name: "authorization",
          in: "header",
        },
      },
    },
  };
}

function ref(type: string): JsonObject {
  return { $ref: REF_PREFIX.v3 + type };
}

function parameter(p: ParameterSpec): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out["required"] = true;
  out["schema"] = { type: p.type };
  return out;
}

function operation(op: OperationSpec): JsonObject {
  const out: JsonObject = {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
  };
  if (op.parameters.length > 0) out["parameters"] = op.parameters.map(parameter);
  if (op.body) {
    const content: JsonObject = {};
    const media = op.body.patch ? PATCH_MEDIA_TYPES : ["*/*"];
    for (const type of media) content[type] = { schema: ref(op.body.type) };
    out["requestBody"] = op.body.required ? { content, required: true } : { content };
  }
  const responses: JsonObject = {};
  for (const r of op.responses) {
    const response: JsonObject = { description: r.description };
    if (r.type) {
      const content: JsonObject = { "application/json": { schema: ref(r.type) } };
      if (op.streams) content["application/json;stream=watch"] = { schema: ref(r.type) };
      response["content"] = content;
    }
    responses[r.code] = response;
  }
  out["responses"] = responses;
  if (op.action) out["x-kubernetes-action"] = op.action;
  if (op.gvk) {
    out["x-kubernetes-group-version-kind"] = {
      group: op.gvk.group,
      kind: op.gvk.kind,
      version: op.gvk.version,
    };
  }
  return out;
}
