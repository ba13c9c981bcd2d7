import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { describe, it } from "node:test";

import "../../api/registry.js";
import { checkApplyFields, checkObjectFields, checkPatchFields } from "./check.js";
import {
  strictApplyError,
  strictObjectError,
  strictPatchError,
  strictWarnings,
} from "./messages.js";
import type { FieldValidation } from "./mode.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const RESOURCE = { kind: "Deployment", version: "v1" };

/** A Deployment body with a misspelt field, a container typo and duplicates, as JSON text. */
const INVALID_JSON = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app": "nginx", "app": "web"}},
  "spec": {
    "replicaz": 3,
    "unknownDupe": "a",
    "unknownDupe": "b",
    "paused": true,
    "paused": false,
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{"name": "web", "imagee": "nginx", "image": "nginx"}]}
    }
  }
}`;

const INVALID_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicaz: 3
  paused: true
  paused: false
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        imagee: nginx
        image: nginx
        image: nginx:1.27
`;

const CLEAN = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web" } },
  spec: {
    paused: false,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx" }] },
    },
  },
};

const JSON_ERRORS = [
  `duplicate field "metadata.labels.app"`,
  `unknown field "spec.replicaz"`,
  `unknown field "spec.unknownDupe"`,
  `duplicate field "spec.paused"`,
  `unknown field "spec.template.spec.containers[0].imagee"`,
];

describe("checkObjectFields()", () => {
  const CASES: {
    name: string;
    body: string;
    contentType: "json" | "yaml";
    mode: FieldValidation;
    errors: string[];
  }[] = [
    {
      name: "JSON, Strict: unknown and duplicate fields in document order",
      body: INVALID_JSON,
      contentType: "json",
      mode: "Strict",
      errors: JSON_ERRORS,
    },
    {
      name: "JSON, Warn: the same findings",
      body: INVALID_JSON,
      contentType: "json",
      mode: "Warn",
      errors: JSON_ERRORS,
    },
    {
      name: "JSON, Ignore: none",
      body: INVALID_JSON,
      contentType: "json",
      mode: "Ignore",
      errors: [],
    },
    {
      name: "YAML, Strict: go-yaml's error for all duplicates, then unknown fields in key order",
      body: INVALID_YAML,
      contentType: "yaml",
      mode: "Strict",
      errors: [
        `yaml: unmarshal errors:\n  line 8: key "paused" already set in map\n  line 21: key "image" already set in map`,
        `unknown field "spec.replicaz"`,
        `unknown field "spec.template.spec.containers[0].imagee"`,
      ],
    },
    {
      name: "YAML, Ignore: none",
      body: INVALID_YAML,
      contentType: "yaml",
      mode: "Ignore",
      errors: [],
    },
    {
      name: "a clean body: none",
      body: JSON.stringify(CLEAN),
      contentType: "json",
      mode: "Strict",
      errors: [],
    },
  ];

  for (const c of CASES) {
    it(c.name, () => {
      const obj = decode(c.body, c.contentType);
      assert.deepEqual(
        checkObjectFields({
          obj,
          body: c.body,
          contentType: c.contentType,
          schemaName: DEPLOYMENT,
          mode: c.mode,
        }),
        c.errors,
      );
    });

    it(`${c.name}; unknown fields are never kept`, () => {
      const obj = decode(c.body, c.contentType) as typeof CLEAN;
      checkObjectFields({
        obj,
        body: c.body,
        contentType: c.contentType,
        schemaName: DEPLOYMENT,
        mode: c.mode,
      });
      const spec = obj.spec as Record<string, unknown>;
      assert.equal(spec["replicaz"], undefined);
      assert.equal(spec["unknownDupe"], undefined);
      assert.equal(obj.spec.paused, false, "the last of duplicate fields is kept");
      assert.deepEqual(Object.keys(obj.spec.template.spec.containers[0]!), ["name", "image"]);
    });
  }

  it("keeps upstream's first 100 errors", () => {
    const members = Array.from({ length: 120 }, (_, i) => `"u${i}":1`).join(",");
    const body = `{"spec":{${members}}}`;
    const obj = JSON.parse(body) as { spec: object };
    const errors = checkObjectFields({
      obj,
      body,
      contentType: "json",
      schemaName: DEPLOYMENT,
      mode: "Warn",
    });
    assert.equal(errors.length, 100);
    assert.deepEqual(obj.spec, {}, "every unknown field is removed, not only the reported ones");
  });
});

