/**
 * A request URL fit for the logs: the signed token of /u/ and /p/ links names the
 * subscriber's address (its payload is readable), so it never reaches a log line.
 */
export function redactUrl(url: string): string {
  return url.replace(/^\/(u|p)\/[^/?#]*/, '/$1/[token]');
}
