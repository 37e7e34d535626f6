import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient as Redis } from '../../src/redis/connect.js';
import { testApp, waitFor, FIXTURE_DATE } from '../helpers/app.js';
import { liveStack } from '../helpers/live-stack.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { capture } from '../subscribers/helpers.js';
import { startHttpServer } from '../../src/http/server.js';
import { subscribersCommand } from '../../src/cli/subscribers-command.js';
import type { CliContext } from '../../src/cli/context.js';
import { readEnv } from '../../src/config/env.js';
import { importCsv } from '../../src/subscribers/index.js';

const ID = `daily-${FIXTURE_DATE}`;
const TOKEN = 'admin-token-0123456789abcdef0123';
const ADDR = 'Forget.Me@Example.net';
const EMAIL = ADDR.toLowerCase();

/** Every key under the prefix whose name or value holds `needle` (case-insensitive), with where. */
async function traces(redis: Redis, prefix: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  const n = needle.toLowerCase();
  const has = (s: string) => s.toLowerCase().includes(n);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (has(key)) found.push(`${key} (name)`);
      const type = await redis.type(key);
      let values: string[] = [];
      if (type === 'string') values = [(await redis.get(key)) ?? ''];
      else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
      else if (type === 'list') values = await redis.lrange(key, 0, -1);
      else if (type === 'set') values = await redis.smembers(key);
      else if (type === 'zset') values = await redis.zrange(key, 0, -1);
      else if (type === 'stream') values = (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
      else values = [`unchecked type ${type}`];
      for (const v of values) if (has(v)) found.push(`${key} (${type})`);
    }
  } while (cursor !== '0');
  return found;
}

