import { BriefError, oneLine } from '../errors.js';
import type { Article, FetchOptions, SkipReason, UndatedArticle } from './types.js';
import { loadSource, type SourceToLoad } from './load-source.js';

export interface ArticleSource extends SourceToLoad {
  /** Demo option from the config: move this source's dates next to `shiftTo`. @defaultValue false */
  shiftToWindow?: boolean;
  /** The edition fails when this source fails (the config's `required`). @defaultValue false */
  required?: boolean;
}

export interface LoadArticlesOptions extends FetchOptions {
  /**
   * ISO instant (the end of the edition's window). Sources with `shiftToWindow` have every
   * date moved by the same amount so that their newest article is one hour before it.
   */
  shiftTo?: string;
}

/** A source that could not be read, while others could. */
export interface SourceFailure {
  source: string;
  /** The one-line reason, naming the source (`feeds/x.xml: HTTP 500`). */
  error: string;
}

export interface LoadedArticles {
  articles: Article[];
  /** Items that carry no date at all, placed by first sight (src/compile-edition.ts). */
  undated: UndatedArticle[];
  warnings: string[];
  /** Skipped items counted by reason, over every source. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Sources that failed while others were read: the edition goes out without them. */
  failures: SourceFailure[];
}

/** How far before `shiftTo` a shifted source's newest article lands. */
export const SHIFT_LEAD_MS = 60 * 60 * 1000;

/**
 * Loads every source at once and merges their articles, newest first. The same story in
 * two sources (same id or same URL) is kept once, as the earlier source in the list has it.
 *
 * One source that fails does not sink the edition: the others are read and the failure is
 * reported in `failures`. A failing `required` source fails the whole load with its
 * one-line FeedError, and so does every source failing (one line per source).
 */
export async function loadArticles(sources: ArticleSource[], opts: LoadArticlesOptions = {}): Promise<LoadedArticles> {
  const shiftTo = opts.shiftTo === undefined ? undefined : Date.parse(opts.shiftTo);
  if (shiftTo !== undefined && !Number.isFinite(shiftTo)) throw new BriefError('EINPUT', `shiftTo must be an ISO 8601 instant, not ${JSON.stringify(opts.shiftTo)}`);

  const { shiftTo: _ignored, ...fetchOpts } = opts;
  const settled = await Promise.allSettled(sources.map((s) => loadSource(s, fetchOpts)));

  const failures: SourceFailure[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'rejected') failures.push({ source: sources[i]!.label, error: oneLine(r.reason) });
  });
  const requiredFailure = settled.findIndex((r, i) => r.status === 'rejected' && sources[i]!.required);
  if (requiredFailure >= 0) throw (settled[requiredFailure] as PromiseRejectedResult).reason;
  if (sources.length > 0 && failures.length === sources.length) {
    if (failures.length === 1) throw (settled[0] as PromiseRejectedResult).reason;
    throw new BriefError('EFEED', failures.map((f) => f.error).join('\n'));
  }

  const warnings: string[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const merged: Article[] = [];
  const undated: UndatedArticle[] = [];
  const seenIds = new Set<string>();
  const seenUrls = new Set<string>();
  const firstSight = (a: { id: string; url: string }) => {
    if (seenIds.has(a.id) || seenUrls.has(a.url)) return false;
    seenIds.add(a.id);
    seenUrls.add(a.url);
    return true;
  };
  settled.forEach((r, i) => {
    if (r.status !== 'fulfilled') return;
    const result = r.value;
    warnings.push(...result.warnings);
    for (const [reason, n] of Object.entries(result.skipped)) skipped[reason as SkipReason] = (skipped[reason as SkipReason] ?? 0) + n;
    const articles = sources[i]?.shiftToWindow && shiftTo !== undefined ? shiftArticles(result.articles, shiftTo - SHIFT_LEAD_MS) : result.articles;
    for (const article of articles) if (firstSight(article)) merged.push(article);
    for (const article of result.undated) if (firstSight(article)) undated.push(article);
  });
  // Array.prototype.sort is stable, so equal dates keep source order.
  merged.sort((a, b) => Date.parse(b.published) - Date.parse(a.published));
  return { articles: merged, undated, warnings, skipped, failures };
}

/** Moves every date by one amount so the newest lands on `newest`; spacing is kept. */
export function shiftArticles(articles: Article[], newest: number): Article[] {
  if (articles.length === 0) return articles;
  const latest = Math.max(...articles.map((a) => Date.parse(a.published)));
  const delta = newest - latest;
  return articles.map((a) => ({ ...a, published: new Date(Date.parse(a.published) + delta).toISOString() }));
}
