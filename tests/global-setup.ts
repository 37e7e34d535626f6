/**
 * Makes sure the tests have a Redis: REDIS_URL if set, else a throwaway `redis-server`
 * on a free port (never anyone's data on 6379), stopped after the run.
 * BRIEF_TEST_TOPOLOGY=cluster or sentinel (what `npm run test:cluster` sets) starts a local
 * Redis Cluster (six nodes, one replica each) or a Sentinel set (a primary, a replica and
 * three Sentinels) instead, and points REDIS_URL at it.
 */
import { startThrowawayRedis } from './helpers/throwaway-redis.js';
import { startLocalTopology } from '../src/redis/local-topology.js';

export default async function setup(): Promise<() => Promise<void>> {
  const topology = process.env.BRIEF_TEST_TOPOLOGY;
  if (topology) {
    if (topology !== 'cluster' && topology !== 'sentinel') throw new Error(`BRIEF_TEST_TOPOLOGY: "${topology}" is not cluster or sentinel`);
    const t = await startLocalTopology(topology);
    process.env.REDIS_URL = t.url;
    return t.stop;
  }
  if (process.env.REDIS_URL) return async () => {};
  const redis = await startThrowawayRedis();
  process.env.REDIS_URL = redis.url;
  return redis.stop;
}
