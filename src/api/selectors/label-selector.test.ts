import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { LabelSelector as LabelSelectorObject } from "../meta/types.js";
import {
  formatLabelSelector,
  LabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  parseLabelSelector,
  SelectorParseError,
  type LabelRequirement,
} from "./label-selector.js";

describe("parseLabelSelector()", () => {
  const valid: { text: string; canonical: string; requirements?: LabelRequirement[] }[] = [
    { text: "", canonical: "", requirements: [] },
    { text: "  \t\n ", canonical: "", requirements: [] },
    { text: "a=b", canonical: "a=b", requirements: [{ key: "a", operator: "=", values: ["b"] }] },
    {
      text: "a==b",
      canonical: "a==b",
      requirements: [{ key: "a", operator: "==", values: ["b"] }],
    },
    {
      text: "a!=b",
      canonical: "a!=b",
      requirements: [{ key: "a", operator: "!=", values: ["b"] }],
    },
    { text: "a", canonical: "a", requirements: [{ key: "a", operator: "exists", values: [] }] },
    { text: "!a", canonical: "!a", requirements: [{ key: "a", operator: "!", values: [] }] },
    { text: "! a", canonical: "!a" },
    { text: "a>1", canonical: "a>1", requirements: [{ key: "a", operator: "gt", values: ["1"] }] },
    {
      text: "a<10",
      canonical: "a<10",
      requirements: [{ key: "a", operator: "lt", values: ["10"] }],
    },
    { text: "a=", canonical: "a=", requirements: [{ key: "a", operator: "=", values: [""] }] },
    { text: "a!=,b", canonical: "a!=,b" },
    { text: " a = b , c != d ", canonical: "a=b,c!=d" },
    { text: "a in (x,y)", canonical: "a in (x,y)" },
    { text: "a in(y , x )", canonical: "a in (x,y)" },
    {
      text: "a notin (z,x,z)",
      canonical: "a notin (x,z)",
      requirements: [{ key: "a", operator: "notin", values: ["x", "z"] }],
    },
    {
      text: "a in ()",
      canonical: "a in ()",
      requirements: [{ key: "a", operator: "in", values: [""] }],
    },
    { text: "a in (,)", canonical: "a in ()" },
    { text: "a in (x,)", canonical: "a in (,x)" },
    { text: "a in (x,,y)", canonical: "a in (,x,y)" },
    // Keywords are only operators where an operator is expected.
    { text: "in in (in,notin)", canonical: "in in (in,notin)" },
    { text: "notin=in", canonical: "notin=in" },
    // Requirements are sorted by key; those on one key keep their written order.
    { text: "z=1,a=2,m", canonical: "a=2,m,z=1" },
    { text: "a!=2,a=1", canonical: "a!=2,a=1" },
    { text: "example.com/app=web", canonical: "example.com/app=web" },
    { text: "x in (foo,,baz),y,z notin ()", canonical: "x in (,baz,foo),y,z notin ()" },
    { text: "a=A-b_c.9", canonical: "a=A-b_c.9" },
    { text: "a>007", canonical: "a>007" },
  ];
  for (const c of valid) {
    it(`parses ${JSON.stringify(c.text)} to ${JSON.stringify(c.canonical)}`, () => {
      const sel = parseLabelSelector(c.text);
      assert.equal(sel.toString(), c.canonical);
      if (c.requirements) assert.deepEqual(sel.requirements, c.requirements);
      // The canonical text is itself a selector with the same meaning.
      assert.equal(parseLabelSelector(sel.toString()).toString(), c.canonical);
    });
  }

  const invalid: { text: string; position: number; message: RegExp }[] = [
    { text: ",", position: 0, message: /expected a label key or '!', found ","/ },
    { text: "a,", position: 2, message: /expected a label key or '!' after ',', found the end/ },
    { text: "a,,b", position: 2, message: /after ','/ },
    { text: "a b", position: 2, message: /expected an operator .* after key "a", found "b"/ },
    { text: "a=b c", position: 4, message: /expected ',' or the end of the selector, found "c"/ },
    { text: "a=b=c", position: 3, message: /found "="/ },
    { text: "a===b", position: 3, message: /expected a value, found "="/ },
    { text: "a=!b", position: 2, message: /expected a value, found "!"/ },
    { text: "!a=b", position: 2, message: /expected ',' or the end/ },
    { text: "!", position: 1, message: /expected a label key after '!', found the end/ },
    { text: "!=a", position: 0, message: /expected a label key or '!', found "!="/ },
    { text: "a in x", position: 5, message: /expected '\(' after 'in'/ },
    { text: "a in (x", position: 7, message: /expected ',' or '\)', found the end/ },
    { text: "a in (x y)", position: 8, message: /expected ',' or '\)' between values/ },
    { text: "a notin (=)", position: 9, message: /expected a value, ',' or '\)', found "="/ },
    { text: "a in", position: 4, message: /expected '\(' after 'in', found the end/ },
    { text: "(a)", position: 0, message: /found "\("/ },
    { text: "a/b/c=d", position: 0, message: /invalid label key "a\/b\/c"/ },
    { text: "x,-a=b", position: 2, message: /invalid label key "-a": name part must/ },
    { text: `${"k".repeat(64)}=v`, position: 0, message: /no more than 63 characters/ },
    { text: "a=b!", position: 3, message: /expected .,. or the end of the selector, found "!"/ },
    { text: "a=-b", position: 2, message: /invalid value "-b" for label key "a"/ },
    { text: `a=${"v".repeat(64)}`, position: 2, message: /invalid value .* no more than 63/ },
    { text: "a in (x,y_)", position: 8, message: /invalid value "y_"/ },
    { text: "a>b", position: 2, message: /need a 64-bit integer/ },
    { text: "a>", position: 2, message: /invalid value "" .* 64-bit integer/ },
    { text: "a<-1", position: 2, message: /invalid value "-1"/ },
    { text: "a>9223372036854775808", position: 2, message: /64-bit integer/ },
    { text: "a=b\u00e9", position: 2, message: /invalid value "bé"/ },
  ];
  for (const c of invalid) {
    it(`refuses ${JSON.stringify(c.text)} at position ${c.position}`, () => {
      assert.throws(
        () => parseLabelSelector(c.text),
        (err: unknown) => {
          assert.ok(err instanceof SelectorParseError);
          assert.equal(err.name, "SelectorParseError");
          assert.equal(err.position, c.position);
          assert.equal(err.selector, c.text);
          assert.match(err.message, /^Cannot parse label selector ".*" at position \d+: /);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }

  it("shortens a long selector in its message but keeps it whole on the error", () => {
    const text = `${"a=b,".repeat(60)}!`;
    const err = captureError(() => parseLabelSelector(text));
    assert.ok(err.message.length < 250);
    assert.equal(err.selector, text);
  });
});

describe("LabelSelector.matches()", () => {
  const labels = { app: "web", tier: "front", count: "5", empty: "" };
  const cases: { selector: string; labels: Record<string, string> | undefined; want: boolean }[] = [
    { selector: "", labels: undefined, want: true },
    { selector: "", labels, want: true },
    { selector: "app=web", labels, want: true },
    { selector: "app==web", labels, want: true },
    { selector: "app=db", labels, want: false },
    { selector: "app=web", labels: undefined, want: false },
    { selector: "app!=db", labels, want: true },
    { selector: "app!=web", labels, want: false },
    { selector: "missing!=x", labels, want: true },
    { selector: "missing!=x", labels: undefined, want: true },
    { selector: "app", labels, want: true },
    { selector: "missing", labels, want: false },
    { selector: "empty", labels, want: true },
    { selector: "!missing", labels, want: true },
    { selector: "!app", labels, want: false },
    { selector: "app in (db,web)", labels, want: true },
    { selector: "app in (db)", labels, want: false },
    { selector: "missing in (x)", labels, want: false },
    { selector: "app notin (db)", labels, want: true },
    { selector: "app notin (db,web)", labels, want: false },
    { selector: "missing notin (x)", labels, want: true },
    { selector: "empty in ()", labels, want: true },
    { selector: "empty=", labels, want: true },
    { selector: "missing=", labels, want: false },
    { selector: "count>4", labels, want: true },
    { selector: "count>5", labels, want: false },
    { selector: "count<6", labels, want: true },
    { selector: "count<5", labels, want: false },
    { selector: "missing>0", labels, want: false },
    { selector: "app>0", labels, want: false },
    { selector: "app=web,tier=front", labels, want: true },
    { selector: "app=web,tier=back", labels, want: false },
    { selector: "constructor", labels, want: false },
    { selector: "toString!=x", labels: {}, want: true },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.selector)} ${c.want ? "matches" : "does not match"} ${JSON.stringify(c.labels)}`, () => {
      assert.equal(parseLabelSelector(c.selector).matches(c.labels), c.want);
    });
  }

  it("compares gt/lt as 64-bit integers, not as floating point", () => {
    const sel = parseLabelSelector("n>9007199254740992");
    assert.equal(sel.matches({ n: "9007199254740993" }), true);
    assert.equal(sel.matches({ n: "9007199254740992" }), false);
  });
});

describe("LabelSelector", () => {
  it("everything() is empty and matches all; nothing() is not empty and matches none", () => {
    assert.equal(LabelSelector.everything().isEmpty(), true);
    assert.equal(LabelSelector.everything().matches(undefined), true);
    assert.equal(LabelSelector.nothing().isEmpty(), false);
    assert.equal(LabelSelector.nothing().matchesNothing(), true);
    assert.equal(LabelSelector.nothing().matches({}), false);
    assert.equal(LabelSelector.nothing().matches({ a: "b" }), false);
    assert.equal(LabelSelector.nothing().toString(), "");
    assert.equal(parseLabelSelector("a").isEmpty(), false);
  });

  const exact: { selector: string; key: string; want: string | undefined }[] = [
    { selector: "a=1,b=2", key: "b", want: "2" },
    { selector: "a==1", key: "a", want: "1" },
    { selector: "a in (1)", key: "a", want: "1" },
    { selector: "a in (1,2)", key: "a", want: undefined },
    { selector: "a!=1", key: "a", want: undefined },
    { selector: "a", key: "a", want: undefined },
    { selector: "a=1", key: "b", want: undefined },
  ];
  for (const c of exact) {
    it(`exactMatch(${c.key}) of ${JSON.stringify(c.selector)} is ${c.want}`, () => {
      assert.equal(parseLabelSelector(c.selector).exactMatch(c.key), c.want);
    });
  }

  it("of() checks requirements and copies them", () => {
    const values = ["b", "a"];
    const sel = LabelSelector.of([{ key: "k", operator: "in", values }]);
    values.push("c");
    assert.equal(sel.toString(), "k in (a,b)");
    assert.throws(() => LabelSelector.of([{ key: "k", operator: "in", values: [] }]), {
      name: "SelectorParseError",
      message: /operator 'in' needs at least one value/,
    });
    assert.throws(() => LabelSelector.of([{ key: "k", operator: "exists", values: ["x"] }]), {
      message: /take no values/,
    });
    assert.throws(() => LabelSelector.of([{ key: "k", operator: "=", values: ["a", "b"] }]), {
      message: /exactly one value/,
    });
  });

  it("labelSelectorFromSet() selects exactly the set, sorted by key", () => {
    const sel = labelSelectorFromSet({ tier: "front", app: "web" });
    assert.equal(sel.toString(), "app=web,tier=front");
    assert.equal(sel.matches({ app: "web", tier: "front", x: "y" }), true);
    assert.equal(sel.matches({ app: "web" }), false);
    assert.equal(labelSelectorFromSet({}).isEmpty(), true);
    assert.throws(() => labelSelectorFromSet({ "bad key": "x" }), SelectorParseError);
  });
});

describe("labelSelectorFromObject()", () => {
  const cases: { name: string; selector: LabelSelectorObject; canonical: string }[] = [
    { name: "empty object", selector: {}, canonical: "" },
    { name: "empty lists", selector: { matchLabels: {}, matchExpressions: [] }, canonical: "" },
    { name: "matchLabels", selector: { matchLabels: { b: "2", a: "1" } }, canonical: "a=1,b=2" },
    {
      name: "every operator",
      selector: {
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["front", "back"] },
          { key: "env", operator: "NotIn", values: ["dev"] },
          { key: "zone", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist", values: [] },
        ],
      },
      canonical: "app=web,env notin (dev),!legacy,tier in (back,front),zone",
    },
  ];
  for (const c of cases) {
    it(`converts ${c.name} to ${JSON.stringify(c.canonical)}`, () => {
      assert.equal(labelSelectorFromObject(c.selector).toString(), c.canonical);
    });
  }

  it("an empty object matches everything; an absent one is decided by whenAbsent", () => {
    assert.equal(labelSelectorFromObject({}).matches({ any: "thing" }), true);
    assert.equal(labelSelectorFromObject(undefined).matches({}), false);
    assert.equal(labelSelectorFromObject(null).matchesNothing(), true);
    assert.equal(labelSelectorFromObject(null, { whenAbsent: "everything" }).matches({}), true);
  });

  it("matches as its string form does", () => {
    const obj: LabelSelectorObject = {
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }],
    };
    const sel = labelSelectorFromObject(obj);
    for (const labels of [{ app: "web" }, { app: "web", tier: "db" }, { tier: "x" }, {}]) {
      assert.equal(sel.matches(labels), parseLabelSelector(sel.toString()).matches(labels));
    }
  });

  const invalid: { name: string; selector: LabelSelectorObject; message: RegExp }[] = [
    {
      name: "an unknown operator",
      selector: { matchExpressions: [{ key: "a", operator: "Gt" as "In", values: ["1"] }] },
      message: /matchExpressions\[0\]\.operator: "Gt" is not a valid operator/,
    },
    {
      name: "In without values",
      selector: { matchExpressions: [{ key: "a", operator: "In", values: [] }] },
      message: /matchExpressions\[0\]: key "a": operator 'in' needs at least one value/,
    },
    {
      name: "Exists with values",
      selector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
      message: /matchExpressions\[0\]: key "a": operators .* take no values/,
    },
    {
      name: "a bad key",
      selector: { matchLabels: { "a b": "c" } },
      message: /matchLabels: invalid label key "a b"/,
    },
    {
      name: "a bad value",
      selector: { matchLabels: { a: "b c" } },
      message: /invalid value "b c" for label key "a"/,
    },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => labelSelectorFromObject(c.selector),
        (err: unknown) => {
          assert.ok(err instanceof SelectorParseError);
          assert.match(err.message, /^Invalid label selector: /);
          assert.match(err.message, c.message);
          assert.equal(err.position, undefined);
          return true;
        },
      );
    });
  }
});

describe("formatLabelSelector()", () => {
  const cases: { name: string; selector: LabelSelectorObject | null | undefined; want: string }[] =
    [
      { name: "undefined", selector: undefined, want: "<none>" },
      { name: "null", selector: null, want: "<none>" },
      { name: "an empty selector", selector: {}, want: "<none>" },
      {
        name: "matchLabels",
        selector: { matchLabels: { run: "web", app: "x" } },
        want: "app=x,run=web",
      },
      {
        name: "expressions with unsorted values",
        selector: { matchExpressions: [{ key: "k", operator: "In", values: ["b", "a", "b"] }] },
        want: "k in (a,b,b)",
      },
      {
        name: "an invalid selector",
        selector: { matchExpressions: [{ key: "k", operator: "In" }] },
        want: "<error>",
      },
    ];
  for (const c of cases) {
    it(`renders ${c.name} as ${JSON.stringify(c.want)}`, () => {
      assert.equal(formatLabelSelector(c.selector), c.want);
    });
  }
});

function captureError(fn: () => unknown): SelectorParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SelectorParseError) return err;
    throw err;
  }
  throw new Error("expected a SelectorParseError");
}
