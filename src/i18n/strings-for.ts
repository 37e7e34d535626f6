import { az } from './az.js';
import { en, type StringKey, type Strings } from './en.js';
import { hy } from './hy.js';
import { ka } from './ka.js';
import { ru } from './ru.js';

/** The catalogues shipped, by ISO 639-1 language code. */
export const CATALOGUES: Readonly<Record<string, Strings>> = { en, ka, hy, ru, az };

/** The languages a catalogue exists for, in the order pages offer them. */
export const LANGUAGES = Object.keys(CATALOGUES);

/** Every key, in the English catalogue's order (the config schema and the tests use it). */
export const STRING_KEYS = Object.keys(en) as StringKey[];

const KEYS = new Set<string>(STRING_KEYS);

export function isStringKey(key: string): key is StringKey {
  return KEYS.has(key);
}

/** The language subtag of a BCP 47 tag ("ka-GE" → "ka"); "" for a malformed tag. */
export function languageOf(locale: string): string {
  try {
    return new Intl.Locale(locale).language.toLowerCase();
  } catch {
    return '';
  }
}

/** The catalogue's language for a locale, or undefined when none is shipped for it. */
export function catalogueLanguage(locale: string): string | undefined {
  const lang = languageOf(locale);
  return Object.hasOwn(CATALOGUES, lang) ? lang : undefined;
}

/**
 * The catalogue for a BCP 47 locale ("ka-GE" → ka, unknown → en with one warning), with a
 * newsletter's `strings` overrides applied. Override keys are checked by the config schema;
 * one that slips through (a caller that skipped it) is warned about and ignored rather than
 * silently shadowing nothing.
 */
export function stringsFor(
  locale: string,
  overrides?: Readonly<Record<string, string | undefined>>,
  onWarn?: (msg: string) => void,
): Strings {
  const lang = catalogueLanguage(locale);
  if (lang === undefined) {
    onWarn?.(`no strings for locale "${locale}": using English (languages: ${LANGUAGES.join(', ')})`);
  }
  const base = CATALOGUES[lang ?? 'en'] ?? en;
  if (!overrides) return base;
  const merged: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (isStringKey(key)) merged[key] = value;
    else onWarn?.(`unknown string key "${key}" in strings: ignored`);
  }
  return merged as Strings;
}

/**
 * One string with {placeholders} filled (values NOT HTML-escaped here; escape where it
 * enters HTML). A `{word}` with no value is left as it is, so a missing value shows up in a
 * test rather than as an empty gap in a reader's email.
 */
export function t(strings: Strings, key: StringKey, vars?: Readonly<Record<string, string | number>>): string {
  const s = strings[key] ?? en[key];
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

/**
 * The shipped language an `Accept-Language` header prefers most (q-values honoured), for
 * pages that belong to no newsletter (a broken link, the generic unsubscribe page).
 * @defaultValue "en" when nothing matches
 */
export function negotiateLanguage(acceptLanguage: string | undefined): string {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().split('-')[0]?.toLowerCase() ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0 && Object.hasOwn(CATALOGUES, x.lang))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.lang ?? 'en';
}
