import type { FeedItem, ParsedFeed } from './feed-item.js';
import { html, plain, type FeedText } from './feed-text.js';
import { array, record, str } from './json-values.js';

/**
 * JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). `title`, `summary` and
 * `content_text` are plain text; only `content_html` is HTML.
 */
export function parseJsonFeed(value: unknown): ParsedFeed {
  const feed = record(value);
  const feedAuthor = authorNames(feed);
  const items = array(feed.items).map((raw): FeedItem => {
    const item = record(raw);
    return {
      // 1.1 says ids are strings, but numbers are common in the wild and just as stable.
      id: typeof item.id === 'number' ? String(item.id) : str(item.id),
      link: str(item.url) ?? str(item.external_url),
      title: plain(str(item.title)),
      summary: plain(str(item.summary)) ?? html(str(item.content_html)) ?? plain(str(item.content_text)),
      author: authorNames(item) ?? feedAuthor,
      published: str(item.date_published) ?? str(item.date_modified),
      tags: array(item.tags).filter((t): t is string => typeof t === 'string').map((t) => plain(t)).filter((t): t is FeedText => !!t),
      image: str(item.image) ?? str(item.banner_image),
    };
  });
  const siteUrl = str(feed.home_page_url);
  return { ...(siteUrl ? { siteUrl } : {}), items };
}

/** 1.1 has `authors[]` (every name is shown); 1.0 had a single `author`. */
function authorNames(o: Record<string, unknown>): FeedText | undefined {
  const names = (array(o.authors).length > 0 ? array(o.authors) : [o.author]).map((a) => str(record(a).name)).filter(Boolean);
  return plain(names.join(', ') || undefined);
}
