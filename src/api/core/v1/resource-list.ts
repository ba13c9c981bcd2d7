/**
 * Resource lists (upstream's ResourceList): maps from a resource name such as `cpu`, `memory` or
 * `storage` to a quantity. Helpers shared by nodes, volumes, claims, limit ranges and quotas.
 */
import type { FieldError } from "../../errors.js";
import { QuantityError, toQuantity, formatQuantity, type Quantity } from "../../quantity.js";
import { checkQualifiedName, invalid, type Path } from "../../validation.js";

/** A ResourceList as it appears in JSON. */
export type ResourceList = Record<string, string | number>;

/** Parses one quantity of a list, or returns the field error that says why it is not one. */
export function parseListQuantity(value: unknown, path: Path): Quantity | FieldError {
  try {
    return toQuantity(value);
  } catch (err) {
    if (err instanceof QuantityError) return invalid(path, value, err.message);
    throw err;
  }
}

/** True when `x` is a field error rather than a parsed quantity. */
export function isFieldError(x: Quantity | FieldError): x is FieldError {
  return (x as FieldError).type !== undefined;
}

/**
 * Checks a resource list: qualified resource names and non-negative quantities. `checkName`, when
 * given, adds the kind's own rules for names.
 */
export function validateResourceList(
  list: ResourceList | undefined,
  path: Path,
  checkName: (name: string) => string[] = () => [],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const p = path.key(name);
    const nameProblems = checkQualifiedName(name);
    errors.push(
      ...[...nameProblems, ...(nameProblems.length ? [] : checkName(name))].map((m) =>
        invalid(p, name, m),
      ),
    );
    const q = parseListQuantity(value, p);
    if (isFieldError(q)) errors.push(q);
    else if (q.nanos < 0n) errors.push(invalid(p, value, "must be greater than or equal to 0"));
  }
  return errors;
}

/** A quantity as kubectl prints it (its canonical form), or the raw value when it does not parse. */
export function quantityText(value: unknown): string {
  if (value === undefined || value === null) return "0";
  try {
    return formatQuantity(toQuantity(value));
  } catch {
    // A value that does not parse could not have been stored; show what is there rather than fail.
    return String(value);
  }
}
