import { attr } from './xml.js';

/**
 * The base URL in force inside `node`: its `xml:base` resolved against the base around it
 * (XML Base, as Atom uses it at feed, entry and element level). A relative base with no
 * absolute one around it stays as written, for the normaliser's own bases to complete.
 */
export function baseOf(node: unknown, outer: string | undefined): string | undefined {
  const own = attr(node, 'xml:base')?.trim();
  if (!own) return outer;
  return resolveAgainst(own, outer);
}

/** `href` against `base` when that gives an absolute URL; else `href` unchanged. */
export function resolveAgainst(href: string | undefined, base: string | undefined): string | undefined {
  if (!href) return href;
  const trimmed = href.trim();
  if (!base) return trimmed;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return trimmed;
  }
}