describe('data requests: show and forget', () => {
  const live = liveStack();

  const cli = async (args: string[]) => {
    const out = capture();
    const ctx: CliContext = {
      env: readEnv({}),
      config: () => live.t!.config,
      usingExample: () => false,
      redis: async () => live.t!.app.redis,
      keys: () => live.t!.app.keys,
      stdout: out.stream as unknown as NodeJS.WriteStream,
      stderr: capture().stream as unknown as NodeJS.WriteStream,
      warn: () => {},
      verbose: false,
    };
    await subscribersCommand(ctx).parseAsync(args, { from: 'user' });
    return out.text();
  };

  it('show lists everything stored; forget leaves no trace of the address in Redis, and an import cannot re-add it', async () => {
    live.sink = new SmtpSink();
    live.t = await testApp({
      smtpUrl: await live.sink.start(),
      lists: ['daily', 'weekend'],
      config: { bounces: { domain: 'bounces.example.org' } },
      env: { BRIEF_ADMIN_TOKEN: TOKEN },
    });
    const a = live.t.app;
    live.worker = await a.startWorkers();
    live.http = await startHttpServer(a, { port: 0, host: '127.0.0.1' });

    // Signed up and confirmed on one list (consent from the form), imported on the other.
    const form = new URLSearchParams({ email: ADDR, name: 'Nino Forgetme', list: 'daily' });
    expect((await fetch(`${live.http.url}/subscribe/daily`, { method: 'POST', body: form })).status).toBe(200);
    const mail = await waitFor(async () => live.sink!.messages.find((m) => m.rcpt.includes(EMAIL)), 20_000, 'confirmation');
    const confirm = /https:\/\/brief\.example\.org(\/confirm\/[A-Za-z0-9_.-]+)/.exec((await mail.parse()).text ?? '')![1]!;
    expect((await fetch(`${live.http.url}${confirm}`, { method: 'POST', body: new URLSearchParams({ confirm: 'yes' }) })).status).toBe(200);
    // A second, unconfirmed signup leaves an offer behind (the import then activates the pending address).
    await fetch(`${live.http.url}/subscribe/daily`, { method: 'POST', body: new URLSearchParams({ email: ADDR, list: 'weekend' }) });
    const csv = path.join(live.t.dir, 'weekend-readers.csv');
    writeFileSync(csv, `email,name,city\n${ADDR},Nino,Kutaisi\nother@example.net,Other,Baku\n`);
    await importCsv(a.subscribers, 'weekend', csv, { consent: a.consent });
    expect((await a.consent.get('weekend', EMAIL))?.source).toBe('import:weekend-readers.csv');
    // A soft bounce and an edition leave the rest.
    await a.redis.zadd(a.keys.softBounces(EMAIL), Date.now(), 'daily-2025-01-01');
    await a.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => ((await a.service.status(ID)).state === 'sent' ? true : undefined), 30_000, 'edition sent');

    const auth = { authorization: `Bearer ${TOKEN}` };
    const shown = await fetch(`${live.http.url}/api/subscribers/${encodeURIComponent(ADDR)}`, { headers: auth });
    expect(shown.status).toBe(200);
    const report = (await shown.json()) as Record<string, any>;
    expect(report.email).toBe(EMAIL);
    expect(report.lists.map((l: { list: string; status: string }) => `${l.list}:${l.status}`).sort()).toEqual(['daily:active', 'weekend:active']);
    const daily = report.lists.find((l: { list: string }) => l.list === 'daily');
    expect(daily.consent).toMatchObject({ source: 'form:daily', confirmedAt: expect.any(String) });
    expect(report.lists.find((l: { list: string }) => l.list === 'weekend').attributes).toEqual({ city: 'Kutaisi' });
    expect(report.pendingSignups).toHaveLength(1);
    expect(report.softBounces).toEqual(['daily-2025-01-01']);
    const edition = live.sink.messages.find((m) => m.rcpt.includes(EMAIL) && m.messageId.startsWith(`<${ID}.`))!;
    expect(report.editions).toEqual([{ edition: ID, outcome: 'sent', messageId: edition.messageId }]);

    const text = await cli(['show', ADDR]);
    expect(text).toContain('list daily: active');
    expect(text).toContain(`Message-ID ${edition.messageId}`);
    expect(JSON.parse(await cli(['show', ADDR, '--json']))).toEqual(report);

    expect((await traces(a.redis, live.t.prefix, EMAIL)).length).toBeGreaterThan(5);
    const forgot = await fetch(`${live.http.url}/api/subscribers/${encodeURIComponent(ADDR)}/forget`, { method: 'POST', headers: auth });
    expect(forgot.status).toBe(200);
    expect(await traces(a.redis, live.t.prefix, EMAIL)).toEqual([]);
    expect(await traces(a.redis, live.t.prefix, 'Forgetme')).toEqual([]);
    expect(await traces(a.redis, live.t.prefix, 'Kutaisi')).toEqual([]);
    // The edition still adds up (its ledger entry is kept under a keyed hash).
    expect((await a.service.status(ID)).sent).toBe(2);
    expect(await a.subscribers.counts('daily')).toMatchObject({ active: 0, pending: 0 });

    // A later import cannot re-add it; `show` says it is forgotten.
    await importCsv(a.subscribers, 'weekend', csv, { consent: a.consent });
    expect(await a.subscribers.get('weekend', EMAIL)).toBeNull();
    const after = JSON.parse(await cli(['show', ADDR, '--json']));
    expect(after).toMatchObject({ lists: [], forgotten: true, editions: [] });
    expect(await cli(['forget', ADDR])).toContain(`forgot ${EMAIL}`);

    // New consent (a confirmed signup) is the way back.
    live.sink.messages.length = 0;
    await fetch(`${live.http.url}/subscribe/daily`, { method: 'POST', body: new URLSearchParams({ email: ADDR, list: 'daily' }) });
    const again = await waitFor(async () => live.sink!.messages.find((m) => m.rcpt.includes(EMAIL)), 20_000, 'second confirmation');
    const path2 = /https:\/\/brief\.example\.org(\/confirm\/[A-Za-z0-9_.-]+)/.exec((await again.parse()).text ?? '')![1]!;
    await fetch(`${live.http.url}${path2}`, { method: 'POST', body: new URLSearchParams({ confirm: 'yes' }) });
    expect((await a.subscribers.get('daily', EMAIL))?.status).toBe('active');
    expect(await a.subscribers.isForgotten(EMAIL)).toBe(false);
  }, 60_000);

  it('POST /api/subscribers adds with consent source api, and refuses an unknown list and a forgotten address', async () => {
    live.t = await testApp({ env: { BRIEF_ADMIN_TOKEN: TOKEN } });
    live.http = await startHttpServer(live.t.app, { port: 0, host: '127.0.0.1' });
    const add = (body: unknown) =>
      fetch(`${live.http!.url}/api/subscribers`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const r = await add({ list: 'daily', email: 'Api@Example.net', name: 'Api Reader' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ list: 'daily', email: 'api@example.net', result: 'added' });
    expect(await live.t.app.consent.get('daily', 'api@example.net')).toMatchObject({ source: 'api' });
    expect((await add({ list: 'nope', email: 'x@example.net' })).status).toBe(404);
    expect((await add({ list: 'daily', email: 'not-an-address' })).status).toBe(400);
    await live.t.app.dataRequests.forget('api@example.net');
    expect(await (await add({ list: 'daily', email: 'api@example.net' })).json()).toMatchObject({ result: 'suppressed' });
    expect(await live.t.app.subscribers.get('daily', 'api@example.net')).toBeNull();
  });
});
