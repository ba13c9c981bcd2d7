/**
 * Embedded structs: upstream types such as Volume (which embeds VolumeSource) or Probe (which
 * embeds ProbeHandler) flatten the embedded struct's fields into the parent in JSON, while protobuf
 * keeps them in a nested message under one field number of the parent. The schema language has no
 * word for this yet, so such fields carry `embeddedIn`: the parent's field number of the nested
 * message. A protobuf decoder meeting that field number decodes the nested message against the
 * fields marked with it and merges the result into the parent object.
 */
import type { Field } from "../../schema.js";

/**
 * A field flattened into its parent in JSON but nested under field number `embeddedIn` in protobuf.
 */
export interface EmbeddedField extends Field {
  readonly embeddedIn: number;
}

/** Marks every field of an embedded struct as nested under the parent's field number `proto`. */
export function embed(proto: number, fields: Record<string, Field>): Record<string, EmbeddedField> {
  const out: Record<string, EmbeddedField> = {};
  for (const [name, field] of Object.entries(fields)) out[name] = { ...field, embeddedIn: proto };
  return out;
}

/** True when a field is one of an embedded struct's (see `embed`). */
export function isEmbedded(field: Field): field is EmbeddedField {
  return typeof (field as Partial<EmbeddedField>).embeddedIn === "number";
}