describe("strictObjectError()", () => {
  it("is upstream's 400 for a create or update", () => {
    const err = strictObjectError(JSON_ERRORS.slice(1, 2), RESOURCE, {
      apiVersion: "apps/v1",
      kind: "Deployment",
    });
    assert.equal(err.code, 400);
    assert.equal(err.reason, "BadRequest");
    assert.equal(
      err.message,
      `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"`,
    );
  });

  it("joins several errors with commas and names what the body claims to be", () => {
    const err = strictObjectError(['unknown field "a"', 'duplicate field "b"'], RESOURCE, {
      apiVersion: "apps/v1beta9",
      kind: "Deploymint",
    });
    assert.equal(
      err.message,
      `Deploymint in version "v1beta9" cannot be handled as a Deployment: strict decoding error: unknown field "a", duplicate field "b"`,
    );
  });

  it("defaults a missing kind and version to the resource's", () => {
    const err = strictObjectError([`unknown field "x"`], { kind: "ConfigMap", version: "v1" }, {});
    assert.equal(
      err.message,
      `ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "x"`,
    );
  });
});

describe("checkPatchFields()", () => {
  const live = structuredClone(CLEAN);

  it("strategic merge patch: the patch's duplicates, then the result's unknown fields sorted", () => {
    const patch = `{"spec":{"unknown1":"v","unknownDupe":"a","unknownDupe":"b","paused":true,"paused":false,"template":{"spec":{"containers":[{"name":"web","unknownNested":"v","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}`;
    const patched = patchedWith(live, JSON.parse(patch));
    const errors = checkPatchFields({
      type: "strategic-merge-patch",
      patch,
      patched,
      schemaName: DEPLOYMENT,
      mode: "Strict",
    });
    assert.deepEqual(errors, [
      `duplicate field "spec.unknownDupe"`,
      `duplicate field "spec.paused"`,
      `duplicate field "spec.template.spec.containers[0].imagePullPolicy"`,
      `unknown field "spec.template.spec.containers[0].unknownNested"`,
      `unknown field "spec.unknown1"`,
      `unknown field "spec.unknownDupe"`,
    ]);
    assert.equal((patched.spec as Record<string, unknown>)["unknown1"], undefined);
  });

  it("JSON patch: operation problems prefixed `json patch`, then the result's unknown fields", () => {
    const patch = `[{"op":"add","path":"/spec/replicaz","value":3,"foo":1},{"op":"replace","path":"/spec/paused","path":"/spec/paused","value":true}]`;
    const patched = patchedWith(live, { spec: { replicaz: 3, paused: true } });
    assert.deepEqual(
      checkPatchFields({
        type: "json-patch",
        patch,
        patched,
        schemaName: DEPLOYMENT,
        mode: "Warn",
      }),
      [
        `json patch unknown field "[0].foo"`,
        `json patch duplicate field "[1].path"`,
        `unknown field "spec.replicaz"`,
      ],
    );
  });

  it("merge patch: duplicates anywhere in the patch, then unknown fields in key order", () => {
    const patch = `{"spec":{"zz":1,"aa":{"x":1,"x":2}}}`;
    const patched = patchedWith(live, { spec: { zz: 1, aa: { x: 2 } } });
    assert.deepEqual(
      checkPatchFields({
        type: "merge-patch",
        patch,
        patched,
        schemaName: DEPLOYMENT,
        mode: "Strict",
      }),
      [`duplicate field "spec.aa.x"`, `unknown field "spec.aa"`, `unknown field "spec.zz"`],
    );
  });

  it("Ignore: no errors, unknown fields still removed", () => {
    const patched = patchedWith(live, { spec: { zz: 1 } });
    assert.deepEqual(
      checkPatchFields({
        type: "merge-patch",
        patch: `{"spec":{"zz":1,"zz":1}}`,
        patched,
        schemaName: DEPLOYMENT,
        mode: "Ignore",
      }),
      [],
    );
    assert.equal((patched.spec as Record<string, unknown>)["zz"], undefined);
  });
});

