/**
 * Issue 3, "tried as a new user would": import a CSV of a few thousand with some bad rows,
 * run `brief worker` and `brief send … --wait` against a local SMTP server, then count
 * what arrived. Everything goes through the built `brief` command; the only things the
 * test reads directly are the CSV it wrote and the messages the SMTP server received.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brief, briefInBackground, newsletter, shown, tempDir, writeConfig, type Background, type RunResult } from './brief.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';

const DATE = '2025-09-05';
const EDITION = `daily-${DATE}`;
const ROWS = 2000;

/** Bad addresses (each makes one invalid row) and rows with no address at all. */
const INVALID = [
  'user@', '@example.com', 'no-at-sign.example.com', 'two words@example.com', 'user@@example.com', 'user@example..com',
  'user@-example.com', 'user@example.c', 'üser@example.com', 'user@localhost', 'user@exa_mple.com', '.user@example.com',
  'user.@example.com', 'user@example.com.', 'user@[127.0.0.1]', '"quoted"@example.com', 'user@example', '<user@example.com>',
];
const MISSING = ['', '   ', '', ''];

interface CsvPlan {
  text: string;
  /** Line numbers (the header is line 1) and the reason the report should give. */
  bad: Array<{ line: number; reason: RegExp }>;
  duplicates: number;
  /** Addresses imported as unsubscribed (in the file's status column): never sent to. */
  unsubscribed: string[];
  /** Every address that must get exactly one copy. */
  active: Set<string>;
  added: number;
}

/**
 * ROWS data rows: mostly good addresses, the invalid ones spread through the file, a few
 * repeats of earlier addresses in another case, a few marked unsubscribed, a quoted name
 * with a comma. One record per line, so a row's line number is its index + 2.
 */
function planCsv(): CsvPlan {
  const lines = ['email,name,status,city'];
  const bad: CsvPlan['bad'] = [];
  const active = new Set<string>();
  const unsubscribed: string[] = [];
  const seen: string[] = [];
  const badRows = [...INVALID.map((v) => ({ v, missing: false })), ...MISSING.map((v) => ({ v, missing: true }))];
  let duplicates = 0;
  for (let i = 0; i < ROWS; i++) {
    const line = i + 2;
    if (i % 90 === 45 && badRows.length > 0) {
      const { v, missing } = badRows.shift()!;
      lines.push(`${v.includes(',') || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v},Bad Row ${i},,Gori`);
      bad.push({ line, reason: missing ? /^missing email$/ : new RegExp(`^invalid address ${escapeRe(JSON.stringify(v))}$`) });
      continue;
    }
    if (i % 500 === 250) {
      // The same person again, in capitals: one subscriber, counted as a duplicate.
      lines.push(`${seen[seen.length - 7]!.toUpperCase()},Again ${i},,Tbilisi`);
      duplicates++;
      continue;
    }
    const address = `reader${String(i).padStart(4, '0')}@example${i % 7}.org`;
    seen.push(address);
    if (i % 400 === 123) {
      lines.push(`${address},Gone ${i},unsubscribed,Yerevan`);
      unsubscribed.push(address);
      continue;
    }
    lines.push(i % 333 === 1 ? `${address},"Surname, Given ${i}",active,Baku` : `${address},Reader ${i},,Batumi`);
    active.add(address);
  }
  if (badRows.length > 0) throw new Error('planCsv: not every bad row was placed');
  return { text: lines.join('\r\n') + '\r\n', bad, duplicates, unsubscribed, active, added: ROWS - bad.length - duplicates };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;
let sink: SmtpSink;
let worker: Background;
let cfg: string;
let csvFile: string;
const plan = planCsv();
const run = (args: string[], timeoutMs?: number) =>
  brief(args, { cwd: tmp.dir, prefix: redis.prefix, smtpUrl: sink.url, ...(timeoutMs ? { timeoutMs } : {}) });

beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir(['rss.xml']);
  sink = new SmtpSink();
  await sink.start();
  cfg = writeConfig(tmp.dir, 'brief.config.json', {
    newsletters: [newsletter({ sources: [{ type: 'rss', url: './rss.xml' }], postalAddress: '1 Test Street, Tbilisi' })],
    delivery: { batchSize: 200 },
  });
  csvFile = path.join(tmp.dir, 'subscribers.csv');
  writeFileSync(csvFile, plan.text);
}, 60_000);

