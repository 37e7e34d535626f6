import type { FeedItem } from './feed-item.js';
import { attr, isRecord, list, markup } from './xml.js';

const NOT_IMAGE_FILE = /\.(mp[34]|m4a|m4v|mov|webm|ogg|ogv|wav|pdf)(\?|#|$)/i;

function isImage(node: unknown): boolean {
  const medium = attr(node, 'medium');
  const type = attr(node, 'type');
  if (medium) return medium === 'image';
  if (type) return type.startsWith('image/');
  const url = attr(node, 'url');
  // Untyped media:content is usually the lead image, unless its file says otherwise.
  return url !== undefined && !NOT_IMAGE_FILE.test(url);
}

/**
 * The lead image of an RSS or Atom item: Media RSS content or thumbnail (also inside
 * media:group), else an image enclosure. The caption is media:description, else
 * media:title, on the image or on the item.
 */
export function mediaImage(item: Record<string, unknown>): Pick<FeedItem, 'image' | 'imageCaption'> {
  const groups = list(item['media:group']);
  const containers = [item, ...groups.filter(isRecord)];
  const candidates: unknown[] = [];
  for (const c of containers) candidates.push(...list(c['media:content']).filter(isImage));
  for (const c of containers) candidates.push(...list(c['media:thumbnail']));
  candidates.push(
    ...list(item.enclosure).filter((e) => (attr(e, 'type') ?? '').startsWith('image/')),
    ...[...list(item['atom:link']), ...list(item.link)].filter(
      (l) => attr(l, 'rel') === 'enclosure' && (attr(l, 'type') ?? '').startsWith('image/'),
    ),
  );
  for (const node of candidates) {
    const url = attr(node, 'url') ?? attr(node, 'href');
    if (!url) continue;
    const owner = isRecord(node) ? node : {};
    const caption =
      markup(owner['media:description']) ??
      markup(owner['media:title']) ??
      groups.map((g) => (isRecord(g) ? markup(g['media:description']) : undefined)).find(Boolean) ??
      markup(item['media:description']) ??
      markup(item['media:title']);
    return { image: url, ...(caption ? { imageCaption: caption } : {}) };
  }
  return {};
}
