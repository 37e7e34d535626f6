import type { Article } from './types.js';
import type { FeedItem, ParsedFeed } from './feed-item.js';
import type { FeedText } from './feed-text.js';
import { collapseWhitespace, htmlToText, truncateText } from './html-text.js';
import { parseFeedDate } from './parse-date.js';

export interface NormaliseOptions {
  /** The source's label, used in Article.source and in warnings. */
  label: string;
  /** The feed's own URL when it was fetched over http(s): the base of last resort for relative links. */
  feedUrl?: string;
  /** The source's `baseUrl` option: the base for relative links when the feed names none. */
  baseUrl?: string;
  /** @defaultValue "members-only" */
  membersOnlyTag?: string;
  /** @defaultValue 300 */
  summaryLength?: number;
  /** Also list every item as found, usable or not (for `brief feeds check`). @defaultValue false */
  listItems?: boolean;
}

/** An article whose feed gives it no date: it is placed by when it was first seen (src/compile-edition.ts). */
export type UndatedArticle = Omit<Article, 'published'>;

/** One item as `brief feeds check --json` shows it, whether or not an edition can use it. */
export interface ListedItem {
  id: string | null;
  title: string;
  link: string | null;
  published: string | null;
  author: string | null;
  summary: string;
  tags: string[];
  image: { url: string; alt: string | null; caption: string | null } | null;
  membersOnly: boolean;
}

/** Why items were skipped, the key of NormalisedFeed.skipped. */
export type SkipReason = 'no link' | 'link not http(s)' | 'relative link without a base' | 'no date' | 'unreadable date' | 'no title or text';

export interface NormalisedFeed {
  articles: Article[];
  /** Items without any date, kept when the caller can place them by first sight. */
  undated: UndatedArticle[];
  warnings: string[];
  /** Skipped items counted by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** With `listItems`: every item in feed order. */
  items?: ListedItem[];
}

/** Plain text of a typed feed value: HTML is converted once, text only has its whitespace collapsed. */
export function plainText(value: FeedText | undefined): string {
  if (!value) return '';
  return value.type === 'html' ? htmlToText(value.value) : collapseWhitespace(value.value);
}

/**
 * A byline from what feeds put in author fields: `Name (me@example.com)`,
 * `me@example.com (Name)`, `Name <me@example.com>` and `mailto:` give "Name"; a bare
 * address gives nothing, since an address is never shown as a byline.
 */
