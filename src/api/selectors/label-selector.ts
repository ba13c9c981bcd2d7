/**
 * Label selectors: the `labelSelector` query parameter of list and watch, and the `selector`
 * objects (metav1.LabelSelector) of workloads. Both become one `LabelSelector` that matches labels.
 */
import type {
  LabelSelector as LabelSelectorObject,
  LabelSelectorRequirement,
} from "../meta/types.js";
import { checkLabelValue, checkQualifiedName } from "../validation.js";
import { parseRequirements } from "./label-selector-parser.js";
import { SelectorParseError } from "./selector-parse-error.js";

export { SelectorParseError } from "./selector-parse-error.js";

/** A requirement's operator, spelled as upstream's `selection.Operator` values are. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One condition on one label; a selector matches a label map when all its requirements do. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** One value for `=`, `==`, `!=`, `gt`, `lt`; at least one for `in`, `notin`; none otherwise. */
  readonly values: readonly string[];
}

/**
 * A parsed label selector: requirements sorted by key (stably), all of which must hold. It is
 * immutable. `LabelSelector.nothing()` is the one selector that matches no label map at all.
 */
export class LabelSelector {
  static readonly #everything = new LabelSelector([], false);
  static readonly #nothing = new LabelSelector([], true);

  /** The requirements, sorted by key; empty for both `everything()` and `nothing()`. */
  readonly requirements: readonly LabelRequirement[];
  readonly #matchesNothing: boolean;

  private constructor(requirements: readonly LabelRequirement[], matchesNothing: boolean) {
    this.requirements = sortByKey(requirements);
    this.#matchesNothing = matchesNothing;
  }

  /** The selector that matches every label map, including an absent one. */
  static everything(): LabelSelector {
    return LabelSelector.#everything;
  }

  /** The selector that matches nothing; upstream's answer for an absent selector object. */
  static nothing(): LabelSelector {
    return LabelSelector.#nothing;
  }

  /** A selector of the given requirements, each checked as the parser checks it. */
  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    for (const r of requirements) {
      const problem = requirementProblem(r);
      if (problem) throw new SelectorParseError(`Invalid label selector: ${problem}`);
    }
    return new LabelSelector(requirements.map(copyRequirement), false);
  }

  /** Whether a label map (absent counts as empty) satisfies every requirement. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.#matchesNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  /** True when the selector restricts nothing (`nothing()` is not empty: it excludes all). */
  isEmpty(): boolean {
    return !this.#matchesNothing && this.requirements.length === 0;
  }

  /** True for `nothing()`. */
  matchesNothing(): boolean {
    return this.#matchesNothing;
  }

  /**
   * The one value this selector demands for `key` (through `=`, `==` or a one-value `in`), or
   * undefined; like upstream, only the first requirement on the key is consulted.
   */
  exactMatch(key: string): string | undefined {
    const r = this.requirements.find((req) => req.key === key);
    if (!r || !["=", "==", "in"].includes(r.operator) || r.values.length !== 1) return undefined;
    return r.values[0];
  }

  /** The canonical text: requirements by key, values sorted, e.g. `app=web,tier in (a,b)`. */
  toString(): string {
    return this.requirements.map(formatRequirement).join(",");
  }
}

/**
 * Parses the label selector grammar of the `labelSelector` query parameter: requirements joined by
 * `,` (AND), each one of `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (v1,v2)`, `k notin (v1,v2)`,
 * `k>n`, `k<n`. Blank text selects everything. Throws SelectorParseError naming the position.
 */
export function parseLabelSelector(text: string): LabelSelector {
  return LabelSelector.of(parseRequirements(text, requirementProblem));
}

/** A selector matching exactly the given labels (`k=v` for each), with keys and values checked. */
export function labelSelectorFromSet(labels: Readonly<Record<string, string>>): LabelSelector {
  return LabelSelector.of(
    Object.entries(labels).map(([key, value]) => ({ key, operator: "=", values: [value] })),
  );
}

/** What `labelSelectorFromObject` returns for a null or undefined selector object. */
export interface FromObjectOptions {
  /**
   * `"nothing"` (the default) as upstream's LabelSelectorAsSelector does, which is what controllers
   * want: no selector adopts no pods. `"everything"` where an absent selector means "all".
   */
  whenAbsent?: "nothing" | "everything";
}

const OPERATORS: Record<LabelSelectorRequirement["operator"], LabelOperator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * Converts a metav1.LabelSelector: each `matchLabels` entry becomes `k=v` and each
 * `matchExpressions` entry its operator. An object with neither selects everything; a null or
 * undefined one is decided by `opts.whenAbsent`. Throws SelectorParseError on invalid content.
 */
