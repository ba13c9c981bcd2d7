import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { kubeconfigFor } from "../cli/kubeconfig.js";
import { readKubeconfigServer } from "./kubeconfig.js";

describe("readKubeconfigServer", () => {
  const dir = mkdtempSync(join(tmpdir(), "kates-kubeconfig-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, doc: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof doc === "string" ? doc : stringify(doc));
    return path;
  };

  it("reads the server of the current context of the file `kates server` writes", () => {
    const path = write("kates", kubeconfigFor("kates", "http://127.0.0.1:6443"));
    assert.deepEqual(readKubeconfigServer(path), {
      server: "http://127.0.0.1:6443",
      context: "kates",
    });
  });

  it("reads the server of a named context", () => {
    const two = kubeconfigFor("one", "http://127.0.0.1:1");
    two.clusters.push({ name: "two", cluster: { server: "http://127.0.0.1:2" } });
    two.contexts.push({ name: "two", context: { cluster: "two", user: "one" } });
    const path = write("two", two);
    assert.equal(readKubeconfigServer(path, "two").server, "http://127.0.0.1:2");
  });

  const refusals: { name: string; doc: unknown; error: RegExp }[] = [
    {
      name: "no-current",
      doc: { ...kubeconfigFor("k", "http://x"), "current-context": "" },
      error: /no current-context/,
    },
    { name: "https", doc: kubeconfigFor("k", "https://127.0.0.1:6443"), error: /not http:\/\// },
    {
      name: "missing-context",
      doc: { ...kubeconfigFor("k", "http://x"), "current-context": "zz" },
      error: /context "zz" not found/,
    },
    {
      name: "no-cluster",
      doc: { ...kubeconfigFor("k", "http://x"), clusters: [] },
      error: /cluster "k" not found/,
    },
    { name: "not-yaml", doc: "a: [", error: /Cannot read kubeconfig/ },
  ];
  for (const c of refusals) {
    it(`refuses a kubeconfig with ${c.name}`, () => {
      assert.throws(() => readKubeconfigServer(write(c.name, c.doc)), c.error);
    });
  }
});
