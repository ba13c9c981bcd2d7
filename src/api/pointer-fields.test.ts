import assert from "node:assert/strict";
import { describe, it } from "node:test";

import "./autoscaling/v1/index.js";
import "./registry.js";
import { allTypes, getType, type Field, type Schema } from "./schema.js";

const CORE = "io.k8s.api.core.v1";
const APPS = "io.k8s.api.apps.v1";
const BATCH = "io.k8s.api.batch.v1";
const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** Follows a dotted field path from a named type, stepping through references and list items. */
function fieldAt(typeName: string, path: string): Field {
  let type = getType(typeName);
  const steps = path.split(".");
  for (const [i, step] of steps.entries()) {
    const field = type.fields[step];
    if (!field) throw new Error(`Cannot find field ${step} of ${type.name} in ${typeName}.${path}`);
    if (i === steps.length - 1) return field;

    let schema: Schema = field.schema;
    while (schema.type === "array") schema = schema.items;
    if (schema.type !== "ref")
      throw new Error(`Cannot descend into ${type.name}.${step}: not an object`);
    type = getType(schema.name);
  }
  throw new Error(`Cannot follow an empty path in ${typeName}`);
}

/** [root type, field path, whether the upstream Go field is a pointer to a scalar]. */
const CASES: [string, string, boolean][] = [
  // Pointers to numbers and booleans, whose zero is a value.
  [`${APPS}.Deployment`, "spec.replicas", true],
  [`${APPS}.DeploymentSpec`, "revisionHistoryLimit", true],
  [`${APPS}.DeploymentSpec`, "progressDeadlineSeconds", true],
  [`${APPS}.StatefulSetSpec`, "replicas", true],
  [`${CORE}.PodSpec`, "terminationGracePeriodSeconds", true],
  [`${CORE}.PodSpec`, "automountServiceAccountToken", true],
  [`${CORE}.PodSpec`, "containers.securityContext.runAsUser", true],
  [`${CORE}.ServiceAccount`, "automountServiceAccountToken", true],
  [`${CORE}.Secret`, "immutable", true],
  [`${BATCH}.JobSpec`, "parallelism", true],
  [`${BATCH}.JobSpec`, "suspend", true],
  [`${META}.ObjectMeta`, "deletionGracePeriodSeconds", true],
  // Pointers to strings and string-typed enums, whose "" is a value.
  [`${CORE}.PersistentVolumeClaim`, "spec.storageClassName", true],
  [`${CORE}.PersistentVolumeClaimSpec`, "volumeMode", true],
  [`${CORE}.ServiceSpec`, "internalTrafficPolicy", true],
  [`${CORE}.PodSpec`, "preemptionPolicy", true],
  // Pointers to IntOrString, Quantity and timestamps.
  [`${APPS}.DeploymentSpec`, "strategy.rollingUpdate.maxSurge", true],
  [`${APPS}.DeploymentSpec`, "strategy.rollingUpdate.maxUnavailable", true],
  ["io.k8s.api.policy.v1.PodDisruptionBudgetSpec", "minAvailable", true],
  [`${CORE}.EmptyDirVolumeSource`, "sizeLimit", true],
  [`${META}.ObjectMeta`, "deletionTimestamp", true],
  ["io.k8s.api.coordination.v1.LeaseSpec", "renewTime", true],
  [`${BATCH}.JobStatus`, "startTime", true],
  // A field of an embedded struct (EphemeralContainerCommon inside EphemeralContainer).
  [`${CORE}.EphemeralContainer`, "restartPolicy", true],
  // Plain scalars, which protobuf always carries and whose zero means unset.
  [`${CORE}.Container`, "stdin", false],
  [`${CORE}.Container`, "image", false],
  [`${CORE}.ServicePort`, "port", false],
  [`${CORE}.PodSpec`, "hostNetwork", false],
  [`${CORE}.NodeSpec`, "unschedulable", false],
  [`${META}.ObjectMeta`, "generation", false],
  [`${META}.ObjectMeta`, "creationTimestamp", false],
  [`${APPS}.DeploymentStatus`, "replicas", false],
  [`${APPS}.DeploymentSpec`, "minReadySeconds", false],
  [`${BATCH}.JobStatus`, "succeeded", false],
  [`${CORE}.Event`, "eventTime", false],
  ["io.k8s.api.events.v1.Event", "deprecatedCount", false],
  [`${CORE}.ContainerPort`, "containerPort", false],
  // Pointers to structs need no flag.
  [`${CORE}.PodSpec`, "securityContext", false],
  [`${APPS}.DeploymentStrategy`, "rollingUpdate", false],
];

describe("pointer fields", () => {
  for (const [root, path, pointer] of CASES) {
    it(`${root}.${path} is ${pointer ? "" : "not "}marked as a Go pointer to a scalar`, () => {
      assert.equal(fieldAt(root, path).pointer === true, pointer);
    });
  }

  it("marks only scalar fields: pointers to structs, lists and maps carry no flag", () => {
    const wrong: string[] = [];
    for (const type of allTypes()) {
      for (const [name, field] of Object.entries(type.fields)) {
        const kind = field.schema.type;
        const structural = kind === "ref" || kind === "array" || kind === "map" || kind === "any";
        if (field.pointer === true && structural) wrong.push(`${type.name}.${name}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
