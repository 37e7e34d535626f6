import type { Article } from '../articles/types.js';

/** The edition's window: `(start, end]`, both ISO instants in UTC. */
export interface EditionWindow {
  /** The edition date, YYYY-MM-DD in the newsletter's time zone. */
  date: string;
  /** The schedule's previous occurrence (exclusive). */
  start: string;
  /** The schedule's occurrence on `date` (inclusive): when the edition is sent. */
  end: string;
  /** The newsletter's IANA time zone. */
  timezone: string;
}

export interface EditionSection {
  title: string;
  articles: Article[];
  /** The editor's intro note (plain text, links allowed), shown instead of the greeting. @defaultValue none */
  note?: string | null;
}

/** The articles of one edition, chosen and grouped; everything a template needs but the people. */
export interface EditionContent {
  newsletterId: string;
  window: EditionWindow;
  lead: Article;
  /** Editor's picks (the picks tag), excluding the lead; they also appear in their section. */
  picks: Article[];
  /** Sections in config order, then the catch-all; empty sections are dropped. */
  sections: EditionSection[];
  /** Every article in the edition (lead first), for the sent-articles ledger. */
  articles: Article[];
  /** The editor's intro note (plain text, links allowed), shown instead of the greeting. @defaultValue none */
  note?: string | null;
}
