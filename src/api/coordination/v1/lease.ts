/**
 * Lease (coordination.k8s.io/v1): a lock held for a while by one identity, renewed to keep it.
 * Nodes heartbeat with leases and leader election is built on them.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, int32, microTime, string } from "../../schema.js";
import {
  check,
  checkQualifiedName,
  forbidden,
  invalid,
  notSupported,
  root,
  type Path,
} from "../../validation.js";

/** Who holds a lease, and its timing. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

/** A Lease as stored and served. */
export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/**
 * The strategies of coordinated leader election that Kubernetes defines; others must be qualified
 * names.
 */
export const LEASE_STRATEGIES = ["OldestEmulationVersion"];

const LeaseSpecSchema = defineType({
  name: "io.k8s.api.coordination.v1.LeaseSpec",
  description: "Who holds a lease, since when, and for how long.",
  fields: {
    holderIdentity: f(string(), 1, "Identity of the current holder.", { pointer: true }),
    leaseDurationSeconds: f(
      int32(),
      2,
      "Seconds others must wait after the last renewal before taking the lease.",
      { pointer: true },
    ),
    acquireTime: f(microTime(), 3, "When the current holder acquired the lease.", {
      pointer: true,
    }),
    renewTime: f(microTime(), 4, "When the current holder last renewed the lease.", {
      pointer: true,
    }),
    leaseTransitions: f(int32(), 5, "How many times the lease has changed holders.", {
      pointer: true,
    }),
    strategy: f(
      string(),
      6,
      "How coordinated leader election picks the holder; no coordination when unset.",
      { pointer: true },
    ),
    preferredHolder: f(
      string(),
      7,
      "A better holder the current one should hand the lease to; needs strategy.",
      { pointer: true },
    ),
  },
});

defineType({
  name: "io.k8s.api.coordination.v1.Lease",
  description: "A lease: a lock held by one identity for a limited time.",
  gvk: { group: "coordination.k8s.io", version: "v1", kind: "Lease" },
  fields: {
    ...objectFields(),
    spec: f(LeaseSpecSchema, 2, "The holder and timing of the lease."),
  },
});

function validateStrategy(strategy: string, path: Path): FieldError[] {
  // Upstream nests the field name twice in this path (spec.strategy.strategy); kept for fidelity.
  const p = path.child("strategy");
  if (!strategy.includes("/"))
    return LEASE_STRATEGIES.includes(strategy) ? [] : [notSupported(p, strategy, LEASE_STRATEGIES)];
  return check(p, strategy, checkQualifiedName);
}

/** Checks a Lease's spec (upstream's ValidateLeaseSpec). */
export function validateLeaseSpec(spec: LeaseSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds <= 0) {
    errors.push(
      invalid(path.child("leaseDurationSeconds"), s.leaseDurationSeconds, "must be greater than 0"),
    );
  }
  if (s.leaseTransitions !== undefined && s.leaseTransitions < 0) {
    errors.push(
      invalid(
        path.child("leaseTransitions"),
        s.leaseTransitions,
        "must be greater than or equal to 0",
      ),
    );
  }
  if (s.strategy !== undefined)
    errors.push(...validateStrategy(s.strategy, path.child("strategy")));
  if (s.preferredHolder && !s.strategy) {
    errors.push(
      forbidden(path.child("preferredHolder"), "may only be specified if `strategy` is defined"),
    );
  }
  return errors;
}

/** The resource definition of coordination.k8s.io/v1 Lease. */
export const leases = defineResource<Lease>({
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  schema: "io.k8s.api.coordination.v1.Lease",
  // Holders create their lease with an update when it is missing.
  allowCreateOnUpdate: true,
  columns: [
    {
      name: "Holder",
      type: "string",
      description: "Identity of the current holder.",
      priority: 0,
      cell: (lease) => lease.spec?.holderIdentity ?? "",
    },
    ageColumn(),
  ],
  validate: (lease) => validateLeaseSpec(lease.spec, root("spec")),
});
