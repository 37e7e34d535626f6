import type { BriefConfig } from '../config/schema.js';
import { CATALOGUES, negotiateLanguage, stringsFor, type Strings } from '../i18n/index.js';

/** The words of one page and the language they are in (for `<html lang>`). */
export interface PageText {
  s: Strings;
  lang: string;
}

/** English, for callers that know no better (tests, the API's own pages). */
export const ENGLISH: PageText = { s: CATALOGUES.en!, lang: 'en' };

/**
 * A subscriber page speaks the language of the newsletter the link came from (its `locale`
 * and `strings`), found through the token's list; a page that belongs to no newsletter
 * (a broken link, the generic unsubscribe page) follows the browser's Accept-Language.
 */
export function pageText(config: BriefConfig, opts: { list?: string; newsletter?: string; acceptLanguage?: string | undefined }): PageText {
  const n = config.newsletters.find((x) => x.id === opts.newsletter) ?? (opts.list ? config.newsletters.find((x) => x.lists.includes(opts.list!)) : undefined);
  if (n) return { s: stringsFor(n.locale, n.strings), lang: n.locale };
  const lang = negotiateLanguage(opts.acceptLanguage);
  return { s: stringsFor(lang), lang };
}
