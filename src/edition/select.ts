import type { Article } from '../articles/types.js';
import type { NewsletterConfig } from '../config/schema.js';
import type { EditionContent, EditionSection, EditionWindow } from './types.js';
import { articleKeys } from './article-key.js';
import { isoInstantMs } from './calendar-date.js';
import { inWindow } from './window.js';
import { NO_CURATION, orderArticles, type Curation } from './curation.js';

export interface SelectEditionInput {
  newsletter: Pick<NewsletterConfig, 'id' | 'sections' | 'featuredTag' | 'picksTag' | 'catchAllTitle' | 'maxArticles'>;
  window: EditionWindow;
  /** Every article the sources yielded, in any order, possibly from several feeds. */
  articles: Article[];
  /**
   * Whether an earlier edition of this newsletter already sent the article (by any of its
   * `articleKeys`). @defaultValue nothing was sent before
   */
  alreadySent?: (article: Article) => boolean;
  /** The editor's choices for this edition. @defaultValue none (the rules below alone) */
  curation?: Curation;
}

/**
 * Chooses and groups the articles of one edition, or returns null when none is left (the
 * caller says so in one line; an empty email is never sent).
 *
 * - kept: published in the window and not already sent; when two sources carry the same
 *   story (same id or same URL) only the newer copy is kept;
 * - order: newest first everywhere (ties keep the sources' order);
 * - lead: the newest article tagged `featuredTag`, else the newest;
 * - cap: `maxArticles` articles in all, lead included (the lead, then the newest others);
 * - picks: the capped articles tagged `picksTag`, other than the lead;
 * - sections: each non-lead article goes to the first configured section (config order)
 *   sharing a tag with it, else under `catchAllTitle`; empty sections are dropped.
 * Tags match case-insensitively, as editors type them in config and feeds spell them at will.
 *
 * An editor's curation comes first: excluded articles are gone before the lead and the cap
 * (so the next story moves up), a chosen lead replaces the featured one, picks are marked
 * or unmarked by hand, and a section's chosen order goes before newest-first.
 */
export function selectEdition(input: SelectEditionInput): EditionContent | null {
  const { newsletter, window } = input;
  const alreadySent = input.alreadySent ?? (() => false);

  const candidates = input.articles
    .filter((article) => inWindow(window, article.published) && !alreadySent(article))
    .map((article, order) => ({ article, at: isoInstantMs(article.published), order }))
    .sort((a, b) => b.at - a.at || a.order - b.order)
    .map(({ article }) => article);
  const curation = input.curation ?? NO_CURATION;
  const fresh = withoutDuplicates(candidates).filter((article) => !curation.excluded.has(article.id));

  const featured = tagKey(newsletter.featuredTag);
  const chosen = curation.lead === null ? undefined : fresh.find((article) => article.id === curation.lead);
  const lead = chosen ?? fresh.find((article) => hasTag(article, featured)) ?? fresh[0];
  if (lead === undefined) return null;

  const others = fresh.filter((article) => article !== lead).slice(0, Math.max(0, newsletter.maxArticles - 1));

  const picksTag = tagKey(newsletter.picksTag);
  const picks = others.filter((article) => curation.picks.get(article.id) ?? hasTag(article, picksTag));

  const configured = newsletter.sections.map((section) => ({
    title: section.title,
    tags: new Set(section.tags.map(tagKey)),
    articles: [] as Article[],
  }));
  const catchAll: EditionSection = { title: newsletter.catchAllTitle, articles: [] };
  for (const article of others) {
    const tags = article.tags.map(tagKey);
    const home = configured.find((section) => tags.some((tag) => section.tags.has(tag)));
    (home ?? catchAll).articles.push(article);
  }
  const sections: EditionSection[] = [
    ...configured.map(({ title, articles }) => ({ title, articles })),
    catchAll,
  ]
    .filter((section) => section.articles.length > 0)
    .map((section) => ({ title: section.title, articles: orderArticles(section.articles, curation.order[section.title]) }));

  return { newsletterId: newsletter.id, window, lead, picks, sections, articles: [lead, ...others], note: curation.note };
}

/** Keeps the first (newest) article of each story: same id or same normalised URL. */
function withoutDuplicates(newestFirst: Article[]): Article[] {
  const seen = new Set<string>();
  const kept: Article[] = [];
  for (const article of newestFirst) {
    const keys = articleKeys(article);
    if (keys.some((key) => seen.has(key))) continue;
    for (const key of keys) seen.add(key);
    kept.push(article);
  }
  return kept;
}

function tagKey(tag: string): string {
  return tag.normalize('NFC').trim().toLowerCase();
}

function hasTag(article: Article, key: string): boolean {
  return article.tags.some((tag) => tagKey(tag) === key);
}
