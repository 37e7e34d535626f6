import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { testApp, waitFor, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { axeViolations, DESKTOP, launchBrowser, newContext, PHONE, screenshot } from '../helpers/browser.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import type { WorkerRuntime } from '../../src/wiring.js';
import { nextEditionDate } from '../../src/edition/index.js';

const ADMIN = 'admin-token-for-browser-tests-0123';
const SCHEDULE = '0 8 * * *';
const ZONE = 'Asia/Tbilisi';
/** Every newsletter reads the fixture feed moved into its window, so every edition has articles. */
const source = [{ type: 'rss', url: './feed.xml', shiftToWindow: true }];
const newsletter = (id: string, lists: string[]) => ({
  id,
  title: `The ${id} Brief`,
  from: `The ${id} Brief <brief@example.org>`,
  timezone: ZONE,
  schedule: SCHEDULE,
  lists,
  sources: source,
  sections: [{ title: 'Georgia', tags: ['Georgia'] }],
});

/** `npm run test:browser` sets it: every page also checked in dark mode. */
const FULL = process.env.BRIEF_BROWSER_FULL === '1';
const SMALL = 300;
const LARGE = 1200;

/** Screenshots of the page at phone and desktop width, into test-artifacts/; and no WCAG A/AA violation at either, light or dark. */
async function check(page: Page, name: string): Promise<void> {
  // The preview (frozen content once a send started) is there before the picture is taken.
  if (await page.locator('iframe.preview-frame').count()) {
    await expect.poll(() => page.frameLocator('iframe.preview-frame').locator('body').innerText().then((t) => t.length)).toBeGreaterThan(100);
  }
  for (const [label, viewport] of [['375', PHONE], ['1280', DESKTOP]] as const) {
    await page.setViewportSize(viewport);
    // Two frames, so the resized page (and its preview frame) is painted before the picture.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await screenshot(page, `console-${name}-${label}`);
    const violations = await axeViolations(page);
    expect(violations, `${name} at ${label} px: ${JSON.stringify(violations)}`).toEqual([]);
  }
  // And in dark mode (its own colours, so its own contrast): in the full run only
  // (`npm run test:browser`), to keep `npm test` short.
  if (!FULL) return;
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await axeViolations(page);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(dark, `${name} in dark mode: ${JSON.stringify(dark)}`).toEqual([]);
}

describe('the editor console in a browser', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;
  let worker: WorkerRuntime;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const date = nextEditionDate(SCHEDULE, ZONE, new Date());

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({
      smtpUrl: await sink.start(),
      // A steady rate, so a larger send runs long enough to pause and cancel by hand.
      delivery: { batchSize: 100, poolSize: 4, ratePerSecond: 400 },
      config: { newsletters: [newsletter('daily', ['daily']), newsletter('big', ['big']), newsletter('extra', ['big'])] },
    });
    t.app.env.adminToken = ADMIN;
    await t.app.subscribers.upsertMany('daily', Array.from({ length: SMALL }, (_, i) => ({ address: `reader${i}@example.net` })));
    await t.app.subscribers.upsertMany('big', Array.from({ length: LARGE }, (_, i) => ({ address: `many${i}@example.com` })));
    worker = await t.app.startWorkers();
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    ctx = await newContext(browser, { baseURL: http.url, viewport: DESKTOP });
    page = await ctx.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await worker?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  it('logs in, previews the next edition, sends a test, sends now and watches it reach sent, downloads the report', async () => {
    await page.goto('/admin');
    await check(page, 'login');
    await page.getByLabel('Password').fill('not-the-password-at-all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByText('Wrong password.').isVisible()).toBe(true);
    await page.getByLabel('Password').fill(ADMIN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/admin/newsletters');
    const cookie = (await ctx.cookies()).find((c) => c.name === 'brief_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await expect.poll(() => page.getByText('your time:').first().isVisible()).toBe(true);
    await check(page, 'newsletters');

    // The next edition, from its link on the Newsletters page.
    await page.getByRole('link', { name: `daily-${date}` }).click();
    await page.waitForURL(`**/admin/editions/daily-${date}`);
    const frame = page.locator('iframe.preview-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.evaluate((el) => (el as unknown as { clientWidth: number }).clientWidth)).toBeGreaterThanOrEqual(598);
    await page.getByRole('link', { name: 'Phone' }).click();
    await expect.poll(() => frame.evaluate((el) => (el as unknown as { clientWidth: number }).clientWidth)).toBeLessThanOrEqual(377);
    expect(await page.getByRole('link', { name: 'Phone' }).getAttribute('aria-current')).toBe('true');
    // The preview shows the edition itself, inside the sandbox.
    const inner = page.frameLocator('iframe.preview-frame');
    await expect.poll(() => inner.locator('body').innerText().then((s) => s.length)).toBeGreaterThan(100);
    await page.getByRole('link', { name: 'Public' }).click();
    expect(await frame.getAttribute('src')).toContain('variant=public');
    await page.getByRole('link', { name: 'Member' }).click();
    expect(await frame.getAttribute('src')).toContain('variant=member');
    await check(page, 'edition');

    // Send test: arrives at the real SMTP server, marked [TEST].
    await page.getByLabel('Test addresses (comma-separated)').fill('editor@example.org, second@example.org');
    await page.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => page.getByText('Test sent to 2 addresses').isVisible()).toBe(true);
    const [test] = await waitFor(async () => {
      const got = await sink.parsedFor('editor@example.org');
      return got.length ? got : undefined;
    });
    expect(test!.subject).toMatch(/^\[TEST\] /);
    // The addresses are kept for the next test.
    expect(await page.getByLabel('Test addresses (comma-separated)').inputValue()).toBe('editor@example.org, second@example.org');

    // Send now: the confirmation names the recipients and the list.
    await page.getByRole('link', { name: 'Send now' }).click();
    await expect.poll(() => page.getByText(`${SMALL} recipients`).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('daily (300)').isVisible()).toBe(true);
    await check(page, 'send-confirm');
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.waitForURL(`**/admin/editions/daily-${date}`);
    // The live view reaches "sent" without a reload: a mark set in the page survives.
    await page.evaluate(() => ((globalThis as unknown as { __noReload: number }).__noReload = 1));
    await page.locator('#live [data-field="state"]').filter({ hasText: 'sent' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: number }).__noReload)).toBe(1);
    expect(await page.locator('#live [data-field="sent"]').innerText()).toBe(String(SMALL));
    expect(await page.locator('#live [data-field="remaining"]').innerText()).toBe('0');
    await check(page, 'edition-sent');

    // The report: every recipient, and the CSV holds one row each with the Message-IDs that arrived.
    await page.getByRole('link', { name: 'Report' }).click();
    await page.waitForURL(`**/admin/editions/daily-${date}/report`);
    expect(await page.locator('tbody tr').count()).toBe(100); // batch 1 of 3
    await check(page, 'report');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download report (CSV)' }).click()]);
    const rows = parse(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(SMALL);
    const arrived = new Map(sink.messages.filter((m) => m.rcpt[0]!.startsWith('reader')).map((m) => [m.rcpt[0]!, m.messageId]));
    expect(arrived.size).toBe(SMALL);
    for (const r of rows) {
      expect(r.outcome).toBe('sent');
      expect(r.message_id).toBe(arrived.get(r.email!));
      expect(r.smtp_reply).toMatch(/^250/);
      expect(r.attempts).toBe('1');
      expect(Date.parse(r.time!)).toBeGreaterThan(Date.now() - 120_000);
    }
  }, 120_000);

  it('pauses and resumes a larger send, and cancels another after confirming', async () => {
    const sendNow = async (id: string) => {
      await page.goto(`/admin/editions/${id}`);
      await page.getByRole('link', { name: 'Send now' }).click();
      await expect.poll(() => page.getByText(`${LARGE} recipients`).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Send now' }).click();
      await page.waitForURL(`**/admin/editions/${id}`);
    };
    const sent = async () => Number(await page.locator('#live [data-field="sent"]').innerText());

    await sendNow(`big-${date}`);
    await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('#live [data-field="state"]').filter({ hasText: 'paused' }).waitFor();
    await check(page, 'edition-paused');
    const atPause = (await t.app.service.status(`big-${date}`)).sent;
    expect(atPause).toBeLessThan(LARGE);
    await new Promise((r) => setTimeout(r, 1000));
    // In-flight messages finish; then nothing more goes out while paused.
    const settled = (await t.app.service.status(`big-${date}`)).sent;
    await new Promise((r) => setTimeout(r, 700));
    expect((await t.app.service.status(`big-${date}`)).sent).toBe(settled);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('#live [data-field="state"]').filter({ hasText: 'sent' }).waitFor({ timeout: 30_000 });
    expect(await sent()).toBe(LARGE);

    await sendNow(`extra-${date}`);
    await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByText('will not get this edition').isVisible()).toBe(true);
    await check(page, 'cancel-confirm');
    await page.getByRole('button', { name: 'Yes, cancel the send' }).click();
    await page.locator('#live [data-field="state"]').filter({ hasText: 'cancelled' }).waitFor();
    const s = await t.app.service.status(`extra-${date}`);
    expect(s.state).toBe('cancelled');
    expect(s.sent).toBeLessThan(LARGE);
  }, 120_000);

  it('imports a CSV with bad lines, looks up an address, removes it, logs out', async () => {
    await page.goto('/admin/subscribers');
    await check(page, 'subscribers');
    await page.getByLabel('List', { exact: true }).selectOption('daily');
    const csv = 'email,name\nnew1@example.org,One\nnot-an-address,Bad\nnew2@example.org,Two\n,Empty\nnew1@example.org,Again\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const report = page.locator('#import-report');
    await expect.poll(() => report.innerText()).toContain('Imported people.csv into daily');
    const text = await report.innerText();
    expect(text).toContain('2 added');
    expect(text).toContain('1 duplicates');
    expect(text).toMatch(/line 3: /);
    expect(text).toMatch(/line 5: /);
    expect(await page.locator('#import-progress').getAttribute('value')).toBe('100');
    expect((await t.app.subscribers.get('daily', 'new2@example.org'))?.name).toBe('Two');
    await check(page, 'subscribers-imported');

    await page.getByLabel('Email address').fill('new2@example.org');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByText('daily: active, name Two').isVisible()).toBe(true);
    await check(page, 'subscriber-lookup');
    await page.getByRole('button', { name: 'Remove from every list' }).click();
    await expect.poll(() => page.getByText('Removed the address from 1 list.').isVisible()).toBe(true);
    expect(await t.app.subscribers.get('daily', 'new2@example.org')).toBeNull();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/admin');
    expect(await page.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);
    await page.goto('/admin/newsletters');
    expect(new URL(page.url()).pathname).toBe('/admin');

    // Keyboard only: Tab to the password (past the skip link and the email, left empty for the token), type, Enter; focus is visible.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('password');
    const outline = await page.locator('#password').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string } }).getComputedStyle(el));
    expect(outline.outlineStyle).not.toBe('none');
    await page.keyboard.type(ADMIN);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/admin/newsletters');
  }, 60_000);
});
