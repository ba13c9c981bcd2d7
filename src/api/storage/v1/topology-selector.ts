/**
 * core/v1 TopologySelectorTerm, which only StorageClass uses: a set of label requirements on the
 * topology (zone, region, node) where volumes may be provisioned. The type names are core/v1's, as
 * upstream's schema has them.
 */
import { defineType, f, list, string } from "../../schema.js";

const TopologySelectorLabelRequirement = defineType({
  name: "io.k8s.api.core.v1.TopologySelectorLabelRequirement",
  description: "A topology label and the values it may have.",
  fields: {
    key: f(string(), 1, "The topology label key, such as topology.kubernetes.io/zone.", {
      required: true,
    }),
    values: f(list(string()), 2, "Values the label may have; one must match.", { required: true }),
  },
});

/** A topology selector term: requirements that must all hold. */
export const TopologySelectorTerm = defineType({
  name: "io.k8s.api.core.v1.TopologySelectorTerm",
  description:
    "Label requirements on a topology, all of which must hold; an empty term matches nothing.",
  mapType: "atomic",
  fields: {
    matchLabelExpressions: f(list(TopologySelectorLabelRequirement), 1, "The requirements."),
  },
});
