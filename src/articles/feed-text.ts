/**
 * A feed's text value with what it is: plain text (`text`) or an HTML fragment (`html`).
 * XML entities are already decoded once; an `html` value is turned into plain text once,
 * in normalise-feed.ts, and a `text` value is never read as HTML, so text that talks about
 * `<body>` keeps saying so.
 */
export interface FeedText {
  type: 'text' | 'html';
  value: string;
}

export const plain = (value: string | undefined): FeedText | undefined => (value ? { type: 'text', value } : undefined);
export const html = (value: string | undefined): FeedText | undefined => (value ? { type: 'html', value } : undefined);

/** Elements feedparser's sanitiser lets through: markup made of these is HTML, anything else is text. */
const HTML_ELEMENTS = new Set(
  ('a abbr acronym address area article aside audio b bdi bdo big blockquote br button canvas caption center cite code col ' +
    'colgroup command datagrid datalist dd del details dfn dialog dir div dl dt em event-source fieldset figcaption figure ' +
    'footer font form header h1 h2 h3 h4 h5 h6 hr i img input ins keygen kbd label legend li m map menu meter multicol nav ' +
    'nextid ol output optgroup option p pre progress q s samp section select small sound source spacer span strike strong ' +
    'sub sup table tbody td textarea time tfoot th thead tr tt u ul var video noscript script style iframe object embed svg').split(' '),
);

/** HTML's named entities are many; these are the ones that tell text from HTML in practice. */
const COMMON_ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]{1,31});/i;

/**
 * feedparser's rule for fields whose type the format does not say (RSS titles, authors,
 * categories): HTML when it has a closing tag or an entity reference, and every tag in it
 * is an HTML element. `History of the <blink> tag` stays text; `<b>Big</b> news` is HTML.
 * An opening tag of a known element (`<img src=x>`) counts too, so stray markup never
 * reaches a reader as text.
 */
export function looksLikeHtml(s: string): boolean {
  if (!/<\/\w+\s*>/.test(s) && !COMMON_ENTITY.test(s) && !/<(?:img|br|hr|script|iframe|style|svg|a|p|b|i)\b[^<>]*>/i.test(s)) return false;
  for (const m of s.matchAll(/<\/?([A-Za-z][\w-]*)/g)) if (!HTML_ELEMENTS.has(m[1]!.toLowerCase())) return false;
  return true;
}

/** A value of unstated type, typed the way feedparser guesses it. */
export function guessed(value: string | undefined): FeedText | undefined {
  if (!value) return undefined;
  return { type: looksLikeHtml(value) ? 'html' : 'text', value };
}
