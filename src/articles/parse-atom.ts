import type { FeedItem, ParsedFeed } from './feed-item.js';
import { guessed, type FeedText } from './feed-text.js';
import { mediaImage, mediaSummary } from './media-image.js';
import { baseOf, resolveAgainst } from './xml-base.js';
import { atomText, attr, isRecord, list, text, type ParsedXml } from './xml.js';

/** Atom 1.0 (RFC 4287) and 0.3: `<feed><entry>`, with xml:base at every level. */
export function parseAtom({ root, doc }: ParsedXml): ParsedFeed {
  const top = doc[root];
  const feed = isRecord(top) ? top : {};
  const base = baseOf(feed, undefined);
  // A file feed that names only itself (`rel="self"`) still says where its relative links point.
  const siteUrl = alternateLink(feed.link, base) ?? relLink(feed.link, 'self', base);
  const feedAuthor = authorName(feed.author);
  const items = list(feed.entry).filter(isRecord).map((entry) => atomEntry(entry, feedAuthor, baseOf(entry, base)));
  return { ...(siteUrl ? { siteUrl } : {}), items };
}

function atomEntry(entry: Record<string, unknown>, feedAuthor: FeedText | undefined, base: string | undefined): FeedItem {
  const tags = list(entry.category)
    .map((c) => guessed(attr(c, 'term') ?? attr(c, 'label')))
    .filter((t): t is FeedText => !!t);
  const image = mediaImage(entry);
  return {
    id: text(entry.id),
    link: alternateLink(entry.link, base),
    title: atomText(entry.title),
    summary: atomText(entry.summary) ?? atomText(entry.content) ?? mediaSummary(entry),
    author: authorName(entry.author) ?? feedAuthor,
    // Atom 0.3 named them issued / modified.
    published: text(entry.published) ?? text(entry.issued) ?? text(entry.updated) ?? text(entry.modified) ?? text(entry['dc:date']),
    tags,
    ...image,
    ...(image.image ? { image: resolveAgainst(image.image, base) } : {}),
  };
}

/** RFC 4287 §4.2.7.2: a link without `rel` is `alternate`; an HTML one is preferred. */
function alternateLink(links: unknown, base: string | undefined): string | undefined {
  const alternates = list(links).filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate' && hrefOf(l));
  const chosen = alternates.find((l) => /html/.test(attr(l, 'type') ?? 'text/html')) ?? alternates[0];
  return chosen ? resolveAgainst(hrefOf(chosen), baseOf(chosen, base)) : undefined;
}

/** `href`, or (as feedparser reads a link written like RSS's) the element's text. */
function hrefOf(link: unknown): string | undefined {
  return attr(link, 'href') ?? text(link);
}

function relLink(links: unknown, rel: string, base: string | undefined): string | undefined {
  const found = list(links).find((l) => attr(l, 'rel') === rel && attr(l, 'href'));
  return found ? resolveAgainst(attr(found, 'href'), baseOf(found, base)) : undefined;
}

function authorName(authors: unknown): FeedText | undefined {
  const names = list(authors)
    .map((a) => (isRecord(a) ? text(a.name) : text(a)))
    .filter((n): n is string => !!n);
  return names.length > 0 ? guessed(names.join(', ')) : undefined;
}
