import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createRedis } from '../../../src/redis/connect.js';
import { loadConfig } from '../../../src/config/load.js';
import { readEnv } from '../../../src/config/env.js';
import { createApp, type App } from '../../../src/wiring.js';
import { silentLogger } from '../../../src/logger.js';
import type { EditionStatus } from '../../../src/delivery/edition-store.js';
import { deleteByPrefix, redisUrl } from '../../helpers/redis.js';
import { FIXTURE_DATE, FIXTURE_FEED } from '../../helpers/app.js';
import { ProcessGroup, assertBuilt } from './processes.js';

export { FIXTURE_DATE };
export const EDITION = `daily-${FIXTURE_DATE}`;
export const SECRET = 'chaos-secret-0123456789abcdef';
export const PUBLIC_URL = 'https://brief.example.org';

export interface ChaosEnvOptions {
  /** Redis for the App and the worker processes. @defaultValue REDIS_URL (tests/global-setup.ts) */
  redisUrl?: string;
  smtpUrl?: string;
  delivery?: Record<string, unknown>;
  /** Merged over the newsletter of the config. */
  newsletter?: Record<string, unknown>;
  /** Extra top-level config keys. */
  config?: Record<string, unknown>;
  /** The feed copied to ./feed.xml beside the config. @defaultValue tests/fixtures/delivery/feed.xml */
  feed?: string;
  /** Extra environment for the processes (BRIEF_ADMIN_TOKEN…). */
  env?: Record<string, string>;
}

/**
 * One scenario's world: a config file on disk (what `brief worker --config` reads), an App
 * in the test process on the same Redis prefix (to seed, ask and watch), and a group of
 * `brief` processes. `cleanup` kills every process, then deletes the prefix and the folder.
 */
export interface ChaosEnv {
  app: App;
  dir: string;
  configFile: string;
  feedFile: string;
  prefix: string;
  redisUrl: string;
  /** The environment the `brief` processes get. */
  env: NodeJS.ProcessEnv;
  procs: ProcessGroup;
  /** Another App on the same prefix (another "machine"); closed by cleanup. */
  otherApp(): App;
  status(id?: string): Promise<EditionStatus>;
  cleanup(): Promise<void>;
}

export function rawConfig(opts: ChaosEnvOptions): Record<string, unknown> {
  return {
    newsletters: [
      {
        id: 'daily',
        title: 'The Chaos Brief',
        from: 'The Chaos Brief <brief@example.org>',
        timezone: 'Asia/Tbilisi',
        schedule: '0 8 * * *',
        lists: ['daily'],
        sources: [{ type: 'rss', url: './feed.xml' }],
        sections: [{ title: 'Georgia', tags: ['Georgia'] }],
        ...opts.newsletter,
      },
    ],
    delivery: { batchSize: 100, poolSize: 3, concurrency: 2, attempts: 8, backoffMs: 50, lockDurationMs: 2000, ...opts.delivery },
    outboxDir: './outbox',
    ...opts.config,
  };
}

export async function chaosEnv(opts: ChaosEnvOptions = {}): Promise<ChaosEnv> {
  assertBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-chaos-'));
  const feedFile = path.join(dir, 'feed.xml');
  copyFileSync(opts.feed ?? FIXTURE_FEED, feedFile);
  const configFile = path.join(dir, 'brief.config.json');
  writeFileSync(configFile, JSON.stringify(rawConfig(opts), null, 2));
  const url = opts.redisUrl ?? redisUrl();
  const prefix = `c${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const vars: Record<string, string> = {
    REDIS_URL: url,
    BRIEF_PREFIX: prefix,
    BRIEF_SECRET: SECRET,
    PUBLIC_URL: PUBLIC_URL,
    ...(opts.smtpUrl ? { SMTP_URL: opts.smtpUrl } : {}),
    ...opts.env,
  };
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...vars };
  delete env.DEBUG;
  if (!opts.smtpUrl) delete env.SMTP_URL;
  const config = loadConfig(configFile);
  const briefEnv = readEnv(vars);
  const make = () => {
    const a = createApp({ config, env: briefEnv, redisUrl: url, logger: silentLogger() });
    // Queues print connection errors unless someone listens; a Redis restart is expected here.
    a.editionsQueue.on('error', () => {});
    a.batchQueue.on('error', () => {});
    return a;
  };
  const app = make();
  const others: App[] = [];
  const procs = new ProcessGroup(env, dir);
  return {
    app,
    dir,
    configFile,
    feedFile,
    prefix,
    redisUrl: url,
    env,
    procs,
    otherApp() {
      const a = make();
      others.push(a);
      return a;
    },
    status: (id = EDITION) => app.service.status(id),
    async cleanup() {
      await procs.killAll();
      await Promise.allSettled([app, ...others].map((a) => a.close()));
      const r = createRedis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
      r.on('error', () => {});
      await deleteByPrefix(r, prefix).catch(() => {});
      r.disconnect();
      if (process.env.CHAOS_KEEP_LOGS) console.info(`[chaos] logs kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds `n` active subscribers to a list, 1,000 per round trip; returns their addresses. */
export async function seed(app: App, n: number, list = 'daily', name = (i: number) => `Reader ${i}`): Promise<string[]> {
  const addresses = Array.from({ length: n }, (_, i) => `reader${i}@example.net`);
  for (let i = 0; i < n; i += 1000) {
    await app.subscribers.upsertMany(
      list,
      addresses.slice(i, i + 1000).map((address, j) => ({ address, name: name(i + j) })),
    );
  }
  return addresses;
}

/** Polls `fn` until it returns something truthy; fails after `timeoutMs` with `what` and `detail()`. */
export async function until<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string,
  detail?: () => Promise<string> | string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${await detail()}` : ''}`);
    }
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with CHAOS_SEED. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chaosSeed(): number {
  const fromEnv = Number(process.env.CHAOS_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}
