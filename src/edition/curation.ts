import type { Article } from '../articles/types.js';

/**
 * An editor's choices for one edition (saved in Redis by src/delivery/curation-store.ts,
 * applied by `selectEdition` wherever an edition is compiled: preview, test send, freeze).
 * Articles are named by their `id`; choices about articles that are not (or no longer) in
 * the window are kept and simply match nothing.
 */
export interface Curation {
  /** Articles left out of the edition. Everything else in the window is in, new arrivals too. */
  excluded: ReadonlySet<string>;
  /** The article that leads instead of the newest featured one, or null for the default. */
  lead: string | null;
  /** Editor's picks: true marks a pick, false unmarks one the picks tag made. */
  picks: ReadonlyMap<string, boolean>;
  /** Per section title: article ids in the editor's order; the rest follow newest first. */
  order: Readonly<Record<string, readonly string[]>>;
  /** Plain text (links allowed) that replaces the greeting, or null. */
  note: string | null;
  /** Articles the editor has seen while curating; others in the window are shown as new. */
  known: ReadonlySet<string>;
  /** When it was last saved (epoch ms), or null when nobody curated this edition. */
  savedAt: number | null;
}

export const NO_CURATION: Curation = {
  excluded: new Set(),
  lead: null,
  picks: new Map(),
  order: {},
  note: null,
  known: new Set(),
  savedAt: null,
};

/** The longest intro note kept: a morning note, not an article. */
export const MAX_NOTE_CHARS = 2000;

/** Whether the console marks the article as new: it arrived after the editor last curated. */
export function isNewArrival(curation: Curation, article: Pick<Article, 'id'>): boolean {
  return curation.savedAt !== null && !curation.known.has(article.id);
}

/** Puts the ids the editor ordered first, in that order; the rest keep theirs. */
export function orderArticles(articles: Article[], order: readonly string[] | undefined): Article[] {
  if (!order || order.length === 0) return articles;
  const rank = new Map(order.map((id, i) => [id, i]));
  const ranked = articles.filter((a) => rank.has(a.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  return [...ranked, ...articles.filter((a) => !rank.has(a.id))];
}
