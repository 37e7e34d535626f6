import { compile, type SelectorDefinition } from 'html-to-text';

const skip = (selector: string): SelectorDefinition => ({ selector, format: 'skip' });
const block = (selector: string): SelectorDefinition => ({ selector, format: 'block' });
const heading = (selector: string): SelectorDefinition => ({ selector, format: 'heading', options: { uppercase: false } });

// Compiled once: html-to-text builds a selector decision tree per options object, which
// costs more than converting a typical feed item.
const convert = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'ul', options: { itemPrefix: ' ' } },
    { selector: 'table', options: { uppercaseHeaderCells: false } },
    block('blockquote'),
    heading('h1'), heading('h2'), heading('h3'), heading('h4'), heading('h5'), heading('h6'),
    // Active or embedded content has no text worth keeping, and a script's body must
    // never become summary text.
    ...['img', 'hr', 'script', 'style', 'noscript', 'iframe', 'object', 'embed', 'video', 'audio',
      'svg', 'canvas', 'form', 'button', 'select', 'textarea', 'template', 'head'].map(skip),
  ],
});

/**
 * Turns an HTML fragment into one line of plain text: entities decoded, tags and
 * script/iframe content removed, whitespace collapsed.
 *
 * Once, never twice: what a feed escaped (`&lt;body&gt;`, `<pre>&lt;b&gt;</pre>`) is text
 * that talks about markup, and it stays in the summary as that text. It is escaped
 * again where it enters HTML (src/render), so it shows as written and never acts.
 */
export function htmlToText(html: string | undefined): string {
  if (!html) return '';
  return collapseWhitespace(convert(html));
}

/** Collapses runs of whitespace (including non-breaking spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

/**
 * Cuts `text` to at most `max` characters on a word boundary and marks the cut with "…".
 * @param max @defaultValue 300
 */
export function truncateText(text: string, max = 300): string {
  if (text.length <= max) return text;
  // The last space at or before max - 1 leaves room for the ellipsis.
  let cut = text.lastIndexOf(' ', max - 1);
  // A single very long word (a URL, a German compound) is cut mid-word rather than dropped.
  if (cut < max * 0.6) cut = max - 1;
  return text.slice(0, cut).replace(/[\s,;:.\-–—]+$/u, '') + '…';
}
