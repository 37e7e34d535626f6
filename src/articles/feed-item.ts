/**
 * What every parser hands to the normaliser: the feed's values as written, not yet
 * trusted. Text fields may hold HTML and entities; links may be relative or hostile.
 * Cleaning happens once, in normalise-feed.ts.
 */
export interface FeedItem {
  id?: string;
  link?: string;
  /** HTML (or text with entities). */
  title?: string;
  /** HTML (or text with entities). */
  summary?: string;
  author?: string;
  /** The date exactly as the feed wrote it. */
  published?: string;
  tags: string[];
  image?: string;
  /** HTML (or text with entities). */
  imageCaption?: string;
}

export interface ParsedFeed {
  /** The site's home page as the feed names it: the base for relative item links. */
  siteUrl?: string;
  items: FeedItem[];
}
