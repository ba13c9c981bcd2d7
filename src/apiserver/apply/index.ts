/** Server-side apply and managedFields: the entry points the API server's write path calls. */
export { applyConfiguration, type ApplyArgs } from "./apply.js";
export { defaultManager, recordUpdate, type UpdateArgs } from "./record-update.js";
export { FieldSet, pathString } from "./field-set.js";
export {
  decodeFieldsV1,
  encodeFieldsV1,
  FieldsV1Error,
  subtractFromFieldsV1,
  type FieldsV1,
} from "./fields-v1.js";
export { LAST_APPLIED } from "./last-applied.js";
