import { randomUUID } from 'node:crypto';
import { createRedis, primaries, type RedisClient } from '../../src/redis/connect.js';
import { makeKeys, type Keys } from '../../src/keys.js';

/** Each test gets its own key prefix, so tests never see each other's keys. */
export interface TestRedis {
  redis: RedisClient;
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

/**
 * Deletes every key under `prefix:`. SCAN walks one server's keys, so on a Cluster it runs
 * on each primary, and each key is unlinked on its own (keys of one SCAN page lie in many
 * slots, and a multi-key UNLINK must stay in one).
 */
export async function deleteByPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const node of await primaries(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (found.length) await Promise.all(found.map((k) => node.unlink(k)));
    } while (cursor !== '0');
  }
}

export async function testRedis(): Promise<TestRedis> {
  const url = redisUrl();
  const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const redis = createRedis(url);
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
