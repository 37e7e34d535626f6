import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';

export const METRIC_NAMES = ['sent', 'failed', 'failed_temporary', 'failed_permanent', 'suppressed', 'unsubscribes', 'bounces_hard', 'bounces_soft', 'complaints'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Cluster-wide counters in one Redis hash (`name|newsletter` → count), so any server
 * instance's /metrics tells the truth while the workers run on other machines.
 */
export class MetricsStore {
  constructor(private readonly deps: { redis: Redis; keys: Keys }) {}

  /** Fire and forget: a lost increment must never fail a send (auto-pipelined by ioredis). */
  incr(name: MetricName, newsletter: string, by = 1): void {
    this.deps.redis.hincrby(this.deps.keys.metrics(), `${name}|${newsletter}`, by).catch(() => {});
  }

  async read(): Promise<Array<{ name: MetricName; newsletter: string; value: number }>> {
    const h = await this.deps.redis.hgetall(this.deps.keys.metrics());
    return Object.entries(h).map(([k, v]) => {
      const [name, newsletter] = k.split('|') as [MetricName, string];
      return { name, newsletter, value: Number(v) };
    });
  }
}
