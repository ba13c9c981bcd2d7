import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { secrets, type Secret } from "./secret.js";
import { cells, simulateCreate, simulateUpdate, summarize } from "./strategy-harness.js";

const def = secrets as ResourceDefinition;
const b64 = (s: string) => Buffer.from(s).toString("base64");

function secret(extra: Partial<Secret> = {}, annotations?: Record<string, string>): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "creds", namespace: "default", ...(annotations ? { annotations } : {}) },
    ...extra,
  };
}

describe("Secret defaults", () => {
  it("defaults the type to Opaque", () => {
    assert.equal((simulateCreate(def, secret()).obj as Secret).type, "Opaque");
  });

  it("merges stringData into data, overriding keys, and drops it", () => {
    const input = secret({
      data: { user: b64("old"), keep: b64("k") },
      stringData: { user: "admin", pass: "s3cret ✓" },
    });
    const { obj, errors } = simulateCreate(def, input);
    assert.deepEqual(errors, []);
    const out = obj as Secret;
    assert.equal(out.stringData, undefined);
    assert.deepEqual(out.data, { user: b64("admin"), keep: b64("k"), pass: b64("s3cret ✓") });
  });

  it("merges stringData on updates too", () => {
    const old = simulateCreate(def, secret({ data: { a: b64("1") } })).obj;
    const { obj } = simulateUpdate(
      def,
      secret({ data: { a: b64("1") }, stringData: { a: "2" } }),
      old,
    );
    assert.deepEqual((obj as Secret).data, { a: b64("2") });
  });
});

describe("Secret validation", () => {
  const tokenAnnotation = { "kubernetes.io/service-account.name": "default" };
  const cases: { name: string; input: Secret; want: string[] }[] = [
    {
      name: "an opaque secret",
      input: secret({ data: { "tls.key": b64("x"), ".hidden": b64("y") } }),
      want: [],
    },
    {
      name: "a key with a slash",
      input: secret({ data: { "a/b": b64("x") } }),
      want: ["FieldValueInvalid data[a/b]"],
    },
    {
      name: "a value that is not base64",
      input: secret({ data: { a: "not base64!" } }),
      want: ["FieldValueInvalid data[a]"],
    },
    {
      name: "stringData with a value that is not a string",
      input: secret({ stringData: { a: 5 as unknown as string } }),
      want: ["FieldValueInvalid stringData[a]"],
    },
    {
      name: "more than 1 MiB of data",
      input: secret({ data: { a: Buffer.alloc(1024 * 1024 + 1).toString("base64") } }),
      want: ["FieldValueTooLong data"],
    },
    {
      name: "a token secret without its account",
      input: secret({ type: "kubernetes.io/service-account-token" }),
      want: ["FieldValueRequired metadata.annotations[kubernetes.io/service-account.name]"],
    },
    {
      name: "a token secret with its account",
      input: secret({ type: "kubernetes.io/service-account-token" }, tokenAnnotation),
      want: [],
    },
    {
      name: "a docker config without its key",
      input: secret({ type: "kubernetes.io/dockerconfigjson", data: { config: b64("{}") } }),
      want: ["FieldValueRequired data[.dockerconfigjson]"],
    },
    {
      name: "a docker config that is not JSON",
      input: secret({
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": b64("{auths") },
      }),
      want: ["FieldValueInvalid data[.dockerconfigjson]"],
    },
    {
      name: "a docker config",
      input: secret({
        type: "kubernetes.io/dockerconfigjson",
        stringData: { ".dockerconfigjson": '{"auths":{}}' },
      }),
      want: [],
    },
    {
      name: "basic auth without user or password",
      input: secret({ type: "kubernetes.io/basic-auth" }),
      want: ["FieldValueRequired data[username]", "FieldValueRequired data[password]"],
    },
    {
      name: "basic auth with an empty password",
      input: secret({ type: "kubernetes.io/basic-auth", data: { password: "" } }),
      want: [],
    },
    {
      name: "ssh auth with an empty key",
      input: secret({ type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": "" } }),
      want: ["FieldValueRequired data[ssh-privatekey]"],
    },
    {
      name: "TLS without a key",
      input: secret({ type: "kubernetes.io/tls", data: { "tls.crt": b64("cert") } }),
      want: ["FieldValueRequired data[tls.key]"],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, c.input).errors), c.want);
    });
  }

  const updates: { name: string; old: Secret; next: Secret; want: string[] }[] = [
    {
      name: "a changed type",
      old: secret(),
      next: secret({ type: "kubernetes.io/basic-auth", data: { username: b64("u") } }),
      want: ["FieldValueInvalid type"],
    },
    {
      name: "new data in a mutable secret",
      old: secret({ data: { a: b64("1") } }),
      next: secret({ data: { a: b64("2") } }),
      want: [],
    },
    {
      name: "new data in an immutable secret",
      old: secret({ immutable: true, data: { a: b64("1") } }),
      next: secret({ immutable: true, data: { a: b64("2") } }),
      want: ["FieldValueForbidden data"],
    },
    {
      name: "an immutable secret made mutable",
      old: secret({ immutable: true }),
      next: secret({ immutable: false }),
      want: ["FieldValueForbidden immutable"],
    },
    { name: "a secret made immutable", old: secret(), next: secret({ immutable: true }), want: [] },
  ];
  for (const c of updates) {
    it(`update: ${c.name}`, () => {
      const old = simulateCreate(def, c.old).obj;
      assert.deepEqual(summarize(simulateUpdate(def, c.next, old).errors), c.want);
    });
  }
});

describe("Secret table", () => {
  it("shows TYPE, DATA and AGE, and selects on type", () => {
    const s = secret({
      type: "kubernetes.io/tls",
      data: { "tls.crt": b64("c"), "tls.key": b64("k") },
    });
    s.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
    assert.deepEqual(cells(def, s, new Date("2024-01-01T00:00:30Z")), {
      Type: "kubernetes.io/tls",
      Data: 2,
      Age: "30s",
    });
    assert.equal(def.fieldSelectors?.["type"]?.(s), "kubernetes.io/tls");
  });
});
