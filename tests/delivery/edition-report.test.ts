import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { brief } from '../cli/brief.js';
import type { WorkerRuntime } from '../../src/wiring.js';
import { CLAIM_OTHER, CLAIM_SEND, parseLedgerEntry } from '../../src/delivery/edition-store.js';
import { failureGroups, outcomeOf, reportRows, writeReport } from '../../src/delivery/edition-report.js';

const ID = `daily-${FIXTURE_DATE}`;
const N = 130;

describe('ledger entries', () => {
  it('reads the entries of earlier versions and the ones with attempts, time and reply', () => {
    expect(parseLedgerEntry('s:3')).toEqual({ kind: 's', batch: 3, detail: '' });
    expect(parseLedgerEntry('x:2:550')).toEqual({ kind: 'x', batch: 2, detail: '550' });
    expect(parseLedgerEntry('k:1:unsubscribed')).toEqual({ kind: 'k', batch: 1, detail: 'unsubscribed' });
    expect(parseLedgerEntry('s:4:\t2\t1733130000000\t250 2.0.0 Ok: queued as 4XyZ')).toEqual({
      kind: 's', batch: 4, detail: '', attempts: 2, at: 1733130000000, reply: '250 2.0.0 Ok: queued as 4XyZ',
    });
    expect(parseLedgerEntry(null)).toBeNull();
  });

  it('names each outcome as the report shows it', () => {
    const o = (v: string | null, state: Parameters<typeof outcomeOf>[1] = 'sending') => outcomeOf(parseLedgerEntry(v), state);
    expect(o('k:1:unsubscribed')).toBe('unsubscribed');
    expect(o('k:1:bounced')).toBe('skipped');
    expect(o('f:1:451')).toBe('failed');
    expect(o('t:1:451')).toBe('retrying');
    expect(o('i:1')).toBe('sending');
    expect(o(null)).toBe('pending');
    expect(o(null, 'cancelled')).toBe('not-sent');
    expect(o('t:1:451', 'cancelled')).toBe('not-sent');
  });
});

describe('the edition report', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let worker: WorkerRuntime;

  beforeAll(async () => {
    sink = new SmtpSink({ rcpt: (a) => (a === 'reader7@example.net' || a === 'reader8@example.net' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
    t = await testApp({ smtpUrl: await sink.start() });
    await t.app.subscribers.upsertMany('daily', Array.from({ length: N }, (_, i) => ({ address: `reader${i}@example.net` })));
    worker = await t.app.startWorkers();
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await t.app.service.status(ID)).state === 'sent', 30_000, 'sent');
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  it('the claim script still reads the batch of a new entry: own batch re-claimed, another batch left alone', async () => {
    const e = t.app.editions;
    await e.mark('claim-test', 'a@example.org', 't', 3, '451', '', { attempts: 1, at: Date.now(), reply: '451 4.7.1 try later' });
    expect(await e.claim('claim-test', 4, ['a@example.org'])).toEqual([CLAIM_OTHER]);
    expect(await e.claim('claim-test', 3, ['a@example.org'])).toEqual([CLAIM_SEND]);
  });

  it('has every recipient once with outcome, the Message-ID that arrived, the SMTP reply, attempts and time', async () => {
    const rows = [];
    for await (const r of reportRows({ editions: t.app.editions, domain: 'example.org' }, ID)) rows.push(r);
    expect(rows.length).toBe(N);
    expect(new Set(rows.map((r) => r.email)).size).toBe(N);
    const arrived = new Map(sink.messages.map((m) => [m.rcpt[0]!, m.messageId]));
    for (const r of rows) {
      if (r.email === 'reader7@example.net' || r.email === 'reader8@example.net') {
        expect(r).toMatchObject({ outcome: 'suppressed', detail: '550', attempts: 1 });
        expect(r.reply).toContain('no such user');
      } else {
        expect(r.outcome).toBe('sent');
        expect(`<${r.messageId}>`).toBe(arrived.get(r.email));
        expect(r.reply).toMatch(/^250 /);
        expect(r.attempts).toBe(1);
      }
      expect(Date.parse(r.at!)).toBeGreaterThan(Date.now() - 120_000);
    }
    const groups = await failureGroups(t.app.editions, ID);
    expect(groups).toEqual([{ outcome: 'suppressed', reply: expect.stringContaining('no such user'), count: 2, sample: expect.arrayContaining(['reader7@example.net', 'reader8@example.net']) }]);
  });

  it('writes CSV with one row per recipient; old ledger entries still make rows', async () => {
    // An entry as versions before the report wrote it.
    await t.app.redis.hset(t.app.keys.editionLedger(ID), 'reader9@example.net', 's:0');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const counts = await writeReport({ editions: t.app.editions, domain: 'example.org' }, ID, out, 'csv');
    expect(counts).toEqual({ sent: N - 2, suppressed: 2 });
    const rows = parse(Buffer.concat(chunks).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(N);
    expect(rows.find((r) => r.email === 'reader9@example.net')).toMatchObject({ outcome: 'sent', smtp_reply: '', attempts: '', time: '' });
  });

  it('brief edition ID report --csv --out FILE streams the same report', async () => {
    const cfg = path.join(t.dir, 'brief.config.json');
    writeFileSync(cfg, JSON.stringify({
      newsletters: [{ id: 'daily', title: 'The Test Brief', from: 'The Test Brief <brief@example.org>', timezone: 'Asia/Tbilisi', schedule: '0 8 * * *', lists: ['daily'], sources: [{ type: 'rss', url: './feed.xml' }] }],
    }));
    const file = path.join(t.dir, 'report.csv');
    const r = await brief(['edition', ID, 'report', '--csv', '--out', file, '--config', cfg], { prefix: t.prefix, cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${N} recipients: ${N - 2} sent, 2 suppressed; wrote ${file}`);
    expect(r.stderr).toMatch(/2 suppressed: 550 .*no such user/);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(N);
    const text = await brief(['edition', ID, 'report', '--config', cfg], { prefix: t.prefix, cwd: t.dir });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('email\tlist\toutcome\tdetail\tmessage_id\tsmtp_reply\tattempts\ttime');
    expect(lines.length).toBe(N + 1);
    const bad = await brief(['edition', 'daily-2031-01-01', 'report', '--config', cfg], { prefix: t.prefix, cwd: t.dir });
    expect(bad.code).not.toBe(0);
    expect(bad.errLines).toEqual([expect.stringContaining('no edition "daily-2031-01-01"')]);
  });
});

describe('csvLine', () => {
  it('quotes as csv-stringify does, and neutralises formulas', async () => {
    const { stringify } = await import('csv-stringify/sync');
    const { csvLine } = await import('../../src/delivery/edition-report.js');
    const cells = ['plain', 'with,comma', 'with "quotes"', 'two\nlines', 'cr\rhere', '', '=HYPERLINK("x")', '-1', '@me', 'ok'];
    expect(csvLine(cells)).toBe(stringify([cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c))]));
    expect(parse(csvLine(cells))[0]).toEqual(['plain', 'with,comma', 'with "quotes"', 'two\nlines', 'cr\rhere', '', `'=HYPERLINK("x")`, "'-1", "'@me", 'ok']);
  });
});
