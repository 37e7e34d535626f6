import type { FeedItem, ParsedFeed } from './feed-item.js';
import { mediaImage } from './media-image.js';
import { attr, first, isRecord, list, markup, text, type ParsedXml } from './xml.js';

/** RSS 2.0 (`<rss><channel><item>`) and RSS 1.0 / RDF (`<rdf:RDF><channel/><item>`). */
export function parseRss({ root, doc }: ParsedXml): ParsedFeed {
  const top = doc[root];
  const rootNode = isRecord(top) ? top : {};
  const channel = first(rootNode.channel);
  const channelNode = isRecord(channel) ? channel : {};
  // RSS 1.0 puts items beside the channel, RSS 2.0 inside it.
  const items = [...list(channelNode.item), ...list(rootNode.item)].filter(isRecord);
  const siteUrl =
    list(channelNode.link).map(text).find(Boolean) ??
    list(channelNode['atom:link']).filter((l) => attr(l, 'rel') === 'alternate').map((l) => attr(l, 'href')).find(Boolean);
  return { ...(siteUrl ? { siteUrl } : {}), items: items.map(rssItem) };
}

function rssItem(item: Record<string, unknown>): FeedItem {
  const guid = text(item.guid);
  const isPermaLink = attr(item.guid, 'isPermaLink') !== 'false';
  const link =
    text(item.link) ??
    list(item['atom:link']).filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate').map((l) => attr(l, 'href')).find(Boolean) ??
    // RSS 2.0: a guid is the item's permalink unless it says otherwise.
    (guid && isPermaLink ? guid : undefined);
  const tags = [...list(item.category), ...list(item['dc:subject'])].map(text).filter((t): t is string => !!t);
  return {
    id: guid ?? attr(item, 'rdf:about'),
    link,
    title: markup(item.title),
    summary: markup(item.description) ?? markup(item['content:encoded']),
    author: text(item['dc:creator']) ?? rssAuthor(text(item.author)),
    published:
      text(item.pubDate) ?? text(item['dc:date']) ?? text(item['atom:published']) ?? text(item['atom:updated']),
    tags,
    ...mediaImage(item),
  };
}

/** RSS 2.0 `<author>` is `email (Name)`; the name is what readers want to see. */
function rssAuthor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const open = value.lastIndexOf('(');
  const named = open >= 0 ? /^\(([^()]+)\)\s*$/.exec(value.slice(open)) : null;
  if (named) return named[1];
  return value.includes('@') && !value.includes(' ') ? undefined : value;
}
