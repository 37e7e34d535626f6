import { Redis, type RedisOptions } from 'ioredis';
import { BriefError } from '../errors.js';
import { redactCredentials } from '../redact-credentials.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The client type every store, script and service takes. One name for it, so that the
 * connection factory can hand out a Cluster or Sentinel client without each module
 * naming ioredis' classes.
 */
export type RedisClient = Redis;

/** Hides a password in a Redis URL before it goes into a message or a log. */
export function redactUrl(url: string): string {
  return redactCredentials(url);
}

/**
 * A connection for commands and services. `maxRetriesPerRequest: null` because BullMQ
 * requires it for blocking connections and because a command issued while Redis restarts
 * should wait for the reconnect rather than fail half-way through a batch.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true, ...opts });
}

/**
 * Connects and pings once, failing fast with one line when nothing answers: a CLI command
 * against a stopped Redis should say so, not hang.
 */
export async function connectRedis(url: string, timeoutMs = 3000): Promise<Redis> {
  const redis = createRedis(url, { lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new BriefError(
      'EREDIS',
      `cannot reach Redis at ${redactUrl(url)} (${(err as Error).message}); start redis-server or set REDIS_URL`,
      { cause: err },
    );
  }
  // From here on, reconnect forever: a running command outlives a Redis restart.
  redis.options.retryStrategy = (times: number) => Math.min(times * 200, 2000);
  return redis;
}

/** True when something answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const r = await connectRedis(url, timeoutMs);
    r.disconnect();
    return true;
  } catch {
    return false;
  }
}
