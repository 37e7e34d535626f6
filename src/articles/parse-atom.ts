import type { FeedItem, ParsedFeed } from './feed-item.js';
import { mediaImage } from './media-image.js';
import { attr, isRecord, list, markup, text, type ParsedXml } from './xml.js';

/** Atom 1.0 (RFC 4287): `<feed><entry>`. */
export function parseAtom({ root, doc }: ParsedXml): ParsedFeed {
  const top = doc[root];
  const feed = isRecord(top) ? top : {};
  const siteUrl = alternateLink(feed.link);
  const feedAuthor = authorName(feed.author);
  const items = list(feed.entry).filter(isRecord).map((entry) => atomEntry(entry, feedAuthor));
  return { ...(siteUrl ? { siteUrl } : {}), items };
}

function atomEntry(entry: Record<string, unknown>, feedAuthor: string | undefined): FeedItem {
  const tags = list(entry.category)
    .map((c) => attr(c, 'term') ?? attr(c, 'label'))
    .filter((t): t is string => !!t);
  return {
    id: text(entry.id),
    link: alternateLink(entry.link),
    title: markup(entry.title),
    summary: markup(entry.summary) ?? markup(entry.content),
    author: authorName(entry.author) ?? feedAuthor,
    published: text(entry.published) ?? text(entry.updated),
    tags,
    ...mediaImage(entry),
  };
}

/** RFC 4287 §4.2.7.2: a link without `rel` is `alternate`; an HTML one is preferred. */
function alternateLink(links: unknown): string | undefined {
  const alternates = list(links).filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const html = alternates.find((l) => /html/.test(attr(l, 'type') ?? 'text/html'));
  return attr(html ?? alternates[0], 'href');
}

function authorName(authors: unknown): string | undefined {
  return list(authors)
    .map((a) => (isRecord(a) ? text(a.name) : undefined))
    .find(Boolean);
}
