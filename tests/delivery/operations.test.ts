import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { createApp, type WorkerRuntime } from '../../src/wiring.js';
import { readEnv } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/logger.js';

const ID = `daily-${FIXTURE_DATE}`;

describe('delivery operations', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function start(n: number, opts: Parameters<typeof testApp>[0] = {}) {
    const sink = new SmtpSink();
    const url = await sink.start();
    const t = await testApp({ smtpUrl: url, ...opts });
    cleanups.push(() => sink.stop(), () => t.cleanup());
    for (let i = 0; i < n; i++) await t.app.subscribers.add('daily', `r${i}@example.net`);
    return { t, sink };
  }

  const done = (t: TestApp) => async () => {
    const s = await t.app.service.status(ID);
    return s.state === 'sent' ? s : undefined;
  };

  it('holds the global rate across two worker processes sharing Redis', async () => {
    const { t, sink } = await start(30, { delivery: { ratePerSecond: 10, batchSize: 5, concurrency: 2 } });
    // A second App on the same Redis prefix stands for a worker on another machine.
    const other = createApp({ config: t.config, env: t.app.env, redisUrl: readEnvUrl(t), logger: silentLogger() });
    cleanups.push(() => other.close());
    const w1 = await t.app.startWorkers();
    const w2 = await other.startWorkers();
    cleanups.push(() => w1.close(), () => w2.close());
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(done(t), 30_000, 'sent');
    expect(sink.messages.length).toBe(30);
    // 10/s with a burst of 10: the other 20 messages need at least 2 s, whichever worker sends them.
    const s = await t.app.service.status(ID);
    const elapsed = Date.parse(s.finishedAt!) - Date.parse(s.startedAt!);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
  });

  it('signs with DKIM, List-Unsubscribe and List-Unsubscribe-Post included', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const sink = new SmtpSink();
    const url = await sink.start();
    const t = await testApp({ smtpUrl: url });
    cleanups.push(() => sink.stop(), () => t.cleanup());
    writeFileSync(path.join(t.dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const config = parseConfig(
      {
        newsletters: [{ ...rawNewsletter(t) }],
        dkim: { domainName: 'example.org', keySelector: 'brief', privateKeyFile: './dkim.pem' },
      },
      path.join(t.dir, 'brief.config.json'),
    );
    const app = createApp({ config, env: t.app.env, redisUrl: readEnvUrl(t), logger: silentLogger() });
    cleanups.push(() => app.close());
    await app.subscribers.add('daily', 'signed@example.net');
    const w = await app.startWorkers();
    cleanups.push(() => w.close());
    await app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await app.service.status(ID)).state === 'sent', 20_000, 'sent');
    const head = sink.messages[0]!.head.replace(/\r?\n[ \t]+/g, ' ');
    const sig = /^DKIM-Signature: (.*)$/im.exec(head)?.[1] ?? '';
    expect(sig).toMatch(/d=example\.org/);
    expect(sig).toMatch(/s=brief/);
    const signed = /(?:^|;\s*)h=([^;]+)/.exec(sig)![1]!.toLowerCase().replace(/\s/g, '').split(':');
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'from', 'subject']));
  });

  it('refuses to start sending over SMTP without a secret of 16 bytes', async () => {
    const t = await testApp({ smtpUrl: 'smtp://127.0.0.1:1' });
    cleanups.push(() => t.cleanup());
    const env = readEnv({ REDIS_URL: readEnvUrl(t), SMTP_URL: 'smtp://127.0.0.1:1', BRIEF_PREFIX: t.prefix, BRIEF_SECRET: 'short' });
    const app = createApp({ config: t.config, env, redisUrl: readEnvUrl(t), logger: silentLogger() });
    cleanups.push(() => app.close());
    await expect(app.startWorkers()).rejects.toMatchObject({ code: 'ESECRET' });
    const none = createApp({ config: t.config, env: { ...env, secret: undefined }, redisUrl: readEnvUrl(t), logger: silentLogger() });
    cleanups.push(() => none.close());
    await expect(none.startWorkers()).rejects.toMatchObject({ code: 'ESECRET' });
  });

  it('keeps one scheduler per newsletter across redeploys and removes a newsletter that left the config', async () => {
    const t = await testApp();
    cleanups.push(() => t.cleanup());
    let w: WorkerRuntime | undefined;
    for (let i = 0; i < 5; i++) {
      w = await t.app.startWorkers();
      await w.close();
    }
    expect(await t.app.editionsQueue.getJobSchedulersCount()).toBe(1);
    const delayed = await t.app.editionsQueue.getJobCounts('delayed');
    expect(delayed.delayed).toBe(1);
    // The newsletter is renamed: the old scheduler goes, the new one comes.
    const config = parseConfig({ newsletters: [{ ...rawNewsletter(t), id: 'morning' }] }, path.join(t.dir, 'brief.config.json'));
    const app = createApp({ config, env: t.app.env, redisUrl: readEnvUrl(t), logger: silentLogger() });
    cleanups.push(() => app.close());
    const w2 = await app.startWorkers();
    await w2.close();
    const ids = (await app.editionsQueue.getJobSchedulers(0, -1)).map((s) => s.key);
    expect(ids).toEqual(['edition-morning']);
  });

  it("three workers' schedulers fire once per occurrence: one job for each, none skipped", async () => {
    // Every 2 s; three Apps on the same Redis prefix stand for three `brief worker` machines,
    // each upserting the same scheduler and each polling the same queue.
    const t = await testApp({ schedule: '*/2 * * * * *', newsletter: { sources: [{ type: 'rss', url: './feed.xml', shiftToWindow: true }] } });
    cleanups.push(() => t.cleanup());
    const others = [0, 1].map(() => createApp({ config: t.config, env: t.app.env, redisUrl: readEnvUrl(t), logger: silentLogger() }));
    for (const o of others) cleanups.push(() => o.close());
    const workers = await Promise.all([t.app, ...others].map((a) => a.startWorkers()));
    const fired = async () => {
      const jobs = await t.app.editionsQueue.getJobs(['completed', 'failed', 'active', 'waiting', 'prioritized']);
      return jobs.filter((j) => j.id?.startsWith('repeat:edition-daily:'));
    };
    await waitFor(async () => ((await fired()).length >= 4 ? true : undefined), 20_000, 'four occurrences');
    await Promise.all(workers.map((w) => w.close()));
    const jobs = await fired();
    const at = jobs.map((j) => Number(j.id!.split(':').pop())).sort((a, b) => a - b);
    // One job per occurrence (the id is the occurrence's time), each 2 s after the last: no
    // occurrence made two jobs, none was skipped while the three raced to schedule the next.
    expect(new Set(at).size).toBe(at.length);
    expect(at.slice(1).map((x, i) => x - at[i]!)).toEqual(at.slice(1).map(() => 2000));
    for (const j of jobs.filter((x) => x.finishedOn)) expect(j.attemptsMade, `job ${j.id}`).toBe(1);
    expect(await t.app.editionsQueue.getJobSchedulersCount()).toBe(1);
    expect((await t.app.editionsQueue.getJobCounts('delayed')).delayed).toBe(1);
  });

  it('a graceful stop mid-batch records what was in flight and the restart sends the rest once', async () => {
    const { t, sink } = await start(60, { delivery: { batchSize: 60, poolSize: 2, concurrency: 1 } });
    sink.faults = { delayMs: 30 };
    const w1 = await t.app.startWorkers();
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => sink.messages.length >= 10, 20_000, 'first messages');
    await w1.close();
    const afterStop = await t.app.service.status(ID);
    // Everything accepted so far is recorded: nothing in the acceptance window after a graceful stop.
    expect(afterStop.sent).toBe(sink.messages.length);
    expect(afterStop.state).toBe('sending');
    const w2 = await t.app.startWorkers();
    cleanups.push(() => w2.close());
    const s = await waitFor(done(t), 30_000, 'sent after restart');
    expect(s.sent).toBe(60);
    const copies = sink.copies();
    expect(copies.size).toBe(60);
    expect([...copies.values()].every((c) => c === 1)).toBe(true);
  });
});

