/**
 * Issue 17's Done-when, end to end in a real browser, across both halves (accounts/roles/audit
 * and curation/approval): editor A curates the upcoming edition of a newsletter that needs an
 * approval (excludes a story, picks a lead; the preview shows it) and sends a test that
 * arrives with that curation; the edition waits in awaiting-approval past its occurrence
 * (a seconds-level schedule, real BullMQ Job Schedulers); viewer V sees no Send or Approve and
 * is refused (403) by the console and the API; editor B approves in another browser context
 * and the edition goes out once per subscriber, curated; Activity, app.audit and
 * `brief audit --json` name each action's user. Real Redis, real SMTP (smtp-server sink).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { testApp, waitFor, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { curateAndWait, DESKTOP, launchBrowser, logIn, newContext, screenshot } from '../helpers/browser.js';
import { dailyAtSecond, utcDate, writeTimedFeed } from '../helpers/timed-feed.js';
import { brief, newsletter, shown, writeConfig } from '../cli/brief.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import type { WorkerRuntime } from '../../src/wiring.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const A = { email: 'editor.a@example.org', password: 'editor A password 123', role: 'editor' };
const B = { email: 'editor.b@example.org', password: 'editor B password 123', role: 'editor' };
const V = { email: 'viewer.v@example.org', password: 'viewer V password 123', role: 'viewer' };
const READERS = ['r1@example.net', 'r2@example.net', 'r3@example.net'];
const PROOF = 'proof@example.org';
const APPROVER = 'desk@example.org';

describe('editorial control: curate, test, wait for approval, approve by a second user, send once; a viewer cannot; audited', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;
  let browser: Browser;
  let workers: WorkerRuntime | undefined;
  // The occurrence: whole seconds ahead (a 6-field cron), so the test passes it in real time.
  let occurrence: number;
  let date: string;
  let id: string;

  beforeAll(async () => {
    occurrence = Math.ceil((Date.now() + 14_000) / 1000) * 1000;
    date = utcDate(occurrence);
    id = `daily-${date}`;
    sink = new SmtpSink();
    t = await testApp({
      smtpUrl: await sink.start(),
      schedule: dailyAtSecond(occurrence),
      timezone: 'UTC',
      newsletter: { approval: 'required', approvalLeadMinutes: 1, approvers: [`The Desk <${APPROVER}>`] },
    });
    const now = Date.now();
    writeTimedFeed(t.feedFile, [
      { id: 'budget', title: 'Parliament passes the budget', at: now - 3 * 3600_000, tags: ['Georgia'] },
      { id: 'rail', title: 'New rail link opens', at: now - 2 * 3600_000, tags: ['Georgia'] },
      { id: 'harvest', title: 'Harvest festival draws record crowds', at: now - 3600_000, tags: ['Georgia'] },
    ]);
    for (const r of READERS) await t.app.subscribers.add('daily', r);
    t.app.env.adminToken = 'admin-token-for-editorial-control-01';
    // The accounts, as `brief users add` makes them: each a one-time link, used to set a password.
    for (const u of [A, B, V]) {
      const { link } = await t.app.users.add(u.email, u.role);
      await t.app.users.setPassword(new URL(link).pathname.split('/').pop()!, u.password);
    }
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await http?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  /** A browser of its own (own cookies) for one user, logged in on the console's form. */
  const signedIn = async (u: { email: string; password: string }): Promise<Page> => {
    const page = await (await newContext(browser, { baseURL: http.url, viewport: DESKTOP })).newPage();
    await logIn(page, u.email, u.password);
    return page;
  };
  const bulkCopies = () => READERS.map((r) => sink.copies().get(r) ?? 0);
  /** Positions of titles in a text (-1: absent). */
  const order = (text: string, titles: string[]) => titles.map((x) => text.indexOf(x));

  it('A curates and tests, the edition waits past its occurrence, V is refused, B approves, it sends once; the audit log names each', async () => {
    // ---- the worker: the lead time is already past, so the edition is compiled for review now.
    workers = await t.app.startWorkers();
    await waitFor(async () => (await t.app.editions.state(id)) === 'awaiting-approval', 15_000, 'awaiting-approval');
    const [ask] = await waitFor(async () => {
      const m = await sink.parsedFor(APPROVER);
      return m.length ? m : undefined;
    }, 10_000, 'the approvers told');
    expect(ask!.text).toContain(`/admin/editions/${id}`);

    // ---- editor A: exclude a story, make another the lead; the preview shows each change.
    const a = await signedIn(A);
    await a.goto(`/admin/editions/${id}`);
    const preview = () => a.frameLocator('iframe.preview-frame').locator('body').innerText();
    await expect.poll(preview).toContain('New rail link opens');
    const before = await preview();
    // Not already the lead: the budget story is not above the harvest one before the change.
    expect(before.indexOf('Parliament passes the budget')).toBeGreaterThan(before.indexOf('Harvest festival'));
    await curateAndWait(a, 'rail', 'Exclude');
    await expect.poll(preview).not.toContain('New rail link opens');
    await curateAndWait(a, 'budget', 'Make lead');
    await expect.poll(async () => {
      const [lead, other] = order(await preview(), ['Parliament passes the budget', 'Harvest festival']);
      return lead! >= 0 && lead! < other!;
    }).toBe(true);
    await screenshot(a, 'editorial-control-curated');

    // ...and a test from the same page arrives at the relay with that curation.
    await a.getByLabel('Test addresses (comma-separated)').fill(PROOF);
    await a.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => a.getByText('Test sent to 1 address').isVisible()).toBe(true);
    const [proof] = await waitFor(async () => {
      const m = await sink.parsedFor(PROOF);
      return m.length ? m : undefined;
    }, 20_000, 'the test');
    expect(proof!.subject).toMatch(/^\[TEST\] /);
    const proofHtml = String(proof!.html);
    expect(proofHtml).not.toContain('New rail link opens');
    const [pl, ph] = order(proofHtml, ['Parliament passes the budget', 'Harvest festival']);
    expect(pl).toBeGreaterThanOrEqual(0);
    expect(pl).toBeLessThan(ph!);

    // ---- past the occurrence (the Job Scheduler fired): still waiting, nothing bulk went out.
    while (Date.now() < occurrence + 2500) await sleep(200);
    const waiting = await t.app.service.status(id);
    expect(waiting.state).toBe('awaiting-approval');
    expect(bulkCopies()).toEqual([0, 0, 0]);

    // ---- viewer V: the edition, but no Send, Approve or Hold; asked anyway, 403 everywhere.
    const v = await signedIn(V);
    await v.goto(`/admin/editions/${id}`);
    await expect.poll(() => v.getByText('Awaiting approval').first().isVisible()).toBe(true);
    expect(await v.getByRole('button', { name: 'Approve', exact: true }).isVisible()).toBe(false);
    expect(await v.getByRole('button', { name: 'Hold', exact: true }).isVisible()).toBe(false);
    expect(await v.getByRole('link', { name: 'Send now' }).isVisible()).toBe(false);
    expect(await v.getByRole('button', { name: 'Send now' }).isVisible()).toBe(false);
    expect(await v.getByRole('button', { name: 'Send test' }).isVisible()).toBe(false);
    // Crafted POSTs with V's session cookie and the page's CSRF token.
    const crafted = await v.evaluate(async (editionId) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document;
      const csrf = doc.querySelector('input[name="_csrf"]').value;
      const post = async (what: string) =>
        (await fetch(`/admin/editions/${editionId}/${what}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}` })).status;
      return { send: await post('send'), approve: await post('approve') };
    }, id);
    expect(crafted).toEqual({ send: 403, approve: 403 });
    // The API with V's email and password (HTTP Basic).
    const basicV = `Basic ${Buffer.from(`${V.email}:${V.password}`).toString('base64')}`;
    const apiSend = await fetch(`${http.url}/api/editions`, {
      method: 'POST',
      headers: { authorization: basicV, 'content-type': 'application/json' },
      body: JSON.stringify({ newsletter: 'daily', date }),
    });
    expect(apiSend.status).toBe(403);
    const apiApprove = await fetch(`${http.url}/api/editions/${id}/approve`, { method: 'POST', headers: { authorization: basicV } });
    expect(apiApprove.status).toBe(403);
    // The same credentials do read (so the 403s are the role, not a failed login).
    expect((await fetch(`${http.url}/api/editions/${id}`, { headers: { authorization: basicV } })).status).toBe(200);
    expect(await t.app.editions.state(id)).toBe('awaiting-approval');
    expect(bulkCopies()).toEqual([0, 0, 0]);

    // ---- editor B, in a browser context of their own: Approve. Approved late: sent at once.
    const b = await signedIn(B);
    await b.goto(`/admin/editions/${id}`);
    await expect.poll(() => b.getByText('its occurrence has passed').isVisible()).toBe(true);
    await b.getByRole('button', { name: 'Approve', exact: true }).click();
    await waitFor(async () => (await t.app.service.status(id)).state === 'sent', 30_000, 'the send after the approval');
    await sink.quiet(1500, 10_000);
    const sent = await t.app.service.status(id);
    expect(sent.approvedBy).toBe(B.email);
    // Exactly once per subscriber, with A's curation; the proof and the approvers got no copy of the send.
    expect(bulkCopies()).toEqual([1, 1, 1]);
    expect(sink.copies().get(PROOF)).toBe(1);
    expect(sink.copies().get(APPROVER)).toBe(1);
    for (const r of READERS) {
      const [mail] = await sink.parsedFor(r);
      expect(mail!.subject).not.toMatch(/^\[TEST\]/);
      const html = String(mail!.html);
      expect(html).not.toContain('New rail link opens');
      const [l, o] = order(html, ['Parliament passes the budget', 'Harvest festival']);
      expect(l).toBeGreaterThanOrEqual(0);
      expect(l).toBeLessThan(o!);
    }

    // ---- the audit log: each action with its user, the same in app.audit, Activity and the CLI.
    // The send itself is the worker's (at the occurrence, or at once after a late approval) and
    // is not an audit entry of its own: it follows B's approve. No 'send' entry at all also shows
    // that V's refused POSTs recorded none.
    const wanted = new Set(['login', 'curate', 'test-send', 'approve', 'send']);
    const expected = [
      // oldest first
      [A.email, 'login', ''],
      [A.email, 'curate', id],
      [A.email, 'curate', id],
      [A.email, 'test-send', id],
      [V.email, 'login', ''],
      [B.email, 'login', ''],
      [B.email, 'approve', id],
    ].reverse();
    const fromApp = (await t.app.audit.list()).filter((e) => wanted.has(e.action)).map((e) => [e.actor, e.action, e.target]);
    expect(fromApp).toEqual(expected);

    await b.getByRole('link', { name: 'Activity' }).click();
    await b.waitForURL('**/admin/activity');
    const rows = await b.locator('#activity tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 4).map((td) => (td.textContent ?? '').trim())),
    );
    expect(rows.filter((r) => wanted.has(r[1]!))).toEqual(expected);
    await screenshot(b, 'editorial-control-activity');

    writeConfig(t.dir, 'brief.config.json', { newsletters: [newsletter({ sources: [{ type: 'rss', url: './feed.xml' }] })] });
    const cli = await brief(['audit', '--json', '--config', 'brief.config.json'], { cwd: t.dir, prefix: t.prefix });
    expect(cli.code, shown(cli)).toBe(0);
    const fromCli = (JSON.parse(cli.stdout) as Array<{ actor: string; action: string; target: string }>)
      .filter((e) => wanted.has(e.action))
      .map((e) => [e.actor, e.action, e.target]);
    expect(fromCli).toEqual(expected);
  }, 120_000);
});
