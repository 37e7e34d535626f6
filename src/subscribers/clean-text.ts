/**
 * Names and attribute values come from signup forms and CSV files and end up in mail
 * headers ("Ana <ana@example.org>") and templates. Sanitising here, where a subscriber is
 * built, means no later call site has to remember: a name holding "\r\nBcc: x" is stored
 * as one line and can never become a header line. HTML is left as text — it is escaped
 * where it enters HTML (src/render), and escaping here would double-escape it there.
 */

/** C0 and C1 control characters (CR, LF, TAB, NUL, ESC…), DEL, and the Unicode line and paragraph separators. */
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Printable text with single inner spaces and no space at either end. */
const CLEAN = /^(?:[^\s\u0000-\u001f\u007f-\u009f]+(?: [^\s\u0000-\u001f\u007f-\u009f]+)*)?$/;

export const MAX_NAME = 200;
export const MAX_ATTRIBUTE = 500;

/**
 * One line of text: control characters become a space, runs of whitespace collapse, ends
 * are trimmed, and the result is cut to `max` code points (never half a surrogate pair).
 */
export function cleanLine(raw: string, max: number): string {
  // Most values are already clean; testing first skips two string copies per value.
  const line = CLEAN.test(raw) ? raw : raw.replace(BREAKING, ' ').replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  return Array.from(line).slice(0, max).join('').trimEnd();
}

/** A subscriber's display name: one line, at most 200 characters; empty means none. */
export function cleanName(raw: string): string {
  return cleanLine(raw, MAX_NAME);
}
