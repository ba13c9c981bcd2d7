import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { StatusError } from "../../api/errors.js";
import { fieldValidationError, parseFieldValidation, type FieldValidation } from "./mode.js";

describe("parseFieldValidation()", () => {
  const ACCEPTED: [string | null, FieldValidation][] = [
    [null, "Warn"],
    ["", "Warn"],
    ["Strict", "Strict"],
    ["Warn", "Warn"],
    ["Ignore", "Ignore"],
  ];
  for (const [value, mode] of ACCEPTED) {
    it(`reads ${JSON.stringify(value)} as ${mode}`, () => {
      assert.equal(parseFieldValidation(value, "CreateOptions"), mode);
    });
  }

  const REFUSED: [string, "CreateOptions" | "UpdateOptions" | "PatchOptions"][] = [
    ["strict", "CreateOptions"],
    ["true", "UpdateOptions"],
    [" Warn", "PatchOptions"],
  ];
  for (const [value, options] of REFUSED) {
    it(`refuses ${JSON.stringify(value)} as an invalid ${options}`, () => {
      assert.throws(
        () => parseFieldValidation(value, options),
        (err: unknown) => {
          assert.ok(err instanceof StatusError);
          assert.equal(err.code, 422);
          assert.equal(err.reason, "Invalid");
          assert.equal(
            err.message,
            `${options}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: ${JSON.stringify(value)}: supported values: "", "Ignore", "Strict", "Warn"`,
          );
          assert.deepEqual(err.status.details?.causes, [
            {
              type: "FieldValueNotSupported",
              message: `Unsupported value: ${JSON.stringify(value)}: supported values: "", "Ignore", "Strict", "Warn"`,
              field: "fieldValidation",
            },
          ]);
          return true;
        },
      );
    });
  }
});

describe("fieldValidationError()", () => {
  it("is undefined for supported values and absence", () => {
    for (const v of [null, "", "Ignore", "Warn", "Strict"]) {
      assert.equal(fieldValidationError(v), undefined);
    }
  });

  it("names the field and the value otherwise", () => {
    assert.deepEqual(fieldValidationError("Lax"), {
      type: "FieldValueNotSupported",
      field: "fieldValidation",
      value: "Lax",
      detail: `supported values: "", "Ignore", "Strict", "Warn"`,
    });
  });
});
