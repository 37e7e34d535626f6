import { BriefError } from '../errors.js';
import type { Article, FetchOptions } from './types.js';
import { loadSource, type SourceToLoad } from './load-source.js';

export interface ArticleSource extends SourceToLoad {
  /** Demo option from the config: move this source's dates next to `shiftTo`. @defaultValue false */
  shiftToWindow?: boolean;
}

export interface LoadArticlesOptions extends FetchOptions {
  /**
   * ISO instant (the end of the edition's window). Sources with `shiftToWindow` have every
   * date moved by the same amount so that their newest article is one hour before it.
   */
  shiftTo?: string;
}

/** How far before `shiftTo` a shifted source's newest article lands. */
export const SHIFT_LEAD_MS = 60 * 60 * 1000;

/**
 * Loads every source at once and merges their articles, newest first. The same story in
 * two sources (same id or same URL) is kept once, as the earlier source in the list has it.
 * Any source that fails rejects the whole load with that source's one-line FeedError: an
 * edition silently missing a feed is worse than one that does not go out.
 */
export async function loadArticles(
  sources: ArticleSource[],
  opts: LoadArticlesOptions = {},
): Promise<{ articles: Article[]; warnings: string[] }> {
  const shiftTo = opts.shiftTo === undefined ? undefined : Date.parse(opts.shiftTo);
  if (shiftTo !== undefined && !Number.isFinite(shiftTo)) throw new BriefError('EINPUT', `shiftTo must be an ISO 8601 instant, not ${JSON.stringify(opts.shiftTo)}`);

  const { shiftTo: _ignored, ...fetchOpts } = opts;
  const results = await Promise.all(sources.map((s) => loadSource(s, fetchOpts)));

  const warnings: string[] = [];
  const merged: Article[] = [];
  const seenIds = new Set<string>();
  const seenUrls = new Set<string>();
  results.forEach((result, i) => {
    warnings.push(...result.warnings);
    const articles = sources[i]?.shiftToWindow && shiftTo !== undefined ? shiftArticles(result.articles, shiftTo - SHIFT_LEAD_MS) : result.articles;
    for (const article of articles) {
      if (seenIds.has(article.id) || seenUrls.has(article.url)) continue;
      seenIds.add(article.id);
      seenUrls.add(article.url);
      merged.push(article);
    }
  });
  // Array.prototype.sort is stable, so equal dates keep source order.
  merged.sort((a, b) => Date.parse(b.published) - Date.parse(a.published));
  return { articles: merged, warnings };
}

/** Moves every date by one amount so the newest lands on `newest`; spacing is kept. */
export function shiftArticles(articles: Article[], newest: number): Article[] {
  if (articles.length === 0) return articles;
  const latest = Math.max(...articles.map((a) => Date.parse(a.published)));
  const delta = newest - latest;
  return articles.map((a) => ({ ...a, published: new Date(Date.parse(a.published) + delta).toISOString() }));
}
