import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  escapeFieldValue,
  FieldSelector,
  parseFieldSelector,
  SelectorParseError,
  type FieldRequirement,
} from "./field-selector.js";

describe("parseFieldSelector()", () => {
  const valid: { text: string; requirements: FieldRequirement[]; canonical: string }[] = [
    { text: "", requirements: [], canonical: "" },
    { text: ",,", requirements: [], canonical: "" },
    {
      text: "metadata.name=web",
      requirements: [{ field: "metadata.name", operator: "=", value: "web" }],
      canonical: "metadata.name=web",
    },
    {
      text: "a==b",
      requirements: [{ field: "a", operator: "==", value: "b" }],
      canonical: "a=b",
    },
    {
      text: "a!=b",
      requirements: [{ field: "a", operator: "!=", value: "b" }],
      canonical: "a!=b",
    },
    { text: "a=", requirements: [{ field: "a", operator: "=", value: "" }], canonical: "a=" },
    {
      text: "status.phase!=Running,spec.nodeName=n1",
      requirements: [
        { field: "spec.nodeName", operator: "=", value: "n1" },
        { field: "status.phase", operator: "!=", value: "Running" },
      ],
      canonical: "spec.nodeName=n1,status.phase!=Running",
    },
    {
      text: "a=x\\,y,b=1",
      requirements: [
        { field: "a", operator: "=", value: "x,y" },
        { field: "b", operator: "=", value: "1" },
      ],
      canonical: "a=x\\,y,b=1",
    },
    {
      text: "a=p\\=q\\\\r",
      requirements: [{ field: "a", operator: "=", value: "p=q\\r" }],
      canonical: "a=p\\=q\\\\r",
    },
    { text: "a=!b", requirements: [{ field: "a", operator: "=", value: "!b" }], canonical: "a=!b" },
    {
      text: "a!b=c",
      requirements: [{ field: "a!b", operator: "=", value: "c" }],
      canonical: "a!b=c",
    },
    // Nothing is trimmed, as upstream: the API server then refuses the field "a ".
    {
      text: "a = b",
      requirements: [{ field: "a ", operator: "=", value: " b" }],
      canonical: "a = b",
    },
    {
      text: "involvedObject.name=web-0,involvedObject.kind=Pod",
      requirements: [
        { field: "involvedObject.kind", operator: "=", value: "Pod" },
        { field: "involvedObject.name", operator: "=", value: "web-0" },
      ],
      canonical: "involvedObject.kind=Pod,involvedObject.name=web-0",
    },
  ];
  for (const c of valid) {
    it(`parses ${JSON.stringify(c.text)}`, () => {
      const sel = parseFieldSelector(c.text);
      assert.deepEqual(sel.requirements, c.requirements);
      assert.equal(sel.toString(), c.canonical);
      assert.equal(parseFieldSelector(sel.toString()).toString(), c.canonical);
    });
  }

  const invalid: { text: string; position: number; message: RegExp }[] = [
    { text: "abc", position: 0, message: /term "abc" has no operator/ },
    { text: "a=b,cd", position: 4, message: /term "cd" has no operator/ },
    { text: "=b", position: 0, message: /term "=b" has no field name/ },
    { text: "!=b", position: 0, message: /has no field name/ },
    { text: "a=b=c", position: 3, message: /"=" in the value of "a" must be escaped/ },
    { text: "a===b", position: 3, message: /must be escaped/ },
    { text: "x=1,a=b\\", position: 7, message: /the value of "a" ends with a lone "\\"/ },
    { text: "a=b\\!", position: 3, message: /invalid escape sequence "\\!" in the value of "a"/ },
    { text: "a=\\n", position: 2, message: /invalid escape sequence "\\n"/ },
  ];
  for (const c of invalid) {
    it(`refuses ${JSON.stringify(c.text)} at position ${c.position}`, () => {
      assert.throws(
        () => parseFieldSelector(c.text),
        (err: unknown) => {
          assert.ok(err instanceof SelectorParseError);
          assert.equal(err.name, "SelectorParseError");
          assert.equal(err.position, c.position);
          assert.equal(err.selector, c.text);
          assert.match(err.message, /^Cannot parse field selector ".*" at position \d+: /);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }
});

describe("FieldSelector.matches()", () => {
  const fields: Record<string, string> = {
    "metadata.name": "web-0",
    "metadata.namespace": "default",
    "status.phase": "Running",
    "spec.nodeName": "",
  };
  const get = (f: string): string | undefined => fields[f];
  const cases: { selector: string; want: boolean }[] = [
    { selector: "", want: true },
    { selector: "metadata.name=web-0", want: true },
    { selector: "metadata.name==web-0", want: true },
    { selector: "metadata.name=web-1", want: false },
    { selector: "metadata.name!=web-1", want: true },
    { selector: "metadata.name!=web-0", want: false },
    { selector: "spec.nodeName=", want: true },
    { selector: "spec.nodeName!=", want: false },
    // An absent field reads as "": it equals the empty value and differs from any other.
    { selector: "missing=", want: true },
    { selector: "missing=x", want: false },
    { selector: "missing!=x", want: true },
    { selector: "metadata.namespace=default,status.phase=Running", want: true },
    { selector: "metadata.namespace=default,status.phase!=Running", want: false },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.selector)} ${c.want ? "matches" : "does not match"}`, () => {
      assert.equal(parseFieldSelector(c.selector).matches(get), c.want);
    });
  }
});

describe("FieldSelector", () => {
  const exact: { selector: string; field: string; want: string | undefined }[] = [
    { selector: "metadata.name=web", field: "metadata.name", want: "web" },
    { selector: "metadata.name==web", field: "metadata.name", want: "web" },
    { selector: "metadata.name!=web", field: "metadata.name", want: undefined },
    { selector: "metadata.namespace=ns,metadata.name=w", field: "metadata.namespace", want: "ns" },
    { selector: "metadata.name=w", field: "metadata.namespace", want: undefined },
    { selector: "metadata.name=", field: "metadata.name", want: "" },
    { selector: "", field: "metadata.name", want: undefined },
  ];
  for (const c of exact) {
    it(`exactMatch(${c.field}) of ${JSON.stringify(c.selector)} is ${c.want ?? "undefined"}`, () => {
      assert.equal(parseFieldSelector(c.selector).exactMatch(c.field), c.want);
    });
  }

  it("fields() lists each field once", () => {
    const sel = parseFieldSelector("b=1,a!=2,b!=3");
    assert.deepEqual(sel.fields(), ["a", "b"]);
    assert.deepEqual(FieldSelector.everything().fields(), []);
  });

  it("isEmpty() is true only without requirements", () => {
    assert.equal(parseFieldSelector("").isEmpty(), true);
    assert.equal(FieldSelector.everything().isEmpty(), true);
    assert.equal(parseFieldSelector("a=").isEmpty(), false);
  });

  it("of() refuses an empty field name and an unknown operator", () => {
    assert.throws(() => FieldSelector.of([{ field: "", operator: "=", value: "x" }]), {
      name: "SelectorParseError",
      message: /empty field name/,
    });
    assert.throws(
      () => FieldSelector.of([{ field: "a", operator: "in" as "=", value: "x" }]),
      /unknown operator "in"/,
    );
  });

  const escapes: { value: string; escaped: string }[] = [
    { value: "plain", escaped: "plain" },
    { value: "a,b", escaped: "a\\,b" },
    { value: "a=b", escaped: "a\\=b" },
    { value: "a\\b", escaped: "a\\\\b" },
    { value: "!x", escaped: "!x" },
  ];
  for (const c of escapes) {
    it(`escapeFieldValue(${JSON.stringify(c.value)}) round-trips through the parser`, () => {
      assert.equal(escapeFieldValue(c.value), c.escaped);
      assert.equal(parseFieldSelector(`f=${c.escaped}`).exactMatch("f"), c.value);
    });
  }
});
