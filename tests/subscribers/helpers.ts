import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import { SubscriberStore } from '../../src/subscribers/index.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import type { StatusCounts } from '../../src/subscribers/index.js';

/** Counts the statuses by walking the records themselves, to check the stored counters against. */
export async function recount(store: SubscriberStore, list: string): Promise<StatusCounts> {
  const counts: StatusCounts = { active: 0, unsubscribed: 0, bounced: 0, complained: 0, pending: 0 };
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const page = await store.scan(list, cursor, 500);
    for (const s of page.subscribers) {
      if (seen.has(s.email)) continue;
      seen.add(s.email);
      counts[s.status]++;
    }
    cursor = page.cursor;
  } while (cursor !== '0');
  return counts;
}

/** A writable that keeps what is written, standing in for stdout/stderr. */
export function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export const fixture = (name: string): string => new URL(`../fixtures/csv/${name}`, import.meta.url).pathname;

/**
 * A fresh Redis prefix and SubscriberStore for each test of the calling file, cleaned up after
 * it. Read `.t` and `.store` inside tests (they change per test).
 */
export function storePerTest(): { t: TestRedis; store: SubscriberStore } {
  const fx = {} as { t: TestRedis; store: SubscriberStore };
  beforeEach(async () => {
    fx.t = await testRedis();
    fx.store = new SubscriberStore({ redis: fx.t.redis, keys: fx.t.keys });
  });
  afterEach(async () => {
    await fx.t.cleanup();
  });
  return fx;
}
