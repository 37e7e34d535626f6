/**
 * A connection URL (SMTP, Redis) fit for a message or a log: the user and password are
 * masked whatever they hold (an `@` or `:` in a password, an API key given as the user
 * name), and so is any query parameter that names a secret. Parsed, not pattern-matched:
 * `smtp://user:p@ss@host` is the user "user" with the password "p@ss" at "host".
 */
export function redactCredentials(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(url)?.[1];
  if (!scheme) return url.includes('@') ? '[a URL with credentials, not shown]' : url;
  // The authority ends at the first / ? or #; its user info at the *last* @ within it.
  const rest = url.slice(scheme.length + 2);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  let tail = end < 0 ? '' : rest.slice(end);
  const at = authority.lastIndexOf('@');
  const hosts = at < 0 ? authority : authority.slice(at + 1);
  let userInfo = '';
  if (at >= 0) {
    const info = authority.slice(0, at);
    userInfo = info.includes(':') ? '***:***@' : '***@';
  }
  const q = tail.indexOf('?');
  if (q >= 0) {
    const hash = tail.indexOf('#', q);
    const query = tail.slice(q + 1, hash < 0 ? undefined : hash);
    const masked = query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        return eq >= 0 && /pass|secret|token|key|auth|cred/i.test(name) ? `${name}=***` : pair;
      })
      .join('&');
    tail = `${tail.slice(0, q)}?${masked}${hash < 0 ? '' : tail.slice(hash)}`;
  }
  return `${scheme}//${userInfo}${hosts}${tail}`.replace(/[\u0000-\u001f\u007f]/g, '?');
}
