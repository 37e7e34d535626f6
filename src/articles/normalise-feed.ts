import type { Article } from './types.js';
import type { ParsedFeed } from './feed-item.js';
import { collapseWhitespace, htmlToText, truncateText } from './html-text.js';
import { parseFeedDate } from './parse-date.js';

export interface NormaliseOptions {
  /** The source's label, used in Article.source and in warnings. */
  label: string;
  /** The feed's own URL when it was fetched over http(s): the base of last resort for relative links. */
  feedUrl?: string;
  /** @defaultValue "members-only" */
  membersOnlyTag?: string;
  /** @defaultValue 300 */
  summaryLength?: number;
}

/**
 * Builds Articles from a parser's raw items. This is where feed text is made plain and
 * URLs are made absolute http(s), once, so nothing downstream has to distrust an Article.
 * Items without a usable link or date are skipped with one warning line each.
 */
export function normaliseFeed(feed: ParsedFeed, opts: NormaliseOptions): { articles: Article[]; warnings: string[] } {
  const membersOnlyTag = (opts.membersOnlyTag ?? 'members-only').toLowerCase();
  const base = absoluteHttpUrl(feed.siteUrl, opts.feedUrl) ?? absoluteHttpUrl(opts.feedUrl);
  const articles: Article[] = [];
  const warnings: string[] = [];

  feed.items.forEach((item, index) => {
    let title = htmlToText(item.title);
    const fullSummary = htmlToText(item.summary);
    const name = title ? `item ${index + 1} ${JSON.stringify(truncateText(title, 80))}` : `item ${index + 1}`;
    const skip = (reason: string) => warnings.push(`${opts.label}: ${name}: ${reason}`);

    if (!item.link) return skip('no link');
    const url = absoluteHttpUrl(item.link, base);
    if (!url) {
      return skip(
        isRelative(item.link) && !base
          ? `relative link ${JSON.stringify(item.link)} and no site URL to resolve it against`
          : `link is not an http(s) URL (${JSON.stringify(truncateText(item.link, 60))})`,
      );
    }
    const published = parseFeedDate(item.published);
    if (!published) return skip(item.published ? `no usable date (${JSON.stringify(truncateText(item.published, 60))})` : 'no usable date');
    // Microblog-style items (JSON Feed allows them) have no title: their opening words stand in.
    if (!title) title = truncateText(fullSummary, 80);
    if (!title) return skip('no title or text');

    const tags = uniqueTags(item.tags.map(htmlToText));
    const imageUrl = absoluteHttpUrl(item.image, base);
    const imageCaption = imageUrl ? htmlToText(item.imageCaption) : '';
    const author = htmlToText(item.author);
    const id = collapseWhitespace(item.id ?? '') || url;

    articles.push({
      id,
      url,
      title,
      summary: truncateText(fullSummary, opts.summaryLength ?? 300),
      ...(author ? { author } : {}),
      published: published.toISOString(),
      tags,
      ...(imageUrl ? { imageUrl } : {}),
      ...(imageCaption ? { imageCaption } : {}),
      membersOnly: tags.some((t) => t.toLowerCase() === membersOnlyTag),
      source: opts.label,
    });
  });
  return { articles, warnings };
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
