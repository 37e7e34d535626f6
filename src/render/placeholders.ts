import type { RecipientFields } from './types.js';

/**
 * The per-recipient placeholders a template may hold. They are plain `%%…%%` tokens (no
 * braces, no markup) so that Handlebars, the MJML parser and the minifier all pass them
 * through untouched; `personalise` then fills them by substitution, which costs
 * microseconds instead of one MJML compile per recipient.
 */
export const PLACEHOLDERS = {
  /** The recipient's name; empty when unknown. */
  name: '%%BRIEF_NAME%%',
  /** The recipient's address. */
  email: '%%BRIEF_EMAIL%%',
  /** "Good morning, NAME", or "Good morning" when the name is unknown. */
  greeting: '%%BRIEF_GREETING%%',
  unsubscribeUrl: '%%BRIEF_UNSUBSCRIBE_URL%%',
  preferencesUrl: '%%BRIEF_PREFERENCES_URL%%',
  viewInBrowserUrl: '%%BRIEF_VIEW_URL%%',
} as const;

export type PlaceholderKey = keyof typeof PLACEHOLDERS;

export const PLACEHOLDER_KEYS = Object.keys(PLACEHOLDERS) as PlaceholderKey[];

/**
 * The greeting's words, in the edition's language (`email.greeting.*` of src/i18n). They
 * travel with the compiled variant rather than sitting in the template because whether the
 * name (and its comma) appears is only known per recipient. `named` holds `{name}`.
 */
export interface Greeting {
  named: string;
  anonymous: string;
}

/** The English greeting: variants frozen before greetings were localised carry none. */
export const GREETING: Greeting = { named: 'Good morning, {name}', anonymous: 'Good morning' };

function greet(greeting: Greeting, name: string): string {
  // split/join, not replace: a name holding "$&" stays literal.
  return name ? greeting.named.split('{name}').join(name) : greeting.anonymous;
}

/** Matches the known placeholders only; capture group 1 is the token. */
export const PLACEHOLDER_PATTERN = new RegExp(
  // The tokens hold only letters, "_" and "%": nothing to escape for a RegExp.
  `(${Object.values(PLACEHOLDERS).join('|')})`,
  'g',
);

/** Anything shaped like a placeholder, known or not: a template typo is caught with this. */
export const PLACEHOLDER_LIKE = /%%BRIEF_[A-Z0-9_]*%%/g;

const TOKEN_TO_KEY = new Map<string, PlaceholderKey>(
  PLACEHOLDER_KEYS.map((k) => [PLACEHOLDERS[k], k]),
);

export function placeholderKey(token: string): PlaceholderKey | undefined {
  return TOKEN_TO_KEY.get(token);
}

/** The raw (unescaped) value of every placeholder for one recipient. */
export function placeholderValues(fields: RecipientFields, greeting: Greeting = GREETING): Record<PlaceholderKey, string> {
  const name = fields.name.trim();
  return {
    name,
    email: fields.email,
    greeting: greet(greeting, name),
    unsubscribeUrl: fields.unsubscribeUrl,
    preferencesUrl: fields.preferencesUrl,
    viewInBrowserUrl: fields.viewInBrowserUrl,
  };
}

/** The raw values in PLACEHOLDER_KEYS order: what a split document's slots index into. */
export function placeholderList(fields: RecipientFields, greeting?: Greeting): string[] {
  const values = placeholderValues(fields, greeting);
  return PLACEHOLDER_KEYS.map((k) => values[k]);
}

/**
 * Breaks any `%%` in feed or config text so it can never form a placeholder: otherwise a
 * story titled `%%BRIEF_EMAIL%%` would print each reader's address, and a story URL holding
 * it would send that address to someone else's server. Text gets an invisible zero-width
 * space; URLs get `%25`, which is how a literal `%` is written in a URL anyway.
 */
export function neutraliseText(text: string): string {
  return text.includes('%%') ? text.replaceAll('%%', '%\u200B%') : text;
}

export function neutraliseUrl(url: string): string {
  return url.includes('%%') ? url.replaceAll('%%', '%25%25') : url;
}
