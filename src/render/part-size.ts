import { personaliseParts } from './mime-parts.js';
import type { RenderedEdition } from './types.js';

/** Gmail clips a message whose HTML part is larger than about 102 KB ("[Message clipped]"). */
export const GMAIL_CLIP_BYTES = 102 * 1024;
/** Within 10% of the clip an edition is worth a warning: one more story or a long name tips it over. */
export const CLIP_WARN_BYTES = Math.floor(GMAIL_CLIP_BYTES * 0.9);

/** A recipient with long links, as a real unsubscribe token makes them. */
const SAMPLE = {
  name: 'Anastasia Konstantinopolskaya',
  email: 'anastasia.konstantinopolskaya@example.org',
  unsubscribeUrl: `https://brief.example.org/u/${'x'.repeat(160)}`,
  preferencesUrl: `https://brief.example.org/p/${'y'.repeat(160)}`,
  viewInBrowserUrl: 'https://brief.example.org/archive/daily/2025-09-05',
};

/**
 * Bytes of the larger variant's HTML part as it goes on the wire (part headers and the
 * encoded body), for a recipient with long links: the number Gmail's clip is about.
 */
export function htmlPartBytes(rendered: Pick<RenderedEdition, 'variants'>): number {
  return Math.max(...Object.values(rendered.variants).map((v) => Buffer.byteLength(personaliseParts(v, SAMPLE).html)));
}

/** One line for the log, `brief preview` and the console when the HTML part is near the clip; else null. */
export function clipWarning(bytes: number): string | null {
  if (bytes < CLIP_WARN_BYTES) return null;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return `size: the HTML part is ${kb(bytes)}, within 10% of Gmail's ${kb(GMAIL_CLIP_BYTES)} clip (readers then see "[Message clipped]"); fewer stories or shorter summaries keep it whole`;
}
