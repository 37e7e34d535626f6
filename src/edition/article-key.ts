import type { Article } from '../articles/types.js';

/**
 * The keys under which an article is remembered as sent: `id:<id>` and
 * `url:<normalised url>`. An article counts as already sent when any of its keys was
 * recorded, so a feed that re-dates a story, or republishes it under a new guid with the
 * same link, or with the old guid at a new tracking link, does not send it twice.
 */
export function articleKeys(article: Pick<Article, 'id' | 'url'>): string[] {
  const keys: string[] = [];
  const id = article.id.trim();
  if (id !== '') keys.push(`id:${id}`);
  const url = normaliseArticleUrl(article.url);
  if (url !== '') keys.push(`url:${url}`);
  return keys;
}

/**
 * Lower-case scheme and host, no default port, no fragment, no `utm_*` parameters, no
 * trailing slash on the path. Only what never changes which story a link opens: other
 * query parameters stay, in order (`?p=123` is the story on many WordPress sites).
 */
export function normaliseArticleUrl(raw: string): string {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    // Articles only carry absolute URLs; should one slip through, compare it as written.
    return trimmed;
  }
  url.hash = '';
  const params = [...url.searchParams.keys()];
  if (params.some(isTracking)) {
    // Rewritten only when something is dropped, so other queries keep their exact spelling.
    const kept = new URLSearchParams([...url.searchParams].filter(([name]) => !isTracking(name)));
    url.search = kept.toString();
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  // The WHATWG serialiser writes "https://x.org/" for an empty path, and "?" never alone.
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

function isTracking(name: string): boolean {
  return name.toLowerCase().startsWith('utm_');
}
