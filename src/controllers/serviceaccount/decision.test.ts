import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Namespace } from "../../api/core/v1/namespace.js";
import { missingServiceAccounts } from "./decision.js";

describe("service accounts: missingServiceAccounts", () => {
  const active: Namespace = { metadata: { name: "a" }, status: { phase: "Active" } };
  const cases: { name: string; ns: Namespace | undefined; existing: string[]; want: string[] }[] = [
    { name: "active namespace without default", ns: active, existing: [], want: ["default"] },
    { name: "active namespace with default", ns: active, existing: ["default"], want: [] },
    { name: "other accounts do not count", ns: active, existing: ["builder"], want: ["default"] },
    { name: "missing namespace", ns: undefined, existing: [], want: [] },
    {
      name: "terminating namespace",
      ns: {
        metadata: { name: "a", deletionTimestamp: "2024-01-01T00:00:00Z" },
        status: { phase: "Terminating" },
      },
      existing: [],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        missingServiceAccounts(c.ns, (n) => c.existing.includes(n)),
        c.want,
      );
    });
  }
});
