import type { FeedItem } from './feed-item.js';
import type { FeedText } from './feed-text.js';
import { attr, isRecord, list, mediaText } from './xml.js';

const NOT_IMAGE_FILE = /\.(mp[34]|m4a|m4v|mov|webm|ogg|ogv|wav|pdf)(\?|#|$)/i;
const IMAGE_FILE = /\.(jpe?g|png|gif|webp|avif|svg)(\?|#|$)/i;

function isImage(node: unknown): boolean {
  const medium = attr(node, 'medium');
  const type = attr(node, 'type');
  if (medium) return medium === 'image';
  if (type) return type.startsWith('image/');
  const url = attr(node, 'url');
  // Untyped media:content is usually the lead image, unless its file says otherwise.
  return url !== undefined && !NOT_IMAGE_FILE.test(url);
}

/** An enclosure is an image when its type says so, or, untyped, when its file name does. */
function isImageEnclosure(node: unknown): boolean {
  const type = attr(node, 'type');
  if (type) return type.toLowerCase().startsWith('image/');
  const url = attr(node, 'url') ?? attr(node, 'href');
  return url !== undefined && IMAGE_FILE.test(url);
}

/**
 * The lead image of an RSS or Atom item: Media RSS content or thumbnail (also inside
 * media:group), an image enclosure, else itunes:image. The caption is media:description,
 * else media:title, on the image or on the item; the alt text is media:text or the
 * image's title.
 */
export function mediaImage(item: Record<string, unknown>): Pick<FeedItem, 'image' | 'imageCaption' | 'imageAlt' | 'imageWidth' | 'imageHeight'> {
  const groups = list(item['media:group']);
  const containers = [item, ...groups.filter(isRecord)];
  const candidates: unknown[] = [];
  for (const c of containers) candidates.push(...list(c['media:content']).filter(isImage));
  for (const c of containers) candidates.push(...list(c['media:thumbnail']));
  candidates.push(
    ...list(item.enclosure).filter(isImageEnclosure),
    ...[...list(item['atom:link']), ...list(item.link)].filter((l) => attr(l, 'rel') === 'enclosure' && isImageEnclosure(l)),
    ...list(item['itunes:image']),
  );
  for (const node of candidates) {
    const url = attr(node, 'url') ?? attr(node, 'href');
    if (!url) continue;
    const owner = isRecord(node) ? node : {};
    const caption =
      mediaText(owner['media:description']) ??
      mediaText(owner['media:title']) ??
      groups.map((g) => (isRecord(g) ? mediaText(g['media:description']) : undefined)).find(Boolean) ??
      mediaText(item['media:description']) ??
      mediaText(item['media:title']);
    const alt = mediaText(owner['media:text']) ?? mediaText(owner['media:title']);
    const width = attr(node, 'width');
    const height = attr(node, 'height');
    return {
      image: url.trim(),
      ...(caption ? { imageCaption: caption } : {}),
      ...(alt ? { imageAlt: alt } : {}),
      ...(width && height ? { imageWidth: width, imageHeight: height } : {}),
    };
  }
  return {};
}

/** media:description on the item or in its media:group (YouTube's feeds): the summary of last resort. */
export function mediaSummary(item: Record<string, unknown>): FeedText | undefined {
  const groups = list(item['media:group']).filter(isRecord);
  return (
    mediaText(item['media:description']) ??
    groups.map((g) => mediaText(g['media:description'])).find(Boolean) ??
    list(item['media:content']).filter(isRecord).map((c) => mediaText(c['media:description'])).find(Boolean)
  );
}
