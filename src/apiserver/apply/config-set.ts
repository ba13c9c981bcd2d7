/**
 * Reading an applied configuration against the kind's schema: checks its structure (declared
 * fields, value types, list elements with their keys and without duplicates) and collects the set
 * of fields it names, which becomes the applier's Apply entry.
 */
import { pathString, SetBuilder, type FieldSet } from "./field-set.js";
import { isObject, isUntracked } from "./compare.js";
import { elementKey, type ListShape, type Shape, type StructNode } from "./shape.js";

/** The fields a configuration names, or the problems that make it unreadable. */
export interface ConfigFields {
  set: FieldSet;
  /** Problems, each `<path>: <what is wrong>` as upstream words them; empty when well formed. */
  errors: string[];
}

/**
 * Checks `config` against the kind's root type and collects its field set, as upstream's typed
 * conversion and field-set extraction do. With `ignoreStatus`, `status` is checked but not owned.
 */
export function readConfig(
  root: StructNode,
  config: Readonly<Record<string, unknown>>,
  ignoreStatus: boolean,
): ConfigFields {
  const r = new ConfigReader();
  for (const [name, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const field = root.fields.get(name);
    r.b.push("f:" + name);
    if (field === undefined) r.error("field not declared in schema");
    else if (name === "metadata") r.metadata(field.shape, value);
    else r.visitField(field.shape, value, !isUntracked(0, name, ignoreStatus), true);
    r.b.pop();
  }
  return { set: r.b.set, errors: r.errors };
}

/** Joins problems the way upstream prints a list of validation errors. */
export function formatConfigErrors(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] as string) : "errors:\n  " + errors.join("\n  ");
}

class ConfigReader {
  readonly b = new SetBuilder();
  readonly errors: string[] = [];

  error(message: string): void {
    this.errors.push(`${pathString(this.b.path)}: ${message}`);
  }

  metadata(shape: Shape, value: unknown): void {
    if (shape.kind !== "struct" || !isObject(value)) {
      this.visitField(shape, value, true, true);
      return;
    }
    for (const [name, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const field = shape.fields.get(name);
      this.b.push("f:" + name);
      if (field === undefined) this.error("field not declared in schema");
      else this.visitField(field.shape, v, !isUntracked(1, name, false), true);
      this.b.pop();
    }
  }

  /**
   * A member of a struct or map: owned itself when it is a leaf, null, or an empty object;
   * `named` is false for map keys, which are always owned.
   */
  visitField(shape: Shape, value: unknown, record: boolean, named: boolean): void {
    this.visit(shape, value, record);
    if (!record) return;
    if (!named || value === null || (isObject(value) && isEmpty(value))) this.b.mark();
  }

  /** Checks and collects one value; `whole` walks inside an atomic value only to check it. */
  visit(shape: Shape, value: unknown, record: boolean, whole = false): void {
    if (value === null) {
      if (record) this.b.mark();
      return;
    }
    if (shape.kind === "scalar") {
      this.checkScalar(shape.scalar, value);
      if (record) this.b.mark();
      return;
    }
    if (shape.atomic && !whole) {
      // Replaced whole, yet still checked, as upstream checks every value it converts.
      this.visit(shape, value, false, true);
      if (record) this.b.mark();
      return;
    }
    if (shape.kind === "list") return this.visitList(shape, value, record);
    if (!isObject(value)) return this.error(`expected map, got ${typeName(value)}`);

    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      this.b.push("f:" + key);
      if (shape.kind === "map") {
        this.visitField(shape.values, v, record, false);
      } else {
        const field = shape.fields.get(key);
        if (field === undefined) this.error("field not declared in schema");
        else this.visitField(field.shape, v, record, true);
      }
      this.b.pop();
    }
  }

  visitList(shape: ListShape, value: unknown, record: boolean): void {
    if (!Array.isArray(value)) return this.error(`expected list, got ${typeName(value)}`);
    if (shape.listType === "atomic") {
      for (const item of value) this.visit(shape.items, item, false);
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const key = elementKey(shape, item);
      if (typeof key !== "string") {
        this.error(`element ${i}: ${key.problem}`);
        continue;
      }
      if (seen.has(key)) {
        this.error(`duplicate entries for key ${pathString([key])}`);
        continue;
      }
      seen.add(key);
      this.b.push(key);
      this.visit(shape.items, item, record);
      if (record) this.b.mark();
      this.b.pop();
    }
  }

  checkScalar(kind: string, value: unknown): void {
    const t = typeof value;
    const ok =
      kind === "any" ||
      (kind === "string" && t === "string") ||
      (kind === "time" && t === "string") ||
      (kind === "number" && t === "number") ||
      (kind === "boolean" && t === "boolean") ||
      ((kind === "int-or-string" || kind === "quantity") && (t === "string" || t === "number"));
    if (!ok) this.error(`expected ${expected(kind)}, got ${typeName(value)}`);
  }
}

function expected(kind: string): string {
  switch (kind) {
    case "number":
      return "numeric (int or float)";
    case "int-or-string":
    case "quantity":
      return "string or number";
    case "time":
      return "string";
    default:
      return kind;
  }
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  if (typeof value === "object") return "map";
  return typeof value === "number" ? "number" : typeof value;
}

function isEmpty(v: object): boolean {
  for (const _ in v) return false;
  return true;
}
