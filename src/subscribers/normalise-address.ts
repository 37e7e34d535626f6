/**
 * Addresses are the identity of a subscriber: the field of a list's members hash, the
 * member of the suppression set and the envelope recipient. One normal form (trimmed,
 * lower-case) makes "Ana@Example.org" and "ana@example.org" one subscriber.
 *
 * Deliberately stricter than RFC 5321: no quoted local parts, comments, IP-literal domains
 * or non-ASCII (SMTPUTF8) — a relay may refuse them, and an address that cannot go into a
 * header without quoting is a header-injection risk for no real-world gain on a newsletter.
 */

/** RFC 5321's limit on a forward path. */
const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
/**
 * One expression for the whole address (an import checks a million of them):
 * - local part: dot-atom — atext characters, dots only between them;
 * - domain: LDH labels (letters, digits, inner hyphens, at most 63 characters), at least
 *   two, ending in a top-level domain of letters or an IDNA A-label (xn--…).
 * Only printable ASCII can match, so spaces, CR/LF, control characters and non-ASCII fail.
 * Dots cannot occur inside a label or an atext run, so the repetitions cannot overlap and
 * a failing match does not backtrack badly.
 */
const ADDRESS =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The normal form of an address, or null when it is not one we accept. */
export function normaliseAddress(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  const address = raw.trim().toLowerCase();
  if (address.length > MAX_ADDRESS || !ADDRESS.test(address)) return null;
  return address.indexOf('@') > MAX_LOCAL ? null : address;
}
