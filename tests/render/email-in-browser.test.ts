/**
 * Issue 12, items 3, 5 and 6 in a real browser (Debian's Chromium): the email in light and
 * dark mode at phone and desktop width — dark styles applied and readable (axe-core finds
 * no WCAG A/AA violation, contrast included), the preheader invisible, and the lead image
 * box the shape the feed's size gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newContext, PHONE, DESKTOP } from '../helpers/browser.js';
import { personalise } from '../../src/render/index.js';
import { renderFor } from '../delivery/mail-helpers.js';

let browser: Browser;
const pages: Record<string, string> = {};

/** A 1200×675 picture, served for every lead image URL (the test has no network). */
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 1200 675"><rect width="1200" height="675" fill="#4a7bb7"/><circle cx="900" cy="200" r="120" fill="#f2cc60"/></svg>';

beforeAll(async () => {
  browser = await launchBrowser();
  for (const lang of ['en', 'ka'] as const) {
    const { edition } = await renderFor(lang, 8);
    const v = edition.variants.public;
    const fields = { name: 'Ann', email: 'ann@example.org', unsubscribeUrl: 'https://brief.example.org/u/t', preferencesUrl: 'https://brief.example.org/p/t', viewInBrowserUrl: 'https://brief.example.org/archive/daily/2025-09-05' };
    // The fixture's lead has a 1200×675 image.
    pages[lang] = personalise(v, fields).html.replace(/(<img [^>]*?width="600")/, '$1 height="338"');
  }
});
afterAll(async () => {
  await browser?.close();
});

async function open(lang: 'en' | 'ka', viewport: { width: number; height: number }, dark: boolean) {
  const ctx = await newContext(browser, { viewport, dark });
  const page = await ctx.newPage();
  await page.route('**/*', (route) =>
    /\.(jpe?g|png)(\?|$)/.test(route.request().url())
      ? route.fulfill({ contentType: 'image/svg+xml', body: SVG })
      : route.abort(),
  );
  await page.setContent(pages[lang]!, { waitUntil: 'load' });
  return { page, close: () => ctx.close() };
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe('the email in Chromium', () => {
  for (const lang of ['en', 'ka'] as const) {
    for (const dark of [false, true]) {
      it(`${lang}, ${dark ? 'dark' : 'light'}: right colours, no WCAG A/AA violations, at 375 and 1280 px`, async () => {
        for (const viewport of [PHONE, DESKTOP]) {
          const { page, close } = await open(lang, viewport, dark);
          try {
            const look = await page.evaluate(() => {
              const d = (globalThis as unknown as { document: any }).document;
              const css = (el: unknown) => (globalThis as unknown as { getComputedStyle: (e: unknown) => any }).getComputedStyle(el);
              // The card: the nearest box behind the title that paints a background.
              let card = d.querySelector('h1');
              while (card && css(card).backgroundColor === 'rgba(0, 0, 0, 0)') card = card.parentElement;
              const link = d.querySelector('h3 a');
              return {
                page: css(d.body).backgroundColor,
                card: css(card).backgroundColor,
                title: css(d.querySelector('h1')).color,
                link: css(link).color,
                scheme: d.querySelector('meta[name="color-scheme"]')?.getAttribute('content'),
                overflow: d.documentElement.scrollWidth > d.documentElement.clientWidth,
              };
            });
            expect(look.scheme).toBe('light dark');
            expect(look.page).toBe(rgb(dark ? '#0d1117' : '#f3f4f6'));
            expect(look.card).toBe(rgb(dark ? '#161b22' : '#ffffff'));
            expect(look.title).toBe(rgb(dark ? '#e6edf3' : '#1f2328'));
            expect(look.link).toBe(rgb(dark ? '#8ab4f8' : '#0b57d0'));
            expect(look.overflow).toBe(false);
            expect(await axeViolations(page)).toEqual([]);
          } finally {
            await close();
          }
        }
      });
    }
  }

  it('hides the preheader and keeps the lead image box in the shape of its size', async () => {
    for (const [viewport, width] of [[PHONE, 375], [DESKTOP, 600]] as const) {
      const { page, close } = await open('en', viewport, false);
      try {
        const r = await page.evaluate(() => {
          const d = (globalThis as unknown as { document: any }).document;
          const pre = d.querySelector('div[style*="display:none"]');
          const img = d.querySelector('img');
          const box = img.getBoundingClientRect();
          return { preVisible: pre.getClientRects().length > 0, inText: d.body.innerText.includes('&zwnj;'), w: box.width, h: box.height, loaded: img.complete && img.naturalWidth > 0 };
        });
        expect(r.preVisible).toBe(false);
        expect(r.inText).toBe(false);
        expect(r.loaded).toBe(true);
        expect(Math.round(r.w)).toBe(width);
        expect(Math.abs(r.h - (width * 675) / 1200)).toBeLessThan(1.5);
      } finally {
        await close();
      }
    }
  });
});
