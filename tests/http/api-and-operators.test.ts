import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { buildHttpServer, startHttpServer, type HttpServer } from '../../src/http/index.js';
import type { WorkerRuntime } from '../../src/wiring.js';

const ID = `daily-${FIXTURE_DATE}`;
const ADMIN = 'admin-token-for-tests-0123456789';

describe('editor API, dashboard and health over HTTP', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;
  let worker: WorkerRuntime | undefined;

  const api = (path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (init.token !== null) headers.authorization = `Bearer ${init.token ?? ADMIN}`;
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${http.url}/api${path}`, {
      ...init,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  };

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start() });
    t.app.env.adminToken = ADMIN;
    await t.app.subscribers.add('daily', 'reader@example.net');
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await worker?.close();
    await http?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  it('refuses a missing or wrong token with 401 and a JSON error', async () => {
    for (const token of [null, 'wrong', `${ADMIN}x`, ADMIN.slice(0, -1), '']) {
      const res = await api('/editions', { method: 'POST', token, json: { newsletter: 'daily', date: FIXTURE_DATE } });
      expect(res.status, String(token)).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('EAUTH');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const basic = await fetch(`${http.url}/api/editions`, { headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect(await t.app.editions.get(ID)).toBeNull();
  });

  it('POST /api/editions answers 202 with the status, and the same edition twice', async () => {
    const first = await api('/editions', { method: 'POST', json: { newsletter: 'daily', date: FIXTURE_DATE } });
    expect(first.status).toBe(202);
    expect(first.headers.get('access-control-allow-origin')).toBeNull();
    const a = (await first.json()) as { id: string; state: string; newsletter: string; date: string };
    expect(a).toMatchObject({ id: ID, newsletter: 'daily', date: FIXTURE_DATE, state: 'scheduled' });
    const second = await api('/editions', { method: 'POST', json: { newsletter: 'daily', date: FIXTURE_DATE } });
    expect(second.status).toBe(202);
    expect(((await second.json()) as { id: string }).id).toBe(ID);
    expect(await t.app.editions.ids('daily')).toEqual([ID]);
  });

  it('answers 400 naming the field for bad input, 404 for an unknown newsletter', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ newsletter: 'daily', date: 'nope' }, 400, 'date'],
      [{ newsletter: 'daily' }, 400, 'date'],
      [{ date: FIXTURE_DATE }, 400, 'newsletter'],
      [{ newsletter: 'Daily!', date: FIXTURE_DATE }, 400, 'newsletter'],
      [{ newsletter: 'daily', date: '2025-02-30' }, 400, 'date'],
      [{ newsletter: 'weekly', date: FIXTURE_DATE }, 404, 'newsletter'],
    ];
    for (const [json, status, field] of cases) {
      const res = await api('/editions', { method: 'POST', json });
      expect(res.status, JSON.stringify(json)).toBe(status);
      const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
      expect(body.error.field, JSON.stringify(json)).toBe(field);
      expect(body.error.message.startsWith(`${field}:`), body.error.message).toBe(true);
    }
    const notJson = await api('/editions', { method: 'POST', body: 'newsletter=daily', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(notJson.status).toBe(415);
    const broken = await api('/editions', { method: 'POST', body: '{"newsletter":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
  });

  it('GET /api/editions and /api/editions/ID give the status JSON of the CLI', async () => {
    const list = await api('/editions?newsletter=daily');
    expect(list.status).toBe(200);
    const body = (await list.json()) as { editions: Array<{ id: string }> };
    expect(body.editions.map((e) => e.id)).toEqual([ID]);
    const one = await api(`/editions/${ID}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(JSON.parse(JSON.stringify(await t.app.service.status(ID))));
    const all = (await (await api('/editions?newsletter=')).json()) as { editions: Array<{ id: string }> };
    expect(all.editions.map((e) => e.id)).toEqual([ID]);
    expect((await api('/editions?newsletter=Bad!')).status).toBe(400);
    expect((await api('/editions/daily-2025-09-04')).status).toBe(404);
    expect((await api('/editions?newsletter=weekly')).status).toBe(404);
  });

  it('pause on a sent edition is 409; the test send goes to the given addresses only', async () => {
    worker = await t.app.startWorkers();
    await waitFor(async () => (await t.app.service.status(ID)).state === 'sent', 30_000, 'edition sent');
    const pause = await api(`/editions/${ID}/pause`, { method: 'POST' });
    expect(pause.status).toBe(409);
    expect(((await pause.json()) as { error: { code: string } }).error.code).toBe('ESTATE');
    expect((await api(`/editions/${ID}/resume`, { method: 'POST' })).status).toBe(409);
    expect((await api(`/editions/${ID}/cancel`, { method: 'POST' })).status).toBe(409);
    expect((await api('/editions/daily-2025-09-04/pause', { method: 'POST' })).status).toBe(404);

    const before = sink.messages.length;
    const test = await api(`/editions/${ID}/test`, { method: 'POST', json: { to: ['editor@example.org'] } });
    expect(test.status).toBe(200);
    expect(((await test.json()) as { sent: Array<{ to: string }> }).sent.map((s) => s.to)).toEqual(['editor@example.org']);
    await waitFor(async () => sink.messages.length > before, 5000, 'test message');
    const m = sink.messages.at(-1)!;
    expect(m.rcpt).toEqual(['editor@example.org']);
    expect((await m.parse()).subject).toMatch(/^\[TEST\] /);
    const bad = await api(`/editions/${ID}/test`, { method: 'POST', json: { to: ['not an address'] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('to[0]');
    expect((await api(`/editions/${ID}/test`, { method: 'POST', json: { to: [] } })).status).toBe(400);
  });

  it('GET /api/newsletters/ID/preview renders the edition with sample values', async () => {
    const res = await api(`/newsletters/daily/preview?date=${FIXTURE_DATE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Parliament passes the budget');
    expect(html).not.toMatch(/%%BRIEF_/);
    expect((await api('/newsletters/daily/preview?date=nope')).status).toBe(400);
    expect((await api('/newsletters/weekly/preview')).status).toBe(404);
  });

  it('bull-board answers 401 without Basic auth and 200 with it', async () => {
    const none = await fetch(`${http.url}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${http.url}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from(`ops:${ADMIN}`).toString('base64')}` };
    const ok = await fetch(`${http.url}/admin/queues`, { headers: auth });
    expect(ok.status).toBe(200);
    const page = await ok.text();
    expect(page).toContain('<div id="root">');
    expect(ok.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const queues = await fetch(`${http.url}/admin/queues/api/queues`, { headers: auth });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['editions', 'send-batch', 'transactional']);
    expect((await fetch(`${http.url}/admin/queues/api/queues`)).status).toBe(401);
    // Static files are behind the same door.
    const script = /src="(static\/js\/[^"]+)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${http.url}/admin/queues/${script}`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${http.url}/admin/queues/${script}`)).status).toBe(401);
  });

  it('/healthz is 200; /readyz is 200 with a live worker and 503 without one', async () => {
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${http.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toMatch(/^brief_workers 1$/m);
    await worker!.close();
    worker = undefined;
    const notReady = await fetch(`${http.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { reason: string }).reason).toMatch(/worker/);
    // A stale heartbeat is not a live worker.
    await t.app.redis.hset(t.app.keys.workers(), 'old', JSON.stringify({ host: 'h', pid: 1, seen: Date.now() - 60_000 }));
    expect((await fetch(`${http.url}/readyz`)).status).toBe(503);
  });

  it('with no BRIEF_ADMIN_TOKEN the API and the dashboard are off (503, saying what to set)', async () => {
    const env = { ...t.app.env, adminToken: undefined };
    const server = buildHttpServer({ ...t.app, env });
    try {
      const res = await server.inject({ method: 'GET', url: '/api/editions', headers: { authorization: 'Bearer ' } });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.message).toContain('BRIEF_ADMIN_TOKEN');
      const dash = await server.inject({ method: 'GET', url: '/admin/queues' });
      expect(dash.statusCode).toBe(503);
    } finally {
      await server.close();
    }
  });
});
