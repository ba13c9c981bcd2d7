/**
 * Schemas of the core/v1 reference and selector types that pods and many other kinds share: object
 * references, and the selectors through which env vars and volumes read config maps, secrets and
 * the downward API.
 */
import { boolean, defineType, f, quantity, string } from "../../schema.js";
import { embed } from "./embedded.js";

const CORE = "io.k8s.api.core.v1";

export const LocalObjectReference = defineType({
  name: `${CORE}.LocalObjectReference`,
  description: "Names another object in the same namespace.",
  mapType: "atomic",
  fields: {
    name: f(string(), 1, "Name of the referenced object."),
  },
});

export const ObjectReference = defineType({
  name: `${CORE}.ObjectReference`,
  description: "Points at any API object, optionally at one field inside it.",
  mapType: "atomic",
  fields: {
    kind: f(string(), 1, "Kind of the referenced object."),
    namespace: f(string(), 2, "Namespace of the referenced object."),
    name: f(string(), 3, "Name of the referenced object."),
    uid: f(string(), 4, "UID of the referenced object."),
    apiVersion: f(string(), 5, "API version of the referenced object."),
    resourceVersion: f(
      string(),
      6,
      "The resourceVersion the reference was made at, if it matters.",
    ),
    fieldPath: f(
      string(),
      7,
      "A field inside the object, such as `spec.containers{web}`, when the reference is to part of it.",
    ),
  },
});

export const ObjectFieldSelector = defineType({
  name: `${CORE}.ObjectFieldSelector`,
  description: "Selects one field of the pod, for the downward API.",
  mapType: "atomic",
  fields: {
    apiVersion: f(string(), 1, "Schema version the field path is written in; v1 when empty."),
    fieldPath: f(string(), 2, "Path of the field to read, such as `metadata.name`.", {
      required: true,
    }),
  },
});

export const ResourceFieldSelector = defineType({
  name: `${CORE}.ResourceFieldSelector`,
  description: "Selects a container's resource request or limit, for the downward API.",
  mapType: "atomic",
  fields: {
    containerName: f(string(), 1, "Container whose resources are read; required in volumes."),
    resource: f(string(), 2, "The resource to read, such as `limits.cpu`.", { required: true }),
    divisor: f(quantity(), 3, "Unit the value is divided by before it is exposed; 1 when empty."),
  },
});

/**
 * The `name` field of a LocalObjectReference that a type embeds (and so flattens into itself in
 * JSON), described for what it names.
 */
export function embeddedName(what: string): ReturnType<typeof embed> {
  return embed(1, { name: f(string(), 1, `Name of the ${what}.`) });
}

export const ConfigMapKeySelector = defineType({
  name: `${CORE}.ConfigMapKeySelector`,
  description: "Selects one key of a config map.",
  mapType: "atomic",
  fields: {
    ...embeddedName("config map"),
    key: f(string(), 2, "The key to select.", { required: true }),
    optional: f(boolean(), 3, "Whether the config map or key may be missing.", { pointer: true }),
  },
});

export const SecretKeySelector = defineType({
  name: `${CORE}.SecretKeySelector`,
  description: "Selects one key of a secret.",
  mapType: "atomic",
  fields: {
    ...embeddedName("secret"),
    key: f(string(), 2, "The key of the secret to select.", { required: true }),
    optional: f(boolean(), 3, "Whether the secret or key may be missing.", { pointer: true }),
  },
});

export const FileKeySelector = defineType({
  name: `${CORE}.FileKeySelector`,
  description: "Selects one key of an env file that an init container wrote into a volume.",
  mapType: "atomic",
  fields: {
    volumeName: f(string(), 1, "Volume holding the env file.", { required: true }),
    path: f(string(), 2, "Path of the env file, relative to the volume's root.", {
      required: true,
    }),
    key: f(string(), 3, "The key to read from the file.", { required: true }),
    optional: f(boolean(), 4, "Whether the file or key may be missing; false by default.", {
      pointer: true,
    }),
  },
});