describe("strictPatchError()", () => {
  it("is upstream's 422 with the strategic merge patch printed as a Go map", () => {
    const err = strictPatchError([`unknown field "spec.replicaz"`], {
      type: "strategic-merge-patch",
      patch: { spec: { replicaz: 3 } },
      patched: {},
    });
    assert.equal(err.code, 422);
    assert.equal(err.reason, "Invalid");
    assert.equal(
      err.message,
      ` "" is invalid: patch: Invalid value: "map[spec:map[replicaz:3]]": strict decoding error: unknown field "spec.replicaz"`,
    );
    assert.deepEqual(err.status.details?.causes, [
      {
        type: "FieldValueInvalid",
        field: "patch",
        message: `Invalid value: "map[spec:map[replicaz:3]]": strict decoding error: unknown field "spec.replicaz"`,
      },
    ]);
  });

  it("shows the patched object as JSON with sorted keys for merge and JSON patches", () => {
    const err = strictPatchError([`unknown field "spec.x"`], {
      type: "merge-patch",
      patch: {},
      patched: { spec: { x: "<b>", a: 1 }, kind: "K" },
    });
    assert.equal(
      err.message,
      ` "" is invalid: patch: Invalid value: "{\\"kind\\":\\"K\\",\\"spec\\":{\\"a\\":1,\\"x\\":\\"\\\\u003cb\\\\u003e\\"}}": strict decoding error: unknown field "spec.x"`,
    );
  });
});

describe("checkApplyFields() and strictApplyError()", () => {
  const body = `{\n  "apiVersion": "apps/v1",\n  "spec": {\n    "paused": false,\n    "paused": true\n  }\n}`;

  it("reports the apply body's duplicate keys as sigs.k8s.io/yaml words them", () => {
    const errors = checkApplyFields(body, "Strict");
    assert.deepEqual(errors, [
      `error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key "paused" already set in map`,
    ]);
    assert.equal(
      strictApplyError(errors).message,
      `error strict decoding patch: error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key "paused" already set in map`,
    );
    assert.equal(strictApplyError(errors).code, 400);
  });

  it("is silent under Ignore and for clean bodies", () => {
    assert.deepEqual(checkApplyFields(body, "Ignore"), []);
    assert.deepEqual(checkApplyFields(JSON.stringify(CLEAN), "Warn"), []);
  });
});

describe("strictWarnings()", () => {
  it("gives one warning per error, and one per line of go-yaml's combined error", () => {
    assert.deepEqual(
      strictWarnings([
        `yaml: unmarshal errors:\n  line 8: key "paused" already set in map\n  line 21: key "image" already set in map`,
        `unknown field "spec.replicaz"`,
        `error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key "a" already set in map`,
      ]),
      [
        `line 8: key "paused" already set in map`,
        `line 21: key "image" already set in map`,
        `unknown field "spec.replicaz"`,
        `line 5: key "a" already set in map`,
      ],
    );
  });
});

function decode(body: string, contentType: "json" | "yaml"): unknown {
  if (contentType === "json") return JSON.parse(body);
  return parseYaml(body, { version: "1.1", uniqueKeys: false });
}

/** A crude stand-in for a patch algorithm: deep-merges `patch` into a copy of `live`. */
function patchedWith(live: object, patch: object): Record<string, Record<string, unknown>> {
  const merge = (
    a: Record<string, unknown>,
    b: Record<string, unknown>,
  ): Record<string, unknown> => {
    for (const [k, v] of Object.entries(b)) {
      const cur = a[k];
      a[k] =
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        typeof cur === "object" &&
        cur !== null &&
        !Array.isArray(cur)
          ? merge(cur as Record<string, unknown>, v as Record<string, unknown>)
          : v;
    }
    return a;
  };
  return merge(
    structuredClone(live) as Record<string, unknown>,
    patch as Record<string, unknown>,
  ) as Record<string, Record<string, unknown>>;
}
