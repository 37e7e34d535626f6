import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newContext, PHONE } from '../helpers/browser.js';

// The page tests' own tools: Debian's Chromium starts, and axe-core tells a page that fails
// WCAG from one that passes, so a console test that finds "no violations" means something.
describe('browser helper', () => {
  let browser: Browser;
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      const body = req.url === '/bad'
        ? '<img src="/x.png"><button></button>'
        : '<main><h1>Fine</h1><button>Send test</button></main>';
      res.end(`<!doctype html><html lang="en"><head><title>t</title></head><body>${body}</body></html>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('finds the violations of a bad page and none on a good one, at phone width', async () => {
    const ctx = await newContext(browser, { viewport: PHONE, baseURL: base });
    const page = await ctx.newPage();
    await page.goto('/bad');
    const bad = (await axeViolations(page)).map((v) => v.id).sort();
    expect(bad).toEqual(expect.arrayContaining(['button-name', 'image-alt']));
    await page.goto('/good');
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Send test' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { innerWidth: number }).innerWidth)).toBe(375);
    await ctx.close();
  });
});
