import type { FeedType } from './types.js';

/**
 * Tells the feed type from the content: a JSON Feed (`version` naming jsonfeed.org), a
 * WordPress REST posts list (objects with `link` and `title.rendered`), or XML whose root
 * is `rss` / `rdf:RDF` (RSS 2.0 / 1.0) or `feed` (Atom). A URL ending in
 * `/wp-json/wp/v2/posts` is WordPress whatever it holds. Undefined when none fits.
 */
export function detectFeedType(text: string, url?: string): FeedType | undefined {
  if (url && isWordPressPostsUrl(url)) return 'wordpress';
  const start = firstSignificantChar(text);
  if (start === '{' || start === '[') {
    try {
      return detectJsonFeedType(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  if (start === '<') {
    const root = xmlRootName(text);
    return root ? detectXmlFeedType(root) : undefined;
  }
  return undefined;
}

/** True for a WordPress REST posts endpoint (with or without a query string). */
export function isWordPressPostsUrl(url: string): boolean {
  try {
    return /\/wp-json\/wp\/v2\/posts\/?$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

export function detectJsonFeedType(value: unknown): FeedType | undefined {
  if (Array.isArray(value)) {
    // An empty page is still a valid answer from the posts endpoint.
    if (value.length === 0) return 'wordpress';
    return value.every(isWordPressPost) ? 'wordpress' : undefined;
  }
  if (isObject(value) && typeof value.version === 'string' && value.version.includes('jsonfeed.org')) return 'jsonfeed';
  // Some generators write a bare `"version": "1.0"`: with items that look like JSON Feed
  // items (an id and a url or content) it is still one to gofeed.
  if (isObject(value) && typeof value.version === 'string' && /^1(\.\d+)?$/.test(value.version.trim()) && Array.isArray(value.items)) {
    const looksLikeItems = value.items.length > 0 && value.items.every((i) => isObject(i) && 'id' in i && ('url' in i || 'content_html' in i || 'content_text' in i));
    if (looksLikeItems) return 'jsonfeed';
  }
  return undefined;
}

export function detectXmlFeedType(rootName: string): FeedType | undefined {
  const local = rootName.slice(rootName.indexOf(':') + 1);
  if (rootName === 'rss' || local === 'RDF') return 'rss';
  if (local === 'feed') return 'atom';
  return undefined;
}

/** The name of the root element, after the declaration, comments, PIs and DOCTYPE. */
export function xmlRootName(text: string): string | undefined {
  // A scanner rather than one regular expression: nested repetition over untrusted input
  // is how a regex takes exponential time.
  let i = 0;
  for (;;) {
    while (i < text.length && /[\s\uFEFF]/.test(text[i]!)) i++;
    if (text.startsWith('<?', i)) i = after(text, '?>', i);
    else if (text.startsWith('<!--', i)) i = after(text, '-->', i);
    else if (text.startsWith('<!DOCTYPE', i)) {
      const bracket = text.indexOf('[', i);
      const close = text.indexOf('>', i);
      i = bracket >= 0 && bracket < close ? after(text, '>', after(text, ']', bracket)) : after(text, '>', i);
    } else {
      const name = /<([A-Za-z_][\w:.-]*)/y;
      name.lastIndex = i;
      return name.exec(text)?.[1];
    }
    if (i < 0) return undefined;
  }
}

/** The index just past the next `token` at or after `from`, or -1. */
function after(text: string, token: string, from: number): number {
  if (from < 0) return -1;
  const at = text.indexOf(token, from);
  return at < 0 ? -1 : at + token.length;
}

export function firstSignificantChar(text: string): string | undefined {
  return /[^\s\uFEFF]/.exec(text)?.[0];
}

function isWordPressPost(v: unknown): boolean {
  return isObject(v) && typeof v.link === 'string' && isObject(v.title) && typeof v.title.rendered === 'string';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
