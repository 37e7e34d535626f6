import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { makeKeys, type Keys } from '../../src/keys.js';

/** Each test gets its own key prefix, so tests never see each other's keys. */
export interface TestRedis {
  redis: Redis;
  keys: Keys;
  prefix: string;
  url: string;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup: () => Promise<void>;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is unset: run the tests with `npm test` (tests/global-setup.ts starts a Redis)');
  return url;
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.unlink(...found);
  } while (cursor !== '0');
}

export async function testRedis(): Promise<TestRedis> {
  const url = redisUrl();
  const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const keys = makeKeys(prefix);
  return {
    redis,
    keys,
    prefix,
    url,
    cleanup: async () => {
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    },
  };
}
