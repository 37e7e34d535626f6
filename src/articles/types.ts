import type { SourceConfig } from '../config/schema.js';

/**
 * One story, normalised from any feed type. Every text field is plain text (entities
 * decoded, tags removed): it is escaped exactly once, where it enters HTML in
 * src/render. Every URL is absolute http(s) or absent; nothing else survives parsing.
 */
export interface Article {
  /** Stable id: the feed's guid/id, else the URL. Used for de-duplication across editions. */
  id: string;
  /** Absolute http(s) URL of the story. */
  url: string;
  title: string;
  /** Plain text, at most ~300 characters, cut on a word boundary with an ellipsis. */
  summary: string;
  author?: string;
  /** Publication instant, as an ISO 8601 string in UTC (e.g. 2025-09-05T04:59:59.000Z). */
  published: string;
  /** Tags/categories as the feed names them (trimmed, de-duplicated, original case). */
  tags: string[];
  /** Absolute http(s) URL of the lead image. */
  imageUrl?: string;
  /** The image's alternative text, when the feed gives one. */
  imageAlt?: string;
  imageCaption?: string;
  /** The image's size in pixels, when the feed gives both (media:content, WordPress media_details). */
  imageWidth?: number;
  imageHeight?: number;
  /** True when the article carries the newsletter's members-only category. */
  membersOnly: boolean;
  /** Which source it came from (the source's name or url), for messages. */
  source: string;
}

export type FeedType = NonNullable<SourceConfig['type']>;
export type { ListedItem, SkipReason, UndatedArticle } from './normalise-feed.js';
import type { ListedItem, SkipReason, UndatedArticle } from './normalise-feed.js';

/** What a source yields: the articles plus warnings about items that were skipped. */
export interface SourceResult {
  source: string;
  type: FeedType;
  articles: Article[];
  /** Items the feed gives no date: placed by when each was first seen (src/compile-edition.ts). */
  undated: UndatedArticle[];
  /** One line per skipped item, naming it (`feeds/main.xml: item 3 "Title": no usable date`). */
  warnings: string[];
  /** Skipped items counted by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Every item as found, when asked for (`brief feeds check`). */
  items?: ListedItem[];
}

export interface FetchOptions {
  /** @defaultValue 15000 */
  timeoutMs?: number;
  /** @defaultValue 10 MiB */
  maxBytes?: number;
  /** @defaultValue "daily-brief/VERSION (+https://github.com/daily-brief)" */
  userAgent?: string;
  /** Only for WordPress: the window to ask for (`after`/`before`). */
  window?: { start: string; end: string };
  /** The tag that marks members-only articles. @defaultValue "members-only" */
  membersOnlyTag?: string;
  /** Also list every item as found (for `brief feeds check`). @defaultValue false */
  listItems?: boolean;
}
