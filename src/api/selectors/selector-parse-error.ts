/** The error every selector parser and converter in this folder throws. */

/**
 * A label or field selector that cannot be parsed or converted. The API server answers it with a
 * 400 BadRequest carrying `message`.
 */
export class SelectorParseError extends Error {
  /** The selector text as the client sent it; undefined when converting a selector object. */
  readonly selector: string | undefined;
  /** The 0-based offset in `selector` where the problem starts; undefined when there is no text. */
  readonly position: number | undefined;

  constructor(
    message: string,
    where: { selector?: string; position?: number } = {},
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = "SelectorParseError";
    this.selector = where.selector;
    this.position = where.position;
  }
}
