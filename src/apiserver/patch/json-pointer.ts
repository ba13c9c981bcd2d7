/** JSON pointers (RFC 6901), the `path` and `from` of JSON patch operations. */

/** The reference tokens of a pointer (none for `""`, the whole document), or why it is not one. */
export function parseJsonPointer(pointer: string): { tokens: string[] } | { problem: string } {
  if (pointer === "") return { tokens: [] };
  if (!pointer.startsWith("/")) return { problem: 'it must be empty or start with "/"' };

  const tokens = pointer.slice(1).split("/");
  for (const token of tokens) {
    // "~" escapes only "~0" and "~1"; any other use of it is malformed.
    if (/~(?![01])/.test(token)) {
      return { problem: `"~" in "${token}" must be followed by 0 or 1` };
    }
  }
  // "~01" is "~1", not "/": undo "~1" first so that a decoded "~" cannot start a new escape.
  return { tokens: tokens.map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~")) };
}

/** The pointer of these tokens, escaped. */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** The array index a token names (`0`, `12`; no sign, no leading zero), or undefined. */
export function arrayIndex(token: string): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}
