/**
 * Issue 3: `brief test-send NEWSLETTER --to ADDR... [--date D]` sends to those addresses
 * only, with the subject marked as a test, and records nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brief, newsletter, shown, tempDir, writeConfig } from './brief.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';

const DATE = '2025-09-05';
let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;
let sink: SmtpSink;
let cfg: string;

beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir(['rss.xml']);
  sink = new SmtpSink();
  await sink.start();
  cfg = writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({})] });
});

afterAll(async () => {
  await sink.stop();
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  tmp.cleanup();
});

describe('brief test-send', { timeout: 120_000 }, () => {
  it('sends to the given addresses only, subject marked [TEST], and records no edition', async () => {
    // A subscriber on the list, who must not get the test.
    const env = { cwd: tmp.dir, prefix: redis.prefix, smtpUrl: sink.url };
    const add = await brief(['subscribers', 'add', 'daily', 'subscriber@example.org', '--config', cfg], env);
    expect(add.code, shown(add)).toBe(0);

    const r = await brief(['test-send', 'daily', '--to', 'a@example.net', 'B@Example.net', '--date', DATE, '--config', cfg], env);
    expect(r.code, shown(r)).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^a@example\.net: 250 .*<[^<>\s]+@[^<>\s]+>$/);
    expect(lines[1]).toMatch(/^b@example\.net: 250 .*<[^<>\s]+@[^<>\s]+>$/);

    expect(sink.messages).toHaveLength(2);
    expect([...sink.copies().entries()].sort()).toEqual([['a@example.net', 1], ['b@example.net', 1]]);
    for (const m of sink.messages) {
      const p = await m.parse();
      expect(p.subject).toBe('[TEST] The CLI Test Brief — Friday, 5 September 2025');
      expect(p.text).toContain('rss-tb-end');
      expect(m.head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    }

    const [editions, json, count] = await Promise.all([
      brief(['editions', '--config', cfg], env),
      brief(['editions', 'daily', '--json', '--config', cfg], env),
      brief(['subscribers', 'count', 'daily', '--config', cfg], env),
    ]);
    expect(editions.code, shown(editions)).toBe(0);
    expect(editions.stdout).toBe('');
    expect(editions.errLines).toEqual(['no editions yet']);
    expect(json.code, shown(json)).toBe(0);
    expect(json.stdout).toBe('');
    expect(count.stdout).toBe('1\n');

    // Nothing in the ledgers: no edition record and no article marked as sent.
    expect(await redis.redis.exists(redis.keys.sentArticles('daily'))).toBe(0);
    expect(await redis.redis.exists(redis.keys.edition(`daily-${DATE}`))).toBe(0);
  });
});
