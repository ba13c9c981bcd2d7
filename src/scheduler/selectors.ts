/**
 * Label and node selectors compiled once per pod into plain requirement lists, so that matching a
 * node or a pod in the scheduling loop allocates nothing.
 */
import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import type {
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
} from "../api/core/v1/pod-shapes.js";
import type { LabelSelector as LabelSelectorObject } from "../api/meta/types.js";
import { labelSelectorFromObject } from "../api/selectors/label-selector.js";

type Labels = Readonly<Record<string, string>> | undefined;

const enum Op {
  In,
  NotIn,
  Exists,
  DoesNotExist,
  Gt,
  Lt,
}

interface Requirement {
  key: string;
  op: Op;
  values: readonly string[];
  /** The bound of Gt and Lt. */
  bound: number;
}

function requirementMatches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case Op.In:
      return value !== undefined && r.values.includes(value);
    case Op.NotIn:
      return value === undefined || !r.values.includes(value);
    case Op.Exists:
      return value !== undefined;
    case Op.DoesNotExist:
      return value === undefined;
    case Op.Gt:
    case Op.Lt: {
      if (value === undefined || !/^[+-]?[0-9]+$/.test(value)) return false;
      const n = Number(value);
      return r.op === Op.Gt ? n > r.bound : n < r.bound;
    }
  }
}

/** A compiled label selector over pod labels. */
export class LabelMatcher {
  /** Matches no label set (an absent selector). */
  static readonly NOTHING = new LabelMatcher([], true);
  /** Matches every label set (an empty selector). */
  static readonly EVERYTHING = new LabelMatcher([], false);

  readonly #requirements: readonly Requirement[];
  readonly #nothing: boolean;

  private constructor(requirements: readonly Requirement[], nothing: boolean) {
    this.#requirements = requirements;
    this.#nothing = nothing;
  }

  /**
   * Compiles a metav1.LabelSelector: absent selects nothing (as upstream's conversion does), empty
   * selects everything. `extra` adds requirements (`matchLabelKeys` merged in). Throws
   * SelectorParseError on an invalid selector.
   */
  static compile(
    selector: LabelSelectorObject | null | undefined,
    extra: readonly { key: string; in?: string; notIn?: string }[] = [],
  ): LabelMatcher {
    if (selector === null || selector === undefined) return LabelMatcher.NOTHING;
    const parsed = labelSelectorFromObject(selector);
    const reqs: Requirement[] = parsed.requirements.map((r) => ({
      key: r.key,
      op:
        r.operator === "notin" || r.operator === "!="
          ? Op.NotIn
          : r.operator === "exists"
            ? Op.Exists
            : r.operator === "!"
              ? Op.DoesNotExist
              : Op.In,
      values: r.values,
      bound: 0,
    }));
    for (const e of extra) {
      if (e.in !== undefined) reqs.push({ key: e.key, op: Op.In, values: [e.in], bound: 0 });
      if (e.notIn !== undefined)
        reqs.push({ key: e.key, op: Op.NotIn, values: [e.notIn], bound: 0 });
    }
    return reqs.length === 0 ? LabelMatcher.EVERYTHING : new LabelMatcher(reqs, false);
  }

  /** Whether the labels satisfy every requirement. */
  matches(labels: Labels): boolean {
    if (this.#nothing) return false;
    const reqs = this.#requirements;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i]!;
      if (!requirementMatches(r, labels?.[r.key])) return false;
    }
    return true;
  }

  /** True when the selector matches every label set. */
  isEverything(): boolean {
    return !this.#nothing && this.#requirements.length === 0;
  }
}

const NODE_OPS: Readonly<Record<string, Op>> = {
  In: Op.In,
  NotIn: Op.NotIn,
  Exists: Op.Exists,
  DoesNotExist: Op.DoesNotExist,
  Gt: Op.Gt,
  Lt: Op.Lt,
};

/** Compiles one node selector requirement; undefined when it is invalid. */
function compileNodeRequirement(r: NodeSelectorRequirement): Requirement | undefined {
  const op = r.operator !== undefined ? NODE_OPS[r.operator] : undefined;
  if (op === undefined || !r.key) return undefined;
  const values = r.values ?? [];
  if ((op === Op.In || op === Op.NotIn) && values.length === 0) return undefined;
  if ((op === Op.Exists || op === Op.DoesNotExist) && values.length !== 0) return undefined;
  let bound = 0;
  if (op === Op.Gt || op === Op.Lt) {
    if (values.length !== 1 || !/^[+-]?[0-9]+$/.test(values[0]!)) return undefined;
    bound = Number(values[0]);
  }
  return { key: r.key, op, values, bound };
}

/** A compiled NodeSelectorTerm: its label and field requirements, all of which must hold. */
export class NodeSelectorTermMatcher {
  readonly #labels: readonly Requirement[];
  readonly #fields: readonly Requirement[];
  /** An invalid term matches no node (upstream reports the error and treats it as unmatched). */
  readonly #valid: boolean;

  constructor(term: NodeSelectorTerm) {
    const labels: Requirement[] = [];
    const fields: Requirement[] = [];
    let valid = true;
    for (const r of term.matchExpressions ?? []) {
      const c = compileNodeRequirement(r);
      if (c) labels.push(c);
      else valid = false;
    }
    for (const r of term.matchFields ?? []) {
      const c = compileNodeRequirement(r);
      // Only metadata.name with In or NotIn is a supported field requirement.
      if (c && c.key === "metadata.name" && (c.op === Op.In || c.op === Op.NotIn)) fields.push(c);
      else valid = false;
    }
    this.#labels = labels;
    this.#fields = fields;
    this.#valid = valid;
  }

  /** Whether the node satisfies the term. */
  matches(node: Node): boolean {
    if (!this.#valid) return false;
    const labels = node.metadata.labels;
    for (const r of this.#labels) if (!requirementMatches(r, labels?.[r.key])) return false;
    for (const r of this.#fields) if (!requirementMatches(r, node.metadata.name)) return false;
    return true;
  }
}

/** True for a term with neither expressions nor fields, which upstream says selects no node. */
export function isEmptyTerm(term: NodeSelectorTerm | undefined): boolean {
  return (
    !term || ((term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0)
  );
}

/**
 * A pod's hard node constraints: its nodeSelector map and its required node affinity terms (ORed;
 * empty terms select nothing).
 */
export class RequiredNodeAffinity {
  readonly #selector: readonly [string, string][];
  readonly #terms: readonly NodeSelectorTermMatcher[] | undefined;

  constructor(pod: Pod) {
    this.#selector = Object.entries(pod.spec?.nodeSelector ?? {});
    const required: NodeSelector | undefined =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.#terms = required
      ? (required.nodeSelectorTerms ?? [])
          .filter((t) => !isEmptyTerm(t))
          .map((t) => new NodeSelectorTermMatcher(t))
      : undefined;
  }

  /** True when the pod constrains nothing. */
  isEmpty(): boolean {
    return this.#selector.length === 0 && this.#terms === undefined;
  }

  /** Whether the node satisfies the nodeSelector and at least one required term. */
  matches(node: Node): boolean {
    const labels = node.metadata.labels;
    for (const [k, v] of this.#selector) if (labels?.[k] !== v) return false;
    if (this.#terms === undefined) return true;
    for (const t of this.#terms) if (t.matches(node)) return true;
    return false;
  }
}