export function bylineOf(text: string): string {
  // Bylines are short; the cap keeps long hostile input away from the expressions below.
  const raw = text.slice(0, 300);
  if (!raw.includes('@') && !/mailto:/i.test(raw)) return raw;
  const parts = raw.split(/\s*,\s*/).map((one) => {
    let s = one.replace(/mailto:/gi, '');
    const inParens = /\(([^()]*)\)/.exec(s);
    if (inParens && !inParens[1]!.includes('@') && s.replace(inParens[0], '').includes('@')) return inParens[1]!.trim();
    s = s.replace(/<[^<>]*@[^<>]*>/g, ' ').replace(/\([^()]*@[^()]*\)/g, ' ').replace(/\S+@\S+\.\S+/g, ' ');
    return collapseWhitespace(s.replace(/^[\s"'(]+|[\s"')]+$/g, ''));
  });
  return parts.filter(Boolean).join(', ');
}

/**
 * Builds Articles from a parser's raw items. This is where feed text is made plain and
 * URLs are made absolute http(s), once, so nothing downstream has to distrust an Article.
 * Items without a usable link or date are skipped with one warning line each; the items
 * of a feed that dates none of them are handed back as `undated`.
 */
export function normaliseFeed(feed: ParsedFeed, opts: NormaliseOptions): NormalisedFeed {
  const membersOnlyTag = (opts.membersOnlyTag ?? 'members-only').toLowerCase();
  const fallback = absoluteHttpUrl(opts.baseUrl) ?? absoluteHttpUrl(opts.feedUrl);
  const base = absoluteHttpUrl(feed.siteUrl, fallback) ?? fallback;
  const articles: Article[] = [];
  const undated: UndatedArticle[] = [];
  const warnings: string[] = [...(feed.warnings ?? [])];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const items: ListedItem[] | undefined = opts.listItems ? [] : undefined;
  // Only a feed whose items carry no dates at all (RSS 0.91/0.92) is placed by first sight;
  // in a dated feed, an item without a date is an odd one out and is skipped as before.
  const dated = feed.items.some((i) => i.published);

  feed.items.forEach((item, index) => {
    let title = plainText(item.title);
    const fullSummary = plainText(item.summary);
    const name = title ? `item ${index + 1} ${JSON.stringify(truncateText(title, 80))}` : `item ${index + 1}`;
    const url = absoluteHttpUrl(item.link, base);
    const published = parseFeedDate(item.published);
    if (!title) title = truncateText(fullSummary, 80);
    const tags = uniqueTags(item.tags.map(plainText));
    const imageUrl = absoluteHttpUrl(item.image, base);
    const imageCaption = imageUrl ? plainText(item.imageCaption) : '';
    const imageAlt = imageUrl ? plainText(item.imageAlt) : '';
    const size = imageUrl ? imageSize(item.imageWidth, item.imageHeight) : undefined;
    const author = bylineOf(plainText(item.author));
    const summary = truncateText(fullSummary, opts.summaryLength ?? 300);
    const membersOnly = tags.some((t) => t.toLowerCase() === membersOnlyTag);
    const id = collapseWhitespace(item.id ?? '') || url;
    items?.push(listed(item, { id, title, url, published, author, summary, tags, imageUrl, imageAlt, imageCaption, membersOnly }));

    const reason = whySkipped(item, url, base, published, title, dated);
    if (reason) {
      skipped[reason.code] = (skipped[reason.code] ?? 0) + 1;
      warnings.push(`${opts.label}: ${name}: ${reason.text}`);
      return;
    }
    const article: UndatedArticle = {
      id: id!,
      url: url!,
      title,
      summary,
      ...(author ? { author } : {}),
      tags,
      ...(imageUrl ? { imageUrl } : {}),
      ...(imageUrl && imageAlt ? { imageAlt } : {}),
      ...(imageCaption ? { imageCaption } : {}),
      ...(size ? { imageWidth: size.width, imageHeight: size.height } : {}),
      membersOnly,
      source: opts.label,
    };
    if (published) articles.push({ ...article, published: published.toISOString() });
    else undated.push(article);
  });
  return { articles, undated, warnings, skipped, ...(items ? { items } : {}) };
}

function whySkipped(
  item: FeedItem, url: string | undefined, base: string | undefined, published: Date | undefined, title: string, dated: boolean,
): { code: SkipReason; text: string } | undefined {
  if (!item.link) return { code: 'no link', text: 'no link' };
  if (!url) {
    return isRelative(item.link) && !base
      ? { code: 'relative link without a base', text: `relative link ${JSON.stringify(item.link)} and no site URL to resolve it against` }
      : { code: 'link not http(s)', text: `link is not an http(s) URL (${JSON.stringify(truncateText(item.link, 60))})` };
  }
  // An item with no date at all is placed by first sight; one whose date cannot be read is not.
  if (!published && item.published) return { code: 'unreadable date', text: `no usable date (${JSON.stringify(truncateText(item.published, 60))})` };
  if (!published && dated) return { code: 'no date', text: 'no usable date' };
  // Microblog-style items (JSON Feed allows them) have no title: their opening words stand in.
  if (!title) return { code: 'no title or text', text: 'no title or text' };
  return undefined;
}

function listed(
  item: FeedItem,
  v: {
    id: string | undefined; title: string; url: string | undefined; published: Date | undefined; author: string; summary: string;
    tags: string[]; imageUrl: string | undefined; imageAlt: string; imageCaption: string; membersOnly: boolean;
  },
): ListedItem {
  return {
    id: v.id ?? null,
    title: v.title,
    link: v.url ?? item.link ?? null,
    published: v.published ? v.published.toISOString() : null,
    author: v.author || null,
    summary: v.summary,
    tags: v.tags,
    image: v.imageUrl ? { url: v.imageUrl, alt: v.imageAlt || null, caption: v.imageCaption || null } : null,
    membersOnly: v.membersOnly,
  };
}

/**
 * Resolves `href` against `base` and keeps it only if the result is http(s): `javascript:`,
 * `data:` and `file:` URLs never reach an email.
 */
export function absoluteHttpUrl(href: string | undefined, base?: string): string | undefined {
  if (!href) return undefined;
  // Browsers ignore tabs and newlines inside URLs, so `java\nscript:` must be judged without them.
  const cleaned = href.replace(/[\t\n\r]/g, '').trim();
  if (!cleaned) return undefined;
  let url: URL;
  try {
    url = base ? new URL(cleaned, base) : new URL(cleaned);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

function isRelative(href: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(href.trim());
}

/** Trimmed and de-duplicated case-insensitively, keeping the first spelling. */
function uniqueTags(tags: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of tags) {
    const key = t.toLowerCase();
    if (!t || seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

/**
 * A stated image size, both sides whole pixels (a number, or digits with an optional "px"),
 * else none: a guessed height is worse than none, since the email then reserves the wrong box.
 */
export function imageSize(width: unknown, height: unknown): { width: number; height: number } | undefined {
  const px = (v: unknown) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(px)?\s*$/i.test(v) ? parseInt(v, 10) : NaN;
    return Number.isInteger(n) && n > 0 && n <= 20_000 ? n : undefined;
  };
  const w = px(width);
  const h = px(height);
  return w && h ? { width: w, height: h } : undefined;
}