afterAll(async () => {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await sink?.stop();
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  tmp?.cleanup();
}, 60_000);

describe('a new user: import a CSV, run a worker, send an edition, count what arrived', { timeout: 120_000 }, () => {
  it('imports the CSV (exit 0, a summary with the counts and the bad lines) while a worker starts', async () => {
    worker = briefInBackground(['worker', '--config', cfg], { cwd: tmp.dir, prefix: redis.prefix, smtpUrl: sink.url });
    const [r] = await Promise.all([run(['subscribers', 'import', 'daily', csvFile, '--config', cfg]), worker.waitForStderr(/worker \S+ running/, 90_000)]);
    expect(r.code, shown(r)).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out[0]).toBe(
      `imported ${ROWS} rows into daily: ${plan.added} added, 0 updated, 0 kept unsubscribed, 0 suppressed, ` +
        `${plan.duplicates} duplicates, ${plan.bad.length} invalid, 0 unchanged`,
    );
    // The first 20 bad rows by line number, then how many more.
    const listed = out.slice(1, 21);
    expect(listed).toHaveLength(20);
    listed.forEach((l, i) => {
      const want = plan.bad[i]!;
      const m = /^line (\d+): (.*)$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1]), l).toBe(want.line);
      expect(m![2], l).toMatch(want.reason);
    });
    expect(out.slice(21)).toEqual([`… and ${plan.bad.length - 20} more`]);
    expect(r.stderr, 'no progress bar when stderr is not a terminal').toBe('');
  });

  it('brief subscribers count prints the bare number of active subscribers', async () => {
    const r = await run(['subscribers', 'count', 'daily', '--config', cfg]);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toBe(`${plan.active.size}\n`);
  });

  it('brief send --wait exits 0 once the edition is sent; every active address got exactly one copy', async () => {
    const r = await run(['send', 'daily', '--date', DATE, '--wait', '--config', cfg], 110_000);
    expect(r.code, shown(r) + `\n--- worker\n${worker.stderr()}`).toBe(0);
    expect(r.errLines[0]).toBe(`${EDITION}: queued; a running \`brief worker\` sends it`);
    const final = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(final).toMatchObject({ id: EDITION, state: 'sent', total: plan.active.size, sent: plan.active.size });

    const copies = sink.copies();
    expect(sink.messages).toHaveLength(plan.active.size);
    expect(new Set(copies.keys())).toEqual(plan.active);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    for (const gone of plan.unsubscribed) expect(copies.has(gone), gone).toBe(false);
    const ids = sink.messages.map((m) => m.header('Message-ID'));
    expect(ids.every((id) => /^<[^<>\s]+@[^<>\s]+>$/.test(id ?? '')), 'every message has a Message-ID').toBe(true);
    expect(new Set(ids).size, 'a distinct Message-ID per recipient').toBe(plan.active.size);
    for (const m of sink.messages) {
      expect(m.header('List-Unsubscribe'), m.rcpt[0]).toMatch(/<https:\/\/brief\.example\.org\/[^>\s]+>/);
      expect(m.header('List-Unsubscribe-Post'), m.rcpt[0]).toBe('List-Unsubscribe=One-Click');
    }

    const one = await sink.messages.find((m) => m.rcpt[0] === 'reader0002@example2.org')!.parse();
    expect(one.subject).toBe('The CLI Test Brief — Friday, 5 September 2025');
    expect(one.to && 'value' in one.to ? one.to.value[0] : undefined).toMatchObject({ address: 'reader0002@example2.org', name: 'Reader 2' });
    expect(one.html || '').toContain('rss-tb-end');
    expect(one.text || '').toContain('rss-tb-start-plus-1s');
    expect(one.text || '').not.toContain('rss-tb-end-plus-1s');
    expect(one.text || '').toContain('Reader 2');
  });

  let before = 0;
  let later: Promise<[RunResult, RunResult, RunResult]> | undefined;

  it('brief edition ID status --json has the fields of the contract, state "sent"', async () => {
    // The next test's commands start now, alongside this one: loading the app is most of
    // each command's time, and they do not depend on each other.
    before = sink.messages.length;
    later = Promise.all([
      run(['send', 'daily', '--date', DATE, '--config', cfg]),
      run(['editions', '--config', cfg]),
      run(['status', '--config', cfg]),
    ]);
    const r = await run(['edition', EDITION, 'status', '--json', '--config', cfg]);
    expect(r.code, shown(r)).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ['id', 'newsletter', 'date', 'state', 'total', 'sent', 'failed', 'suppressed', 'skipped', 'startedAt', 'finishedAt']) {
      expect(s, k).toHaveProperty(k);
    }
    expect(s).toMatchObject({
      id: EDITION, newsletter: 'daily', date: DATE, state: 'sent',
      total: plan.active.size, sent: plan.active.size, failed: 0, suppressed: 0, skipped: 0,
      sizeWarning: null,
    });
    expect(s.htmlPartBytes).toBeGreaterThan(1000);
    const started = Date.parse(String(s.startedAt));
    const finished = Date.parse(String(s.finishedAt));
    expect(finished).toBeGreaterThan(started);
    const perSecond = Number(s.sent) / ((finished - started) / 1000);
    console.log(`brief send: ${s.sent} messages in ${((finished - started) / 1000).toFixed(2)} s = ${perSecond.toFixed(0)} messages/s`);
  });

  it('a second send reports the existing edition and sends nothing; editions and status show it', async () => {
    expect(later, 'started by the previous test').toBeDefined();
    const [again, editions, status] = await later!;
    expect(again.code, shown(again)).toBe(0);
    expect(again.errLines).toEqual([`${EDITION}: already sent (no second send)`]);
    expect(again.stdout).toBe(`${EDITION}\n`);

    expect(editions.code, shown(editions)).toBe(0);
    expect(editions.stdout).toMatch(new RegExp(`^${EDITION}\\s+sent\\s+${plan.active.size}/${plan.active.size} sent, 0 failed`, 'm'));

    expect(status.code, shown(status)).toBe(0);
    expect(status.stdout).toMatch(/^queues:$/m);
    expect(status.stdout).toMatch(new RegExp(`^    last edition ${EDITION}: HTML part \\d+\\.\\d KB$`, 'm'));
    expect(status.stdout).toMatch(/^ {2}editions: .*completed 1\b/m);
    expect(status.stdout).toMatch(new RegExp(`^  send-batch: .*completed ${Math.ceil(plan.active.size / 200)}\\b`, 'm'));
    expect(status.stdout).toMatch(/^workers seen in the last 30 s: 1$/m);
    expect(status.stdout, 'the worker, as host-pid').toContain(`-${worker.child.pid} (last seen`);
    expect(status.stdout).toMatch(/^ {2}daily: "0 8 \* \* \*" in Asia\/Tbilisi; next run \d{4}-\d\d-\d\dT08:00:00\.000\+04:00$/m);

    // Give a wrongly enqueued second send (the worker is still running) 2 s to reach the SMTP server.
    await new Promise((r) => setTimeout(r, Math.max(0, again.endedAt + 2000 - Date.now())));
    expect(sink.messages.length).toBe(before);
  });

  it('SIGTERM stops the worker: exit 0 within a few seconds', async () => {
    const t0 = Date.now();
    worker.child.kill('SIGTERM');
    const { code, signal } = await worker.exited();
    expect({ code, signal }, worker.stderr()).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(worker.stderr()).toContain('SIGTERM: finishing the messages in flight');
    expect(worker.stderr(), 'no job failed and no worker error while sending').not.toMatch(/job failed|worker error|"level":(50|60)/);
  });
});
