import {
  PLACEHOLDER_KEYS,
  PLACEHOLDER_PATTERN,
  placeholderKey,
  placeholderList,
  type PlaceholderKey,
} from './placeholders.js';
import type { CompiledVariant, RecipientFields } from './types.js';

/** A document cut at its placeholders: `literals[i]`, value of `slots[i]`, `literals[i+1]`, … */
export interface Parts {
  literals: string[];
  /** Indexes into PLACEHOLDER_KEYS. */
  slots: number[];
}

export interface Prepared {
  html: Parts;
  text: Parts;
}

const KEY_INDEX = new Map<PlaceholderKey, number>(PLACEHOLDER_KEYS.map((k, i) => [k, i]));

function split(doc: string): Parts {
  const literals: string[] = [];
  const slots: number[] = [];
  let last = 0;
  for (const m of doc.matchAll(PLACEHOLDER_PATTERN)) {
    const key = placeholderKey(m[0]);
    if (key === undefined) continue;
    literals.push(doc.slice(last, m.index));
    slots.push(KEY_INDEX.get(key) ?? 0);
    last = m.index + m[0].length;
  }
  literals.push(doc.slice(last));
  return { literals, slots };
}

export function joinParts(parts: Parts, values: string[]): string {
  const { literals, slots } = parts;
  let out = literals[0] ?? '';
  for (let i = 0; i < slots.length; i++) {
    out += (values[slots[i] as number] ?? '') + (literals[i + 1] ?? '');
  }
  return out;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : value;
}

/**
 * Split once per variant, then reused for every recipient. Keyed by the variant object, so
 * a variant that is dropped (the edition finished sending) takes its parts with it.
 */
const prepared = new WeakMap<CompiledVariant, Prepared>();

/** A variant's HTML and text cut at their placeholders; cached per variant object. */
export function splitVariant(variant: CompiledVariant): Prepared {
  let p = prepared.get(variant);
  if (!p) {
    p = { html: split(variant.html), text: split(variant.text) };
    prepared.set(variant, p);
  }
  return p;
}

/**
 * One recipient's copy of a compiled variant: placeholders replaced by their values,
 * HTML-escaped in the HTML part (a name is text, even in an href) and raw in the text part.
 * Cheap by design (a few string joins), so it runs once per recipient at send time.
 * A variant must not be mutated after its first use: its split is cached.
 */
export function personalise(variant: CompiledVariant, fields: RecipientFields): { html: string; text: string } {
  const p = splitVariant(variant);
  const raw = placeholderList(fields, variant.greeting);
  return { html: joinParts(p.html, raw.map(escapeHtml)), text: joinParts(p.text, raw) };
}