function readEnvUrl(t: TestApp): string {
  return process.env.REDIS_URL ?? t.app.env.redisUrl!;
}

function rawNewsletter(t: TestApp): Record<string, unknown> {
  const n = t.config.newsletters[0]!;
  return {
    id: n.id, title: n.title, from: n.from, timezone: n.timezone, schedule: n.schedule, lists: n.lists,
    sources: [{ type: 'rss', url: './feed.xml' }],
  };
}

describe('an edition that failed before sending', () => {
  it('is tried again when asked again, and sends once the feed has news', async () => {
    const sink = new SmtpSink();
    const url = await sink.start();
    const t = await testApp({ smtpUrl: url });
    try {
      await t.app.subscribers.add('daily', 'late@example.net');
      // The feed has nothing yet for the next day's window.
      const w = await t.app.startWorkers();
      try {
        const first = await t.app.service.request('daily', '2025-09-06');
        expect(first.created).toBe(true);
        const failed = await waitFor(async () => {
          const s = await t.app.service.status('daily-2025-09-06');
          return s.state === 'failed' ? s : undefined;
        }, 20_000, 'failed edition');
        expect(failed.error).toMatch(/no new articles/);
        writeFileSync(
          t.feedFile,
          readFileSync(t.feedFile, 'utf8').replace(
            '</channel>',
            '<item><title>Late news</title><link>https://news.example.org/late</link><guid>late</guid><pubDate>Fri, 05 Sep 2025 20:00:00 +0400</pubDate></item></channel>',
          ),
        );
        const again = await t.app.service.request('daily', '2025-09-06');
        expect(again.created).toBe(false);
        const s = await waitFor(async () => {
          const x = await t.app.service.status('daily-2025-09-06');
          return x.state === 'sent' ? x : undefined;
        }, 20_000, 'sent on retry');
        expect(s.sent).toBe(1);
        expect(sink.messages.length).toBe(1);
      } finally {
        await w.close();
      }
    } finally {
      await t.cleanup();
      await sink.stop();
    }
  });
});
