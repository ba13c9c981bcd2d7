/**
 * `Warning` response headers as upstream writes them (RFC 7234 code 299, agent `-`), with its
 * per-request recorder's rules: repeated texts are sent once, and past 4096 characters in all,
 * every text is cut to 256 characters and further warnings are dropped.
 */

/** Past this many characters of warning text in one response, texts are truncated. */
export const WARNING_TOTAL_LIMIT = 4 * 1024;

/** The length each warning text is cut to once a response is truncating. */
export const WARNING_ITEM_LIMIT = 256;

/**
 * The `Warning` header value for `text` (`299 - "unknown field \"spec.foo\""`), or undefined for a
 * text upstream would not send: empty, or holding control characters or broken UTF-16.
 */
export function warningHeaderValue(text: string): string | undefined {
  if (text === "" || /[\p{Cc}\p{Cs}]/u.test(text)) return undefined;
  return `299 - "${text.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * Collects the warnings of one request, in the order they are added, and gives the `Warning`
 * header values to send. Not shared between requests.
 */
export class WarningRecorder {
  readonly #texts: string[] = [];
  readonly #seen = new Set<string>();
  #written = 0;
  #truncating = false;

  /** Adds a warning; a text already added, or added after the limit was passed, is dropped. */
  add(text: string): void {
    if (text === "" || (this.#truncating && this.#written >= WARNING_TOTAL_LIMIT)) return;
    if (this.#seen.has(text)) return;
    this.#seen.add(text);

    const cut = this.#truncating ? truncate(text) : text;
    this.#texts.push(cut);
    // A text no header can carry is kept in line but never counted, as upstream does.
    if (warningHeaderValue(cut) === undefined) return;
    const length = runeCount(cut);
    if (this.#truncating || this.#written + length <= WARNING_TOTAL_LIMIT) {
      this.#written += length;
      return;
    }

    // Over the limit: from now on every text, those already added included, is cut short.
    this.#truncating = true;
    this.#written = 0;
    for (let i = 0; i < this.#texts.length; i++) {
      const shortened = truncate(this.#texts[i]!);
      this.#texts[i] = shortened;
      if (warningHeaderValue(shortened) !== undefined) this.#written += runeCount(shortened);
    }
  }

  /** The `Warning` header values, one per warning. */
  headerValues(): string[] {
    const values: string[] = [];
    for (const text of this.#texts) {
      const value = warningHeaderValue(text);
      if (value !== undefined) values.push(value);
    }
    return values;
  }
}

function runeCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function truncate(text: string): string {
  if (text.length <= WARNING_ITEM_LIMIT) return text;
  return Array.from(text).slice(0, WARNING_ITEM_LIMIT).join("");
}
