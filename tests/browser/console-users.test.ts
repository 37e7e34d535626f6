/**
 * Issue 17 in a real browser: an admin adds users from the Users page, each sets a password
 * through the one-time link and logs in with it; a viewer sees the edition but no button to
 * send (and the API says 403); an editor sends a test; Activity lists each action with its user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { testApp, waitFor, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { axeViolations, DESKTOP, launchBrowser, logIn, newContext, screenshot } from '../helpers/browser.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import { nextEditionDate } from '../../src/edition/index.js';

const ADMIN = 'admin-token-for-users-browser-01';
const SCHEDULE = '0 8 * * *';
const ZONE = 'Asia/Tbilisi';

describe('console accounts in a browser', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;
  let browser: Browser;
  const date = nextEditionDate(SCHEDULE, ZONE, new Date());
  const editionId = `daily-${date}`;

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start(), schedule: SCHEDULE, timezone: ZONE, newsletter: { sources: [{ type: 'rss', url: './feed.xml', shiftToWindow: true }] } });
    t.app.env.adminToken = ADMIN;
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  const fresh = async (): Promise<Page> => (await newContext(browser, { baseURL: http.url, viewport: DESKTOP })).newPage();
  const noViolations = async (page: Page, name: string) => {
    await screenshot(page, `console-${name}`);
    const v = await axeViolations(page);
    expect(v, `${name}: ${JSON.stringify(v)}`).toEqual([]);
  };
  /** Adds a user on the Users page and returns the link shown there once. */
  const addUser = async (admin: Page, email: string, role: string): Promise<string> => {
    await admin.goto('/admin/users');
    await admin.getByLabel('Email').fill(email);
    await admin.getByLabel('Role').selectOption(role);
    await admin.getByRole('button', { name: 'Add and make a sign-in link' }).click();
    return (await admin.locator('#sign-in-link').innerText()).trim();
  };
  const setPassword = async (link: string, password: string): Promise<Page> => {
    const page = await fresh();
    await page.goto(new URL(link).pathname);
    await page.getByLabel(/New password/).fill(password);
    await page.getByLabel('The same again').fill(password);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.waitForURL('**/admin/newsletters');
    return page;
  };

  it('admin adds a viewer and an editor; each signs in once through the link; the viewer cannot send, the editor can test; Activity names each', async () => {
    const admin = await fresh();
    await logIn(admin, '', ADMIN);
    expect(await admin.getByRole('link', { name: 'Users' }).isVisible()).toBe(true);

    const viewerLink = await addUser(admin, 'viewer@example.org', 'viewer');
    expect(viewerLink).toContain('/admin/sign-in/');
    await noViolations(admin, 'users');
    const editorLink = await addUser(admin, 'editor@example.org', 'editor');

    // The viewer: a password through the link; the link does not work twice.
    const viewer = await setPassword(viewerLink, 'viewer password 123');
    const again = await fresh();
    const second = await again.goto(new URL(viewerLink).pathname);
    expect(second?.status()).toBe(410);
    expect(await again.getByText('This sign-in link does not work').isVisible()).toBe(true);

    // The viewer sees the edition, but no send, test, pause or cancel, and no Users page.
    expect(await viewer.getByRole('link', { name: 'Users' }).isVisible()).toBe(false);
    await viewer.goto(`/admin/editions/${editionId}`);
    await expect.poll(() => viewer.frameLocator('iframe.preview-frame').locator('body').innerText().then((s) => s.length)).toBeGreaterThan(100);
    expect(await viewer.getByRole('link', { name: 'Send now' }).isVisible()).toBe(false);
    expect(await viewer.getByRole('button', { name: 'Send test' }).isVisible()).toBe(false);
    expect(await viewer.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    // Asked anyway (a crafted request with the page's token), the server refuses.
    const refused = await viewer.evaluate(async (id) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document;
      const csrf = doc.querySelector('input[name="_csrf"]').value;
      const r = await fetch(`/admin/editions/${id}/send`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}` });
      return r.status;
    }, editionId);
    expect(refused).toBe(403);
    const api = await fetch(`${http.url}/api/editions`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('viewer@example.org:viewer password 123').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ newsletter: 'daily', date }),
    });
    expect(api.status).toBe(403);
    expect(await t.app.redis.exists(t.app.keys.edition(editionId))).toBe(0);
    expect((await viewer.goto('/admin/users'))?.status()).toBe(403);

    // The editor sends a test from the edition page.
    const editor = await setPassword(editorLink, 'editor password 123');
    await editor.goto(`/admin/editions/${editionId}`);
    await editor.getByLabel('Test addresses (comma-separated)').fill('proof@example.org');
    await editor.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => editor.getByText('Test sent to 1 address').isVisible()).toBe(true);
    await waitFor(async () => (await sink.parsedFor('proof@example.org')).length > 0);
    expect(await editor.getByRole('link', { name: 'Users' }).isVisible()).toBe(false);

    // Activity, newest first, each action with its user; filtered by action.
    await editor.getByRole('link', { name: 'Activity' }).click();
    await editor.waitForURL('**/admin/activity');
    const rows = await editor.locator('#activity tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 4).map((td) => (td.textContent ?? '').trim()).join(' ').trim()),
    );
    expect(rows).toEqual([
      `editor@example.org test-send ${editionId}`,
      'editor@example.org login',
      'editor@example.org password-set editor@example.org',
      'viewer@example.org login',
      'viewer@example.org password-set viewer@example.org',
      'token user-add editor@example.org',
      'token user-add viewer@example.org',
      'token login',
    ]);
    await noViolations(editor, 'activity');
    await editor.getByLabel('Action').selectOption('user-add');
    await editor.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => editor.locator('#activity tbody tr').count()).toBe(2);

    // The admin resets the viewer from the browser: the old password stops working.
    await admin.goto('/admin/users');
    await admin.locator('form[data-user="viewer@example.org"][action$="/users/reset"] button').click();
    expect(await admin.locator('#sign-in-link').innerText()).toContain('/admin/sign-in/');
    expect(await t.app.users.verify('viewer@example.org', 'viewer password 123')).toBeUndefined();
    await admin.locator('form[data-user="viewer@example.org"][action$="/users/remove"] button').click();
    await expect.poll(() => admin.getByText('Removed viewer@example.org').isVisible()).toBe(true);
    expect(await t.app.users.get('viewer@example.org')).toBeUndefined();
  }, 120_000);
});
