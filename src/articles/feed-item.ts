import type { FeedText } from './feed-text.js';

/**
 * What every parser hands to the normaliser: the feed's values as written, not yet
 * trusted. Text fields say whether they are plain text or HTML (feed-text.ts); links may
 * be relative or hostile. Cleaning happens once, in normalise-feed.ts.
 */
export interface FeedItem {
  id?: string;
  link?: string;
  title?: FeedText;
  summary?: FeedText;
  /** A name, or text that may hold one (`me@example.com (Name)` is read there). */
  author?: FeedText;
  /** The date exactly as the feed wrote it. */
  published?: string;
  tags: FeedText[];
  image?: string;
  /** Pixel size as the feed states it (attributes or JSON numbers), read by `imageSize`. */
  imageWidth?: unknown;
  imageHeight?: unknown;
  imageAlt?: FeedText;
  imageCaption?: FeedText;
}

export interface ParsedFeed {
  /** The site's home page as the feed names it: the base for relative item links. */
  siteUrl?: string;
  items: FeedItem[];
  /** Things the parser noticed about the whole document (a repaired `&`), one line each. */
  warnings?: string[];
}
