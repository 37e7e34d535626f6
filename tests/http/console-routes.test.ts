import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import type { WorkerRuntime } from '../../src/wiring.js';

const ADMIN = 'admin-token-for-tests-0123456789';
const ID = `daily-${FIXTURE_DATE}`;

describe('console routes over HTTP', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;
  let worker: WorkerRuntime;
  let cookie = '';
  let csrf = '';

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${http.url}${path}`, { redirect: 'manual', headers: { cookie, ...headers } });
  const post = (path: string, body: Record<string, string>) =>
    fetch(`${http.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start() });
    t.app.env.adminToken = ADMIN;
    await t.app.subscribers.upsertMany('daily', Array.from({ length: 40 }, (_, i) => ({ address: `r${i}@example.net` })));
    worker = await t.app.startWorkers();
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    const form = await fetch(`${http.url}/admin`);
    const loginCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const login = await fetch(`${http.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: ADMIN, _csrf: token }).toString(),
    });
    cookie = login.headers.getSetCookie().find((c) => c.startsWith('brief_console='))!.split(';')[0]!;
    csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get('/admin/newsletters')).text())![1]!;
  }, 60_000);
  afterAll(async () => {
    await http?.close();
    await worker?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  it('serves the preview only to be framed by the console, without script', async () => {
    const page = await (await get(`/admin/editions/${ID}`)).text();
    expect(page).toMatch(/<iframe class="preview-frame desktop" sandbox="" src="\/admin\/editions\/daily-2025-09-05\/preview\?variant=member"/);
    const res = await get(`/admin/editions/${ID}/preview?variant=public`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('script-src');
    expect(await res.text()).toContain('</html>');
    // Elsewhere in the console, nothing may frame a page.
    expect((await get('/admin/newsletters')).headers.get('x-frame-options')).toBe('DENY');
  });

  it('streams the send as Server-Sent Events until it is sent', async () => {
    expect((await post(`/admin/editions/${ID}/send`, { _csrf: csrf })).status).toBe(303);
    const res = await get(`/admin/editions/${ID}/events`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text(); // the stream ends once the edition is final
    const events = text.split('\n\n').filter((e) => e.startsWith('event: status'));
    expect(events.length).toBeGreaterThan(0);
    const last = JSON.parse(events.at(-1)!.split('\ndata: ')[1]!) as { state: string; sent: number; remaining: number; final: boolean };
    expect(last).toMatchObject({ state: 'sent', sent: 40, remaining: 0, final: true });
    expect((await get('/admin/editions/nope-2025-09-05/events')).status).toBe(404);
  }, 30_000);

  it('a second Send now is the same edition, and the report CSV has one row per recipient', async () => {
    expect((await post(`/admin/editions/${ID}/send`, { _csrf: csrf })).status).toBe(303);
    expect(await t.app.service.list('daily')).toHaveLength(1);
    const csv = await (await get(`/admin/editions/${ID}/report.csv`)).text();
    expect(csv.trim().split('\n')).toHaveLength(41);
    const page = await (await get(`/admin/editions/${ID}/report`)).text();
    expect(page).toContain('Download report (CSV)');
    expect(page).toContain('No failures.');
  });

  it("counts a list's suppressed addresses, whatever their status, and not those of other lists", async () => {
    await t.app.subscribers.suppress('r1@example.net', '550 test');
    await t.app.subscribers.suppress('stranger@example.org', '550 test');
    expect(await t.app.subscribers.countSuppressedOn('daily')).toBe(1);
    const page = await (await get('/admin/newsletters')).text();
    expect(page).toMatch(/<th scope="row">daily<\/th><td class="num">40<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td>/);
    expect(page).toContain('2 addresses are suppressed on every list');
  });

  it('a console session opens the queue dashboard without its Basic password', async () => {
    expect((await get('/admin/queues/api/queues')).status).toBe(200);
    expect((await fetch(`${http.url}/admin/queues/api/queues`)).status).toBe(401);
    expect((await fetch(`${http.url}/admin/queues/api/queues`, { headers: { cookie: 'brief_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).status).toBe(401);
  });

  it('imports a CSV sent as text/csv only with the CSRF header, into a known list', async () => {
    const send = (headers: Record<string, string>, list = 'daily') =>
      fetch(`${http.url}/admin/subscribers/import?list=${list}&name=x.csv`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv', ...headers }, body: 'email\nnew@example.org\nbroken\n' });
    expect((await send({})).status).toBe(403);
    expect((await send({ 'x-csrf-token': csrf }, 'nolist')).status).toBe(400);
    const ok = await send({ 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    const { report } = (await ok.json()) as { report: { added: number; invalid: Array<{ line: number }> } };
    expect(report.added).toBe(1);
    expect(report.invalid.map((i) => i.line)).toEqual([3]);
  });

  it("warns on the edition page when the HTML part is within 10% of Gmail's clip", async () => {
    const { renderEdition } = await import('../../src/render/index.js');
    const { makeEdition, newsletter } = await import('../../bench/fixtures.js');
    const id = 'daily-2025-09-08';
    const r = await renderEdition({ newsletter, content: makeEdition(3), editionId: id, archiveUrl: 'https://brief.example.org/archive/daily/2025-09-08' });
    // The same edition padded to 92 KB of markup: its part is past 91.8 KB.
    const pad = (html: string) => html.replace('</body>', `<p>${'x'.repeat(92 * 1024 - html.length)}</p></body>`);
    for (const v of Object.values(r.variants)) v.html = pad(v.html);
    await t.app.editions.create(id, 'daily', '2025-09-08');
    await t.app.editions.freeze(id, 'daily', r, { count: 3, keys: [] });
    const page = await (await get(`/admin/editions/${id}`)).text();
    expect(page).toMatch(/<ul class="warnings">.*Size: the HTML part is \d+\.\d KB, within 10% of Gmail(&#x27;|&#39;|')s 102\.0 KB clip/s);
    const quiet = await (await get(`/admin/editions/${ID}`)).text();
    expect(quiet).not.toContain('within 10% of Gmail');
  });

  it('closes with an event stream open', async () => {
    await t.app.subscribers.add('daily', 'another@example.net');
    const id = 'daily-2025-09-06';
    await t.app.editions.create(id, 'daily', '2025-09-06'); // scheduled, never sent: the stream stays open
    const res = await get(`/admin/editions/${id}/events`);
    const reader = res.body!.getReader();
    await reader.read();
    const started = Date.now();
    await http.close();
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(async () => (await reader.read()).done, 5000, 'stream end');
  });
});
