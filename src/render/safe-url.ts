/**
 * The URL if it is an absolute http(s) URL, else "#". Articles already guarantee this; the
 * template helper checks again because a `javascript:` or `data:` href is script in a
 * reader's mail client, and the cost of a second check is nothing.
 */
export function safeUrl(value: unknown): string {
  if (typeof value !== 'string') return '#';
  const url = value.trim();
  if (!/^https?:\/\//i.test(url)) return '#';
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url : '#';
  } catch {
    return '#';
  }
}
