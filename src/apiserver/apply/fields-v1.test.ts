import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { FieldSet, pathString, sortKeys } from "./field-set.js";
import {
  decodeFieldsV1,
  encodeFieldsV1,
  FieldsV1Error,
  subtractFromFieldsV1,
} from "./fields-v1.js";

/** A Deployment's kubectl Update entry as upstream writes it (keys in upstream's order). */
const UPSTREAM_DEPLOYMENT = `{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}`;

describe("encodeFieldsV1() and decodeFieldsV1()", () => {
  it("round-trips upstream's FieldsV1 byte for byte", () => {
    const set = decodeFieldsV1(JSON.parse(UPSTREAM_DEPLOYMENT));
    assert.equal(JSON.stringify(encodeFieldsV1(set)), UPSTREAM_DEPLOYMENT);
  });

  const cases: { name: string; paths: string[][]; json: string }[] = [
    { name: "a leaf is an empty object", paths: [["f:a"]], json: `{"f:a":{}}` },
    {
      name: "a member with children carries '.' first",
      paths: [["f:a"], ["f:a", "f:b"]],
      json: `{"f:a":{".":{},"f:b":{}}}`,
    },
    {
      name: "a node that is only a parent has no '.'",
      paths: [["f:a", "f:b"]],
      json: `{"f:a":{"f:b":{}}}`,
    },
    {
      name: "fields sort before keys, keys before values, values before indexes",
      paths: [["i:1"], ['v:"x"'], ['k:{"name":"a"}'], ["f:z"]],
      json: `{"f:z":{},"k:{\\"name\\":\\"a\\"}":{},"v:\\"x\\"":{},"i:1":{}}`,
    },
    {
      name: "keys sort by their values, numbers numerically",
      paths: [['k:{"port":100}'], ['k:{"port":9}'], ['k:{"port":80}']],
      json: `{"k:{\\"port\\":9}":{},"k:{\\"port\\":80}":{},"k:{\\"port\\":100}":{}}`,
    },
    {
      name: "set values sort numbers before strings",
      paths: [['v:"a"'], ["v:2"], ["v:10"]],
      json: `{"v:2":{},"v:10":{},"v:\\"a\\"":{}}`,
    },
  ];
  for (const c of cases) {
    it(`encodes: ${c.name}`, () => {
      const set = new FieldSet();
      for (const p of c.paths) set.insert(p);
      assert.equal(JSON.stringify(encodeFieldsV1(set)), c.json);
      const back = decodeFieldsV1(JSON.parse(c.json));
      for (const p of c.paths) assert.ok(back.has(p), `has ${p.join("")}`);
      assert.equal(back.paths().length, c.paths.length);
    });
  }

  it("canonicalizes keys a client wrote in another order", () => {
    const set = decodeFieldsV1({ 'k:{"protocol":"TCP","containerPort":80}': {} });
    assert.ok(set.has(['k:{"containerPort":80,"protocol":"TCP"}']));
  });

  it("reads an explicit '.' without children as a member", () => {
    assert.ok(decodeFieldsV1({ "f:a": { ".": {} } }).has(["f:a"]));
  });

  it("skips element types it does not know, as upstream does", () => {
    const set = decodeFieldsV1({ "x:future": {}, "f:a": {} });
    assert.deepEqual(set.paths(), [["f:a"]]);
  });

  const malformed: { name: string; json: unknown }[] = [
    { name: "a one-character key", json: { f: {} } },
    { name: "a key without a colon", json: { fx: {} } },
    { name: "a key that is not JSON", json: { "k:{name": {} } },
    { name: "a key that is not an object", json: { "k:[1]": {} } },
    { name: "an index that is not a number", json: { "i:x": {} } },
    { name: "a value that is not an object", json: { "f:a": 1 } },
  ];
  for (const c of malformed) {
    it(`refuses ${c.name}`, () => {
      assert.throws(() => decodeFieldsV1(c.json), FieldsV1Error);
    });
  }
});

describe("subtractFromFieldsV1()", () => {
  const cases: { name: string; json: unknown; remove: string[][]; out: unknown }[] = [
    {
      name: "removes a leaf and the parent it leaves empty",
      json: { "f:spec": { "f:replicas": {} }, "f:data": { "f:a": {} } },
      remove: [["f:spec", "f:replicas"]],
      out: { "f:data": { "f:a": {} } },
    },
    {
      name: "a member parent stays, as a leaf, when its children go",
      json: { "f:labels": { ".": {}, "f:app": {} } },
      remove: [["f:labels", "f:app"]],
      out: { "f:labels": {} },
    },
    {
      name: "removing a parent's membership keeps its children",
      json: { "f:labels": { ".": {}, "f:app": {} } },
      remove: [["f:labels"]],
      out: { "f:labels": { "f:app": {} } },
    },
    {
      name: "removing everything leaves nothing",
      json: { "f:a": {} },
      remove: [["f:a"]],
      out: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const set = new FieldSet();
      for (const p of c.remove) set.insert(p);
      assert.deepEqual(subtractFromFieldsV1(c.json as never, set), c.out);
    });
  }

  it("returns the same object when nothing matches, without copying", () => {
    const json = { "f:a": { "f:b": {} } };
    const set = new FieldSet();
    set.insert(["f:c"]);
    assert.equal(subtractFromFieldsV1(json, set), json);
  });

  it("never changes its input", () => {
    const json = { "f:a": { ".": {}, "f:b": {} } };
    const set = new FieldSet();
    set.insert(["f:a", "f:b"]);
    subtractFromFieldsV1(json, set);
    assert.deepEqual(json, { "f:a": { ".": {}, "f:b": {} } });
  });
});

describe("pathString() and sortKeys()", () => {
  it("prints paths as upstream's conflict messages do", () => {
    assert.equal(
      pathString([
        "f:spec",
        "f:containers",
        'k:{"name":"web"}',
        "f:ports",
        'k:{"containerPort":80,"protocol":"TCP"}',
      ]),
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
    );
    assert.equal(
      pathString(["f:metadata", "f:finalizers", 'v:"a/b"', "i:3"]),
      '.metadata.finalizers[="a/b"][3]',
    );
  });

  it("orders mixed path elements as upstream does", () => {
    assert.deepEqual(sortKeys(["i:2", "f:b", "i:10", "f:a"]), ["f:a", "f:b", "i:2", "i:10"]);
  });
});
