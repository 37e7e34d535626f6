/**
 * Issue 12, item 3: the preheader is hidden without a colour trick (SpamAssassin's
 * HTML_FONT_LOW_CONTRAST scored MJML's white-on-white div) and padded so clients show
 * nothing after it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEdition, type RenderedEdition } from '../../src/render/index.js';
import { buildMessage } from '../../src/delivery/build-message.js';
import { composeMessage } from '../../src/delivery/compose-message.js';
import { spamassassin } from '../../tools/spamassassin.js';
import { ARCHIVE_URL, makeEdition, newsletter } from './helpers.js';

let edition: RenderedEdition;
beforeAll(async () => {
  edition = await renderEdition({ newsletter, content: makeEdition(12), editionId: 'daily-2025-09-05', archiveUrl: ARCHIVE_URL });
});

/** The hidden div that opens the body, and what it holds. */
function preheaderDiv(html: string): { style: string; inner: string } {
  const m = /<div style="(display:none[^"]*)">([^<]*)<\/div>/.exec(html);
  if (!m) throw new Error('no preheader div');
  return { style: m[1]!, inner: m[2]! };
}

function message(html: string): string {
  const variant = { ...edition.variants.public, html };
  const msg = buildMessage(
    { newsletter, editionId: edition.editionId, archiveUrl: ARCHIVE_URL, publicUrl: 'https://brief.example.org', secret: 'test-secret-0123456789abcdef' },
    variant,
    { email: 'ann@example.net', name: 'Ann', list: 'daily' },
  );
  return composeMessage(msg).raw;
}

describe('preheader', () => {
  it('is hidden by display, size, opacity and mso-hide, with no colour, and padded', () => {
    const html = edition.variants.public.html;
    const { style, inner } = preheaderDiv(html);
    for (const rule of ['display:none', 'max-height:0', 'opacity:0', 'overflow:hidden', 'mso-hide:all', 'font-size:0']) expect(style).toContain(rule);
    expect(style).not.toMatch(/color/);
    expect(inner.startsWith(edition.variants.public.preheader.replace(/&/g, '&amp;').slice(0, 40))).toBe(true);
    expect(inner.endsWith('&zwnj;&nbsp;'.repeat(45))).toBe(true);
    // It comes before any visible text, so it is what the inbox shows.
    expect(html.indexOf(inner)).toBeLessThan(html.indexOf('%%BRIEF_VIEW_URL%%'));
    // MJML's own preview div (white on white) is gone.
    expect(html).not.toMatch(/color:#ffffff;line-height:1px;max-height:0px/);
  });

  it('scores nothing in SpamAssassin, where the white-on-white one scored HTML_FONT_LOW_CONTRAST', () => {
    const html = edition.variants.public.html;
    const ours = spamassassin(message(html));
    expect(ours.rules.map((r) => r.name)).not.toContain('HTML_FONT_LOW_CONTRAST');
    expect(ours.score).toBeLessThanOrEqual(0);
    // The same message with the preheader hidden the old way, as mj-preview wrote it.
    const { style } = preheaderDiv(html);
    const old = html.replace(style, 'display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;');
    const before = spamassassin(message(old));
    expect(before.rules.map((r) => r.name)).toContain('HTML_FONT_LOW_CONTRAST');
  });
});
