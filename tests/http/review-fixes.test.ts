/**
 * The HTTP findings of the outside review (issue 10), each reproduced against a real server
 * on a real Redis, with a real send to a real SMTP sink where mail is involved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../subscribers/helpers.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { testApp, sendEdition, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { startHttpServer, buildHttpServer, type HttpServer } from '../../src/http/index.js';
import { makeToken, verifyToken } from '../../src/delivery/tokens.js';
import { AUTH_FAILURE_LIMIT } from '../../src/http/admin-auth.js';

const ID = `daily-${FIXTURE_DATE}`;
const ADMIN = 'admin-token-for-tests-0123456789';
const SECRET = 'test-secret-0123456789abcdef';
const form = (url: string, body: string, type = 'application/x-www-form-urlencoded') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body, redirect: 'manual' });

describe('one-click unsubscribe from a newsletter that mails two lists', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start(), lists: ['daily', 'extra'] });
    // Ana is on both lists; the newsletter sends her one message (through 'daily', the first).
    await t.app.subscribers.add('daily', 'ana@example.net');
    await t.app.subscribers.add('extra', 'ana@example.net');
    await t.app.subscribers.add('extra', 'giorgi@example.net');
    await sendEdition(t);
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  it('stops the newsletter through every list it sends to, and says which', async () => {
    const mine = sink.messages.filter((m) => m.rcpt[0] === 'ana@example.net');
    expect(mine).toHaveLength(1);
    const head = mine[0]!.head.replace(/\r?\n[ \t]+/g, ' ');
    const url = /^List-Unsubscribe:.*?<(https:\/\/[^>]+)>/im.exec(head)![1]!.replace(t.app.env.publicUrl, http.url);
    const token = verifyToken(await t.app.secret(), url.split('/u/')[1]!);
    const res = await form(url, 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('daily');
    expect(text).toContain('extra');
    // Both of the newsletter's lists changed, whichever one the message went through.
    expect((await t.app.subscribers.get('daily', 'ana@example.net'))?.status).toBe('unsubscribed');
    expect((await t.app.subscribers.get('extra', 'ana@example.net'))?.status).toBe('unsubscribed');
    expect(token.list === 'daily' || token.list === 'extra').toBe(true);
    // Nobody else changed.
    expect((await t.app.subscribers.get('extra', 'giorgi@example.net'))?.status).toBe('active');
    // The next edition does not reach her through either list.
    await t.app.subscribers.add('daily', 'nino@example.net');
    writeFileSync(
      t.feedFile,
      readFileSync(t.feedFile, 'utf8').replace(
        '</channel>',
        '<item><title>Late news</title><link>https://news.example.org/late</link><guid>late</guid><pubDate>Fri, 05 Sep 2025 20:00:00 +0400</pubDate></item></channel>',
      ),
    );
    const before = sink.messages.length;
    const next = '2025-09-06';
    await sendEdition(t, next);
    expect(sink.messages.slice(before).map((m) => m.rcpt[0]).sort()).toEqual(['giorgi@example.net', 'nino@example.net']);
  }, 60_000);

  it('the form page names the newsletter and every list it left', async () => {
    await t.app.subscribers.add('daily', 'levan@example.net');
    await t.app.subscribers.add('extra', 'levan@example.net');
    const token = makeToken(await t.app.secret(), { action: 'unsubscribe', list: 'extra', email: 'levan@example.net', edition: ID });
    const res = await form(`${http.url}/u/${token}`, 'confirm=yes');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('will not receive The Test Brief any more');
    expect(html).toMatch(/Removed from the lists: <code>extra<\/code>, <code>daily<\/code>/);
    // The preferences page still offers each list on its own.
    const prefs = makeToken(await t.app.secret(), { action: 'preferences', list: 'daily', email: 'levan@example.net', edition: ID });
    const joined = await form(`${http.url}/p/${prefs}`, 'list=daily&action=join');
    expect(joined.status).toBe(200);
    expect((await t.app.subscribers.get('daily', 'levan@example.net'))?.status).toBe('active');
    expect((await t.app.subscribers.get('extra', 'levan@example.net'))?.status).toBe('unsubscribed');
  });
});

describe('the other HTTP findings', () => {
  let t: TestApp;
  let http: HttpServer;
  const secret = () => t.app.secret();

  beforeAll(async () => {
    t = await testApp();
    t.app.env.adminToken = ADMIN;
    for (const e of ['a@example.net', 'b@example.net', 'c@example.net']) await t.app.subscribers.add('daily', e);
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
  });

  it('a POST that is neither the RFC 8058 body nor the form shows the confirm page and changes nothing', async () => {
    const token = makeToken(await secret(), { action: 'unsubscribe', list: 'daily', email: 'a@example.net', edition: ID });
    const url = `${http.url}/u/${token}`;
    for (const [body, type] of [
      ['', 'application/x-www-form-urlencoded'],
      ['hello', 'text/plain'],
      ['confirm=no', 'application/x-www-form-urlencoded'],
      ['{"List-Unsubscribe":"Nope"}', 'application/json'],
    ] as const) {
      const res = await form(url, body, type);
      expect(res.status, `${type} ${body}`).toBe(200);
      expect(await res.text()).toContain('Unsubscribe from The Test Brief?');
      expect((await t.app.subscribers.get('daily', 'a@example.net'))?.status).toBe('active');
    }
    expect((await form(url, 'List-Unsubscribe=One-Click')).status).toBe(200);
    expect((await t.app.subscribers.get('daily', 'a@example.net'))?.status).toBe('unsubscribed');
  });

  it('accepts exactly one spelling of a token', async () => {
    const token = makeToken(await secret(), { action: 'unsubscribe', list: 'daily', email: 'b@example.net', edition: ID });
    const [body, mac] = token.split('.') as [string, string];
    const last = mac.at(-1)!;
    // The MAC is 32 bytes: 43 characters, whose last carries 2 unused bits. Any other
    // character with the same top 4 bits decodes to the same bytes in Node's decoder.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = alphabet.indexOf(last);
    const sameBits = alphabet[(i & ~3) | ((i + 1) & 3)]!;
    expect(Buffer.from(`${mac.slice(0, -1)}${sameBits}`, 'base64url').equals(Buffer.from(mac, 'base64url'))).toBe(true);
    const variants = [
      `${body}.${mac.slice(0, -1)}${sameBits}`,
      `${token}=`,
      `${token}.`,
      `${token}!!`,
      `${body}.${mac.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(mac) ? '' : '+'}`,
      `${body}=.${mac}`,
    ];
    for (const v of variants) {
      expect(() => verifyToken(SECRET, v), v).toThrow(/not valid/);
      const res = await form(`${http.url}/u/${encodeURIComponent(v)}`, 'List-Unsubscribe=One-Click');
      expect(res.status, v).toBe(400);
    }
    expect((await t.app.subscribers.get('daily', 'b@example.net'))?.status).toBe('active');
    expect(verifyToken(SECRET, token).email).toBe('b@example.net');
  });

  it('logs no token (however the path is spelt) and no query string at info', async () => {
    const out = capture();
    const server = buildHttpServer({ ...t.app, logger: pino({ level: 'info' }, out.stream) });
    const token = makeToken(await secret(), { action: 'unsubscribe', list: 'daily', email: 'c@example.net', edition: ID });
    try {
      for (const url of [`/%75/${token}`, `/u/${token}?utm=1&email=c@example.net`, `//u/${token}`, `/%70/${token}`, `/archive/daily?email=c@example.net`]) {
        await server.inject({ method: 'GET', url });
      }
    } finally {
      await server.close();
    }
    const text = out.text();
    expect(text).toContain('"url":"/u/[token]"');
    expect(text).not.toContain(token.slice(0, 12));
    expect(text).not.toContain('c@example.net');
    expect(text).not.toContain('utm=');
    expect(text).not.toContain('?');
  });

  it('throttles failed admin logins per client address, with 429 and Retry-After', async () => {
    const api = (token: string) => fetch(`${http.url}/api/editions`, { headers: { authorization: `Bearer ${token}` } });
    expect((await api(ADMIN)).status).toBe(200);
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) expect((await api(`wrong-${i}`)).status).toBe(401);
    const blocked = await api('wrong-again');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('ETHROTTLED');
    // Even the right token waits: guessing faster must not tell which guess was right.
    expect((await api(ADMIN)).status).toBe(429);
    // The dashboard shares the count (the same Redis key: a second server would too).
    const dash = await fetch(`${http.url}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN}`).toString('base64')}` } });
    expect(dash.status).toBe(429);
    // A second server on the same Redis refuses the same client too: the count is cluster-wide.
    const other = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    try {
      expect((await fetch(`${other.url}/api/editions`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(429);
    } finally {
      await other.close();
    }
    await t.app.redis.del(t.app.keys.authFailures('127.0.0.1'));
    expect((await api(ADMIN)).status).toBe(200);
  });

  it('POST /api/editions refuses absurd dates with EDATE and creates nothing', async () => {
    const post = (date: string) =>
      fetch(`${http.url}/api/editions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ newsletter: 'daily', date }),
      });
    const nextYear = new Date(Date.now() + 400 * 86400_000).toISOString().slice(0, 10);
    for (const date of ['0000-01-01', '1999-12-31', '9999-12-31', nextYear]) {
      const res = await post(date);
      expect(res.status, date).toBe(400);
      const body = (await res.json()) as { error: { code: string; field?: string } };
      expect(body.error.code).toBe('EDATE');
    }
    expect(await t.app.service.list('daily')).toEqual([]);
    // Past dates stay valid.
    expect((await post('2024-02-29')).status).toBe(202);
    expect((await t.app.service.list('daily')).map((s) => s.date)).toEqual(['2024-02-29']);
  });
});
