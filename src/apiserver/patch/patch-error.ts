/** The error the patch functions of this folder throw. */

/**
 * Why a patch was refused: `invalid` when the patch document itself is malformed (the API answers
 * 400 BadRequest), `failed` when it is well formed but cannot be applied to this object, e.g. a
 * failed `test` or a missing path (422, as upstream answers), `tooLarge` past the operation limit
 * (413).
 */
export type PatchErrorKind = "invalid" | "failed" | "tooLarge";

/** A patch that cannot be applied; the target document is left as it was. */
export class PatchError extends Error {
  readonly kind: PatchErrorKind;
  /** The 0-based index of the JSON patch operation at fault, when one is. */
  readonly operation: number | undefined;

  constructor(kind: PatchErrorKind, message: string, operation?: number) {
    super(message);
    this.name = "PatchError";
    this.kind = kind;
    this.operation = operation;
  }
}
