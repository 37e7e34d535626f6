import type { FeedItem, ParsedFeed } from './feed-item.js';
import { html, type FeedText } from './feed-text.js';
import { array, record, str } from './json-values.js';

/**
 * One page of the WordPress REST API posts endpoint, fetched with `_embed` so that author,
 * featured image and terms come with each post.
 */
export function parseWordPress(value: unknown): ParsedFeed {
  return { items: array(value).map(wordPressPost) };
}

function wordPressPost(raw: unknown): FeedItem {
  const post = record(raw);
  const embedded = record(post._embedded);
  const media = record(array(embedded['wp:featuredmedia'])[0]);
  // wp:term is one array per taxonomy (categories, tags, …), each of term objects.
  const tags = array(embedded['wp:term'])
    .flatMap((taxonomy) => array(taxonomy))
    .map((term) => html(str(record(term).name)))
    .filter((t): t is FeedText => !!t);
  const image = str(media.source_url);
  return {
    // guid.rendered (`https://site/?p=123`) survives a change of permalink structure.
    id: str(record(post.guid).rendered) ?? (typeof post.id === 'number' ? String(post.id) : str(post.id)),
    link: str(post.link),
    title: html(str(record(post.title).rendered)),
    summary: html(str(record(post.excerpt).rendered)) ?? html(str(record(post.content).rendered)),
    author: html(str(record(array(embedded.author)[0]).name)),
    // date_gmt has no offset but is UTC by definition; `date` is in the site's zone.
    published: gmt(str(post.date_gmt)) ?? str(post.date),
    tags,
    ...(image ? { image } : {}),
    ...(image ? { imageWidth: record(media.media_details).width, imageHeight: record(media.media_details).height } : {}),
    ...(image ? { imageCaption: html(str(record(media.caption).rendered)) ?? html(str(media.alt_text)) } : {}),
    ...(image && str(media.alt_text) ? { imageAlt: html(str(media.alt_text)) } : {}),
  };
}

function gmt(date: string | undefined): string | undefined {
  if (!date) return undefined;
  return /(Z|[+-]\d{2}:?\d{2})$/i.test(date) ? date : `${date}Z`;
}
