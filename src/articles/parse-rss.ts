import type { FeedItem, ParsedFeed } from './feed-item.js';
import { guessed, html, type FeedText } from './feed-text.js';
import { mediaImage, mediaSummary } from './media-image.js';
import { baseOf, resolveAgainst } from './xml-base.js';
import { attr, first, isRecord, list, markup, text, type ParsedXml } from './xml.js';

/** RSS 2.0 / 0.9x (`<rss><channel><item>`) and RSS 1.0 / RDF (`<rdf:RDF><channel/><item>`). */
export function parseRss({ root, doc }: ParsedXml): ParsedFeed {
  const top = doc[root];
  const rootNode = isRecord(top) ? top : {};
  const channel = first(rootNode.channel);
  const channelNode = isRecord(channel) ? channel : {};
  const base = baseOf(channelNode, baseOf(rootNode, undefined));
  // RSS 1.0 puts items beside the channel, RSS 2.0 inside it.
  const items = [...list(channelNode.item), ...list(rootNode.item)].filter(isRecord);
  const atomLinks = list(channelNode['atom:link']);
  const siteUrl = resolveAgainst(
    list(channelNode.link).map(text).find(Boolean) ??
      atomLinks.filter((l) => attr(l, 'rel') === 'alternate').map((l) => attr(l, 'href')).find(Boolean) ??
      // A file feed that names only itself still says where its relative links point.
      atomLinks.filter((l) => attr(l, 'rel') === 'self').map((l) => attr(l, 'href')).find(Boolean),
    base,
  );
  return { ...(siteUrl ? { siteUrl } : {}), items: items.map((item) => rssItem(item, baseOf(item, base))) };
}

function rssItem(item: Record<string, unknown>, base: string | undefined): FeedItem {
  const guid = text(item.guid);
  const isPermaLink = attr(item.guid, 'isPermaLink') !== 'false';
  const link =
    text(item.link) ??
    list(item['atom:link']).filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate').map((l) => attr(l, 'href')).find(Boolean) ??
    // RSS 2.0: a guid is the item's permalink unless it says otherwise.
    (guid && isPermaLink ? guid : undefined);
  const tags = [...list(item.category), ...list(item['dc:subject'])]
    .map((c) => guessed(text(c)))
    .filter((t): t is FeedText => !!t);
  const image = mediaImage(item);
  return {
    id: guid ?? attr(item, 'rdf:about'),
    link: resolveAgainst(link, base),
    title: guessed(markup(item.title)),
    // RSS description and content:encoded are HTML (entity-escaped or in CDATA).
    summary: html(markup(item.description)) ?? html(markup(item['content:encoded'])) ?? mediaSummary(item) ?? guessed(text(item['itunes:summary'])),
    author: rssAuthor(item),
    published:
      text(item.pubDate) ?? text(item['dc:date']) ?? text(item['dcterms:issued']) ?? text(item['dcterms:created']) ??
      text(item['atom:published']) ?? text(item['atom:updated']) ?? text(item['dcterms:modified']),
    tags,
    ...image,
    ...(image.image ? { image: resolveAgainst(image.image, base) } : {}),
  };
}

/**
 * Who wrote the item: dc:creator, the RSS author (`me@example.com (Name)`, or a nested
 * `<name>`), atom:author, itunes:author. Several dc:creators are all named.
 */
function rssAuthor(item: Record<string, unknown>): FeedText | undefined {
  const creators = list(item['dc:creator']).map(text).filter(Boolean);
  if (creators.length > 0) return guessed(creators.join(', '));
  for (const a of list(item.author)) {
    const named = isRecord(a) ? (text(a.name) ?? text(a['atom:name'])) : undefined;
    const value = named ?? text(a);
    if (value) return guessed(value);
  }
  for (const a of list(item['atom:author'])) {
    const value = isRecord(a) ? (text(a['atom:name']) ?? text(a.name)) : undefined;
    if (value) return guessed(value);
  }
  return guessed(text(item['itunes:author']));
}
