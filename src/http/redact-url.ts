/** The shape of a signed link token: base64url payload, a dot, base64url MAC. */
const TOKEN_SHAPE = /^[A-Za-z0-9_=+/!-]{12,}\.[A-Za-z0-9_=+/!.-]{12,}$/;

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A request URL fit for the logs: the path only (a query string may carry anything, so it
 * is never logged), percent-decoded as the router decodes it, with the signed token of
 * /u/ and /p/ links (and any other segment shaped like one) replaced by `[token]`: a token
 * names the subscriber's address (its payload is readable). Decoding first means
 * `/%75/TOKEN` or `//u/TOKEN` is redacted like `/u/TOKEN`. A segment with an `@` (an email
 * address, as /api/subscribers/ADDRESS has) becomes `[address]`.
 */
export function redactUrl(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const segments = path.split('/').map(decodeSegment);
  const firstReal = segments.findIndex((s, i) => i > 0 && s !== '');
  return segments
    .map((s, i) => {
      if (i > 0 && i === firstReal + 1 && /^(u|p|confirm)$/i.test(segments[firstReal] ?? '') && s !== '') return '[token]';
      // An address in the path (/api/subscribers/ADDRESS, …/forget) is a subscriber's: never logged.
      if (s.includes('@')) return '[address]';
      return TOKEN_SHAPE.test(s) ? '[token]' : s.replace(/[\u0000-\u001f\u007f]/g, '?');
    })
    .join('/');
}
