/**
 * Schemas of the claim types a pod can embed through an ephemeral volume: the PersistentVolumeClaim
 * spec and its template. The PersistentVolumeClaim kind reuses these definitions; it must import
 * them from here rather than define them again.
 */
import { LabelSelector, ObjectMeta } from "../../meta/v1.js";
import { defineType, f, list, map, quantity, string } from "../../schema.js";

const CORE = "io.k8s.api.core.v1";

export const TypedLocalObjectReference = defineType({
  name: `${CORE}.TypedLocalObjectReference`,
  description: "Names an object of a given kind and API group in the same namespace.",
  mapType: "atomic",
  fields: {
    apiGroup: f(string(), 1, "API group of the referenced kind; empty for the core group.", {
      pointer: true,
    }),
    kind: f(string(), 2, "Kind of the referenced object.", { required: true }),
    name: f(string(), 3, "Name of the referenced object.", { required: true }),
  },
});

export const TypedObjectReference = defineType({
  name: `${CORE}.TypedObjectReference`,
  description: "Names an object of a given kind and API group, possibly in another namespace.",
  fields: {
    apiGroup: f(string(), 1, "API group of the referenced kind; empty for the core group.", {
      pointer: true,
    }),
    kind: f(string(), 2, "Kind of the referenced object.", { required: true }),
    name: f(string(), 3, "Name of the referenced object.", { required: true }),
    namespace: f(
      string(),
      4,
      "Namespace of the referenced object, when it is not the claim's own.",
      { pointer: true },
    ),
  },
});

export const VolumeResourceRequirements = defineType({
  name: `${CORE}.VolumeResourceRequirements`,
  description: "The storage a claim asks for and the most it may grow to.",
  fields: {
    limits: f(map(quantity()), 1, "Most of each resource the volume may use."),
    requests: f(map(quantity()), 2, "Least of each resource the volume needs, such as `storage`."),
  },
});

const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

export const PersistentVolumeClaimSpec = defineType({
  name: `${CORE}.PersistentVolumeClaimSpec`,
  description: "What storage a claim wants: size, access modes, class and an optional source.",
  fields: {
    accessModes: f(list(string({ enum: ACCESS_MODES })), 1, "Ways the volume must be mountable."),
    selector: f(
      LabelSelector,
      4,
      "Labels a pre-provisioned volume must have to be bound to this claim.",
    ),
    resources: f(VolumeResourceRequirements, 2, "How much storage the claim needs."),
    volumeName: f(string(), 3, "Name of the persistent volume to bind to, when chosen by hand."),
    storageClassName: f(
      string(),
      5,
      "Storage class that provisions the volume; empty asks for none.",
      { pointer: true },
    ),
    volumeMode: f(
      string({ enum: ["Block", "Filesystem"] }),
      6,
      "Whether the volume is a filesystem or a raw block device; Filesystem when unset.",
      { pointer: true },
    ),
    dataSource: f(
      TypedLocalObjectReference,
      7,
      "Object to populate the new volume from, in the same namespace.",
    ),
    dataSourceRef: f(
      TypedObjectReference,
      8,
      "Object to populate the new volume from, possibly in another namespace.",
    ),
    volumeAttributesClassName: f(string(), 9, "Volume attributes class the claim uses.", {
      pointer: true,
    }),
  },
});

export const PersistentVolumeClaimTemplate = defineType({
  name: `${CORE}.PersistentVolumeClaimTemplate`,
  description: "The claim that an ephemeral volume creates, and deletes with its pod.",
  fields: {
    metadata: f(ObjectMeta, 1, "Labels and annotations copied to the created claim."),
    spec: f(PersistentVolumeClaimSpec, 2, "Spec of the created claim.", { required: true }),
  },
});
