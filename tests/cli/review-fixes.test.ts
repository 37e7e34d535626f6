/**
 * The command-line findings of the outside review (issue 10), run as a user runs them: the
 * built `brief`, a real Redis, a real SMTP sink.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { brief, briefInBackground, newsletter, shown, tempDir, writeConfig, SECRET } from './brief.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;
let cfg: string;
let sink: SmtpSink;
let smtpUrl: string;
const run = (args: string[], extra: Record<string, string> = {}, smtp?: string) =>
  brief(args, { cwd: tmp.dir, prefix: redis.prefix, extra, smtpUrl: smtp });

beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir(['rss.xml']);
  cfg = writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({})] });
  sink = new SmtpSink();
  smtpUrl = await sink.start();
});

afterAll(async () => {
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  await sink?.stop();
  tmp.cleanup();
});

describe.concurrent('links: the secret and PUBLIC_URL are checked before anything starts', { timeout: 120_000 }, () => {
  it('brief server with SMTP_URL and no BRIEF_SECRET refuses to start, with one line', async ({ expect }) => {
    const r = await run(['server', '--config', cfg], { BRIEF_SECRET: '', PORT: '0' }, smtpUrl);
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines.filter((l) => l.startsWith('brief: ')), shown(r)).toEqual([
      'brief: BRIEF_SECRET must be set (at least 16 bytes) when SMTP_URL is set: it signs the unsubscribe links of real mail',
    ]);
  });

  it('with SMTP_URL, PUBLIC_URL must be set and https (loopback excepted) for worker, start, send and test-send', async ({ expect }) => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['worker', '--config', cfg], { PUBLIC_URL: '' }, /^brief: PUBLIC_URL must be set when SMTP_URL is set/],
      [['start', '--config', cfg], { PUBLIC_URL: 'http://news.example.org' }, /^brief: PUBLIC_URL: "http:\/\/news\.example\.org" must be https/],
      [['send', '--config', cfg, '--date', '2025-09-05'], { PUBLIC_URL: '' }, /^brief: PUBLIC_URL must be set/],
      [['test-send', '--config', cfg, '--to', 'ed@example.org'], { PUBLIC_URL: 'http://news.example.org' }, /must be https/],
    ];
    const results = await Promise.all(cases.map(([args, extra]) => run(args, { ...extra, PORT: '0' }, smtpUrl)));
    results.forEach((r, i) => {
      expect(r.code, shown(r)).toBe(1);
      expect(r.errLines, shown(r)).toHaveLength(1);
      expect(r.errLines[0], shown(r)).toMatch(cases[i]![2]);
    });
    expect(sink.messages).toHaveLength(0);
  });
});

describe('one secret for every process on a Redis', { timeout: 120_000 }, () => {
  it('a process without BRIEF_SECRET refuses when the others sign with one', async ({ expect }) => {
    // A worker that signs with BRIEF_SECRET (no SMTP: the outbox), started and stopped.
    const worker = briefInBackground(['worker', '--config', cfg], { cwd: tmp.dir, prefix: redis.prefix, extra: { PORT: '0' } });
    await worker.waitForStderr(/worker \S+ running/, 90_000);
    worker.child.kill('SIGTERM');
    expect((await worker.exited()).code).toBe(0);
    const server = await run(['server', '--config', cfg], { BRIEF_SECRET: '', PORT: '0' });
    expect(server.code, shown(server)).toBe(1);
    expect(server.errLines, shown(server)).toHaveLength(1);
    expect(server.errLines[0]).toMatch(/^brief: BRIEF_SECRET is unset, but other processes on this Redis sign links with one \(fingerprint [0-9a-f]{16}\)/);
    expect(server.stderr).not.toContain(SECRET);
    const other = await run(['server', '--config', cfg], { BRIEF_SECRET: 'another-secret-of-32-bytes-abcdef', PORT: '0' });
    expect(other.code, shown(other)).toBe(1);
    expect(other.errLines[0]).toMatch(/^brief: BRIEF_SECRET differs from the one other processes on this Redis sign links with/);
    expect(other.stderr).not.toContain('another-secret');
  });
});

describe.concurrent('bad input never echoes raw bytes, and a BOM is fine', { timeout: 120_000 }, () => {
  it('a config with a UTF-8 BOM is read', async ({ expect }) => {
    const file = path.join(tmp.dir, 'bom.config.json');
    writeFileSync(file, `\ufeff${JSON.stringify({ newsletters: [newsletter({})] })}`);
    const r = await run(['preview', '--date', '2025-09-05', '--config', file]);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/i);
  });

  it('/dev/zero, a directory, a binary file and broken JSON are one line each that quotes nothing of the file', async ({ expect }) => {
    const binary = path.join(tmp.dir, 'binary.json');
    writeFileSync(binary, Buffer.from([0x7b, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0xff, 0xfe, 0x0d, 0x0a]));
    const secretish = path.join(tmp.dir, 'secretish.json');
    writeFileSync(secretish, '{"newsletters": [ "password-hunter2" oops ]}');
    const rs = await Promise.all([
      run(['preview', '--config', '/dev/zero']),
      run(['preview', '--config', tmp.dir]),
      run(['preview', '--config', binary]),
      run(['preview', '--config', secretish]),
    ]);
    for (const r of rs) {
      expect(r.code, shown(r)).toBe(1);
      expect(r.errLines, shown(r)).toHaveLength(1);
      expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(r.ms).toBeLessThan(20_000);
    }
    expect(rs[0]!.errLines[0]).toBe('brief: /dev/zero: is not a regular file');
    expect(rs[1]!.errLines[0]).toMatch(/is a directory/);
    expect(rs[2]!.errLines[0]).toMatch(/binary\.json: not (UTF-8 text|a text file)/);
    expect(rs[3]!.errLines[0]).toBe('brief: secretish.json: not valid JSON at line 1, column 38 (invalid symbol)');
    expect(rs[3]!.stderr).not.toContain('hunter2');
  });

  it('test-send --to with CR/LF is one escaped line', async ({ expect }) => {
    const r = await run(['test-send', '--config', cfg, '--date', '2025-09-05', '--to', 'a@x\r\nBcc: z@y'], {}, smtpUrl);
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines, shown(r)).toEqual(['brief: --to: "a@x\\r\\nBcc: z@y" is not a valid email address']);
  });

  it('from, replyTo and unsubscribeMailbox must each be one mailbox', async ({ expect }) => {
    const bad = writeConfig(tmp.dir, 'mailbox.config.json', {
      newsletters: [
        newsletter({
          from: 'Brief <brief@example.org>, other@example.org',
          replyTo: 'a@example.org\r\nBcc: b@example.org',
          unsubscribeMailbox: 'Leave: a@example.org, b@example.org;',
        }),
      ],
    });
    const r = await run(['preview', '--date', '2025-09-05', '--config', bad]);
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines, shown(r)).toEqual([
      'brief: mailbox.config.json: newsletters[0].from: holds 2 addresses (one address such as "Name <brief@example.org>")',
      'brief: mailbox.config.json: newsletters[0].replyTo: must not contain control characters or line breaks (one address such as "Desk <desk@example.org>")',
      'brief: mailbox.config.json: newsletters[0].unsubscribeMailbox: is an address group (one address such as "unsubscribe@example.org")',
    ]);
  });

  it('a BRIEF_ADMIN_TOKEN shorter than 16 bytes is refused', async ({ expect }) => {
    const r = await run(['server', '--config', cfg], { BRIEF_ADMIN_TOKEN: 'x', PORT: '0' });
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines[0]).toMatch(/^brief: BRIEF_ADMIN_TOKEN must be at least 16 bytes/);
  });
});
