import type { FeedItem, ParsedFeed } from './feed-item.js';
import { array, record, str } from './json-values.js';

/** JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). */
export function parseJsonFeed(value: unknown): ParsedFeed {
  const feed = record(value);
  const feedAuthor = authorName(feed);
  const items = array(feed.items).map((raw): FeedItem => {
    const item = record(raw);
    return {
      // 1.1 says ids are strings, but numbers are common in the wild and just as stable.
      id: typeof item.id === 'number' ? String(item.id) : str(item.id),
      link: str(item.url) ?? str(item.external_url),
      title: str(item.title),
      summary: str(item.summary) ?? str(item.content_html) ?? str(item.content_text),
      author: authorName(item) ?? feedAuthor,
      published: str(item.date_published) ?? str(item.date_modified),
      tags: array(item.tags).filter((t): t is string => typeof t === 'string'),
      image: str(item.image) ?? str(item.banner_image),
    };
  });
  const siteUrl = str(feed.home_page_url);
  return { ...(siteUrl ? { siteUrl } : {}), items };
}

/** 1.1 has `authors[]`; 1.0 had a single `author`. */
function authorName(o: Record<string, unknown>): string | undefined {
  return [...array(o.authors), o.author].map((a) => str(record(a).name)).find(Boolean);
}
