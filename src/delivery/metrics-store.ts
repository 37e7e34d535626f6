import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';

export const METRIC_NAMES = ['sent', 'failed', 'failed_temporary', 'failed_permanent', 'suppressed', 'unsubscribes', 'feed_errors', 'bounces_hard', 'bounces_soft', 'complaints'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Cluster-wide counters in one Redis hash (`name|newsletter` → count), so any server
 * instance's /metrics tells the truth while the workers run on other machines.
 */
export class MetricsStore {
  constructor(private readonly deps: { redis: RedisClient; keys: Keys }) {}

  /** Fire and forget: a lost increment must never fail a send (auto-pipelined by ioredis). */
  incr(name: MetricName, newsletter: string, by = 1): void {
    this.deps.redis.hincrby(this.deps.keys.metrics(), `${name}|${newsletter}`, by).catch(() => {});
  }

  /** One source of a newsletter failed to read (brief_feed_errors_total{newsletter,source}). */
  incrFeedError(newsletter: string, source: string): void {
    this.deps.redis.hincrby(this.deps.keys.metrics(), `feed_errors|${newsletter}|${source}`, 1).catch(() => {});
  }

  async read(): Promise<Array<{ name: MetricName; newsletter: string; value: number; source?: string }>> {
    const h = await this.deps.redis.hgetall(this.deps.keys.metrics());
    return Object.entries(h).map(([k, v]) => {
      const [name, newsletter, ...rest] = k.split('|') as [MetricName, string, ...string[]];
      // A source's label may itself hold "|": everything after the newsletter is the source.
      return { name, newsletter, value: Number(v), ...(rest.length ? { source: rest.join('|') } : {}) };
    });
  }
}