export function labelSelectorFromObject(
  selector: LabelSelectorObject | null | undefined,
  opts: FromObjectOptions = {},
): LabelSelector {
  if (selector === null || selector === undefined) {
    return opts.whenAbsent === "everything" ? LabelSelector.everything() : LabelSelector.nothing();
  }
  const requirements: LabelRequirement[] = [];
  const add = (where: string, r: LabelRequirement): void => {
    const problem = requirementProblem(r);
    if (problem) throw new SelectorParseError(`Invalid label selector: ${where}: ${problem}`);
    requirements.push(r);
  };
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    add("matchLabels", { key, operator: "=", values: [value] });
  }
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const where = `matchExpressions[${i}]`;
    const operator = Object.hasOwn(OPERATORS, expr.operator) ? OPERATORS[expr.operator] : undefined;
    if (!operator) {
      throw new SelectorParseError(
        `Invalid label selector: ${where}.operator: ${JSON.stringify(expr.operator)} is not a valid operator (In, NotIn, Exists, DoesNotExist)`,
      );
    }
    add(where, { key: expr.key, operator, values: expr.values ?? [] });
  });
  return LabelSelector.of(requirements);
}

/**
 * Renders a metav1.LabelSelector as upstream's FormatLabelSelector does (kubectl describe's
 * `Selector:` line): the canonical text, `<none>` when that is empty (absent or empty selector),
 * `<error>` when the selector is invalid. Scale's `status.selector` is instead
 * `labelSelectorFromObject(sel).toString()`, which is empty rather than `<none>`.
 */
export function formatLabelSelector(selector: LabelSelectorObject | null | undefined): string {
  let text: string;
  try {
    text = labelSelectorFromObject(selector).toString();
  } catch (err) {
    if (err instanceof SelectorParseError) return "<error>";
    throw err;
  }
  return text === "" ? "<none>" : text;
}

function requirementMatches(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.hasOwn(labels, r.key);
  const value = present ? labels[r.key] : undefined;
  switch (r.operator) {
    case "=":
    case "==":
    case "in":
      return value !== undefined && r.values.includes(value);
    case "!=":
    case "notin":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return present;
    case "!":
      return !present;
    case "gt":
    case "lt": {
      const have = value === undefined ? undefined : parseInt64(value);
      const want = r.values.length === 1 ? parseInt64(r.values[0] ?? "") : undefined;
      if (have === undefined || want === undefined) return false;
      return r.operator === "gt" ? have > want : have < want;
    }
  }
}

function formatRequirement(r: LabelRequirement): string {
  // Sorting on output only, as upstream does, keeps `values` as the caller gave them.
  const values = [...r.values].sort().join(",");
  switch (r.operator) {
    case "exists":
      return r.key;
    case "!":
      return `!${r.key}`;
    case "in":
    case "notin":
      return `${r.key} ${r.operator} (${values})`;
    case "gt":
      return `${r.key}>${values}`;
    case "lt":
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** What is wrong with a requirement, in words that name it; undefined when it is valid. */
function requirementProblem(r: LabelRequirement): string | undefined {
  if (typeof r.key !== "string") return `label key ${JSON.stringify(r.key)} is not a string`;
  const keyProblems = checkQualifiedName(r.key);
  if (keyProblems.length) return `invalid label key ${quote(r.key)}: ${keyProblems.join("; ")}`;

  const n = Array.isArray(r.values) ? r.values.length : -1;
  const count = countProblem(r.operator, n);
  if (count) return `key ${quote(r.key)}: ${count}`;

  for (const v of r.values) {
    if (typeof v !== "string")
      return `key ${quote(r.key)}: value ${JSON.stringify(v)} is not a string`;
    const problems = checkLabelValue(v);
    if (problems.length) {
      return `invalid value ${quote(v)} for label key ${quote(r.key)}: ${problems.join("; ")}`;
    }
    if ((r.operator === "gt" || r.operator === "lt") && parseInt64(v) === undefined) {
      return `invalid value ${quote(v)} for label key ${quote(r.key)}: operators '>' and '<' need a 64-bit integer`;
    }
  }
  return undefined;
}

function countProblem(operator: LabelOperator, n: number): string | undefined {
  switch (operator) {
    case "in":
    case "notin":
      return n >= 1 ? undefined : `operator '${operator}' needs at least one value`;
    case "=":
    case "==":
    case "!=":
    case "gt":
    case "lt":
      return n === 1 ? undefined : `operator '${operator}' needs exactly one value`;
    case "exists":
    case "!":
      return n === 0 ? undefined : "operators 'exists' and '!' take no values";
    default:
      return `unknown operator ${JSON.stringify(operator)}`;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A base-10 integer in int64 range, as Go's strconv.ParseInt accepts it; otherwise undefined. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function sortByKey(requirements: readonly LabelRequirement[]): readonly LabelRequirement[] {
  // Array.prototype.sort is stable, so requirements on one key keep their written order.
  return Object.freeze(
    [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  );
}

function copyRequirement(r: LabelRequirement): LabelRequirement {
  return { key: r.key, operator: r.operator, values: [...r.values] };
}

function quote(s: string): string {
  return JSON.stringify(s);
}
