/**
 * src/i18n: the fixed words of the emails, the web archive and the subscriber pages, one
 * catalogue per language (en, ka, hy, ru, az), overridable per newsletter (`strings`).
 * Dates and times are not here: they follow the newsletter's `locale` through Intl/luxon.
 */
export {
  stringsFor,
  t,
  negotiateLanguage,
  catalogueLanguage,
  languageOf,
  isStringKey,
  CATALOGUES,
  LANGUAGES,
  STRING_KEYS,
} from './strings-for.js';
export type { StringKey, Strings } from './en.js';
