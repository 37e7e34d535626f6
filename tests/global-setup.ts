/**
 * Makes sure the tests have a Redis: REDIS_URL if set, else a throwaway `redis-server`
 * on a free port (never anyone's data on 6379), stopped after the run.
 */
import { startThrowawayRedis } from './helpers/throwaway-redis.js';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) return async () => {};
  const redis = await startThrowawayRedis();
  process.env.REDIS_URL = redis.url;
  return redis.stop;
}
