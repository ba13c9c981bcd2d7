/**
 * The Swagger 2.0 document of the whole server, as `/openapi/v2` serves it: every group-version's
 * paths and every type in one document. kubectl up to 1.27 reads it (as protobuf) for `explain` and
 * to learn whether a kind's PATCH takes `fieldValidation`.
 */
import type { JsonObject } from "../patch/json-value.js";
import { scalarType, type TypeLookup } from "./builtin-types.js";
import { DOCUMENT_TITLE } from "./document-v3.js";
import type { GroupVersionModel } from "./model.js";
import {
  groupVersionPaths,
  PATCH_MEDIA_TYPES,
  type OperationSpec,
  type ParameterSpec,
} from "./operations.js";
import { objectSchema, REF_PREFIX, scalarSchema } from "./schemas.js";

/** Builds the Swagger 2.0 document of all group-versions. */
export function documentV2(
  groupVersions: readonly GroupVersionModel[],
  lookup: TypeLookup,
  serverVersion: string,
): JsonObject {
  const paths: JsonObject = {};
  const names = new Set<string>();
  for (const gv of groupVersions) {
    for (const spec of groupVersionPaths(gv)) {
      const item: JsonObject = {};
      for (const op of spec.operations) item[op.method] = operation(op);
      if (spec.parameters.length > 0) item["parameters"] = spec.parameters.map(parameter);
      paths[spec.path] = item;
    }
    for (const name of gv.types) names.add(name);
  }

  const definitions: JsonObject = {};
  for (const name of [...names].sort()) {
    const scalar = scalarType(name);
    definitions[name] = scalar ? scalarSchema(scalar, "v2") : objectSchema(lookup.get(name), "v2");
  }
  return {
    swagger: "2.0",
    info: { title: DOCUMENT_TITLE, version: serverVersion },
    paths,
    definitions,
    securityDefinitions: {
      BearerToken: {
        type: "apiKey",
        description: "A bearer token in the Authorization header.",
        name: "authorization",
        in: "header",
      },
    },
    security: [{ BearerToken: [] }],
  };
}

function parameter(p: ParameterSpec): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description, type: p.type };
  if (p.required) out["required"] = true;
  return out;
}

function operation(op: OperationSpec): JsonObject {
  const out: JsonObject = {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
  };
  if (op.body) out["consumes"] = op.body.patch ? [...PATCH_MEDIA_TYPES] : ["*/*"];
  out["produces"] = op.streams
    ? ["application/json", "application/json;stream=watch"]
    : ["application/json"];
  const parameters = op.parameters.map(parameter);
  if (op.body) {
    const body: JsonObject = {
      name: "body",
      in: "body",
      schema: { $ref: REF_PREFIX.v2 + op.body.type },
    };
    if (op.body.required) body["required"] = true;
    parameters.unshift(body);
  }
  if (parameters.length > 0) out["parameters"] = parameters;
  const responses: JsonObject = {};
  for (const r of op.responses) {
    responses[r.code] = r.type
      ? { description: r.description, schema: { $ref: REF_PREFIX.v2 + r.type } }
      : { description: r.description };
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
