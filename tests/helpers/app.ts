import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { readEnv } from '../../src/config/env.js';
import type { BriefConfig } from '../../src/config/schema.js';
import { createApp, type App } from '../../src/wiring.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { testRedis, deleteByPrefix } from './redis.js';
import type { RedisClient } from '../../src/redis/connect.js';

export const FIXTURE_DATE = '2025-09-05';
export const FIXTURE_FEED = path.resolve(import.meta.dirname, '../fixtures/delivery/feed.xml');

export interface TestAppOptions {
  smtpUrl?: string;
  delivery?: Record<string, unknown>;
  lists?: string[];
  schedule?: string;
  timezone?: string;
  /** Extra raw config for the newsletter. */
  newsletter?: Record<string, unknown>;
  /** Extra raw top-level config (e.g. `bounces`). */
  config?: Record<string, unknown>;
  /** Compile in a child process, as `brief worker` does. */
  compileInChild?: boolean;
  /** The App's connection, instead of one made from REDIS_URL (closed by the App). */
  redis?: RedisClient;
  /** Extra environment (e.g. BRIEF_ADMIN_TOKEN). */
  env?: Record<string, string>;
  /** The App's logger (silent unless given: a test that reads log lines passes its own). */
  logger?: Logger;
}

export interface TestApp {
  app: App;
  config: BriefConfig;
  dir: string;
  feedFile: string;
  prefix: string;
  /** Another App on the same config, Redis and prefix (a restarted process); the caller closes it. */
  another(): App;
  cleanup(): Promise<void>;
}

/** A full App (real Redis under a fresh prefix, real transport) around a copy of the fixture feed. */
export async function testApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-test-'));
  const feedFile = path.join(dir, 'feed.xml');
  copyFileSync(FIXTURE_FEED, feedFile);
  const raw = {
    newsletters: [
      {
        id: 'daily',
        title: 'The Test Brief',
        from: 'The Test Brief <brief@example.org>',
        timezone: opts.timezone ?? 'Asia/Tbilisi',
        schedule: opts.schedule ?? '0 8 * * *',
        lists: opts.lists ?? ['daily'],
        sources: [{ type: 'rss', url: './feed.xml' }],
        sections: [{ title: 'Georgia', tags: ['Georgia'] }],
        ...opts.newsletter,
      },
    ],
    delivery: { batchSize: 50, poolSize: 3, attempts: 4, backoffMs: 50, lockDurationMs: 5000, ...opts.delivery },
    outboxDir: './outbox',
    ...opts.config,
  };
  const config = parseConfig(raw, path.join(dir, 'brief.config.json'));
  const t = await testRedis();
  const env = readEnv({
    REDIS_URL: t.url,
    SMTP_URL: opts.smtpUrl,
    BRIEF_SECRET: 'test-secret-0123456789abcdef',
    BRIEF_PREFIX: t.prefix,
    PUBLIC_URL: 'https://brief.example.org',
    ...opts.env,
  });
  const app = createApp({ config, env, redisUrl: t.url, logger: opts.logger ?? silentLogger(), compileInChild: opts.compileInChild, redis: opts.redis });
  return {
    app,
    config,
    dir,
    feedFile,
    prefix: t.prefix,
    another: () => createApp({ config, env, redisUrl: t.url, logger: silentLogger(), compileInChild: opts.compileInChild }),
    async cleanup() {
      await app.close();
      await deleteByPrefix(t.redis, t.prefix);
      await t.redis.quit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs workers until the newsletter's edition of `date` is sent, then stops them. */
export async function sendEdition(t: TestApp, date: string = FIXTURE_DATE, timeoutMs = 30_000): Promise<void> {
  const w = await t.app.startWorkers();
  try {
    await t.app.service.request('daily', date);
    await waitFor(async () => (await t.app.service.status(`daily-${date}`)).state === 'sent', timeoutMs, `edition daily-${date} sent`);
  } finally {
    await w.close();
  }
}
