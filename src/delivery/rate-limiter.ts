import type { RedisClient } from '../redis/connect.js';
import { LuaScript } from '../redis/lua-script.js';

// GCRA: one key holds the "theoretical arrival time". Each call reserves one slot and
// answers how long to wait for it, so every worker on every machine shares one rate.
const gcra = new LuaScript(
  'gcra',
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now - burst * interval
if wait < 0 then wait = 0 end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now + 1000))
return wait`,
);

export interface RateLimiterOptions {
  /** Messages per second across the cluster; 0 disables the limiter. */
  ratePerSecond: number;
  /** How many messages may go at once after an idle spell. @defaultValue 1 second's worth */
  burst?: number;
}

/** A cluster-wide rate limit on messages, kept in Redis (Redis's clock, not the workers'). */
export class RateLimiter {
  private readonly interval: number;
  private readonly burst: number;

  constructor(private readonly deps: { redis: RedisClient; key: string }, private readonly opts: RateLimiterOptions) {
    this.interval = opts.ratePerSecond > 0 ? 1000 / opts.ratePerSecond : 0;
    this.burst = opts.burst ?? Math.max(0, Math.floor(opts.ratePerSecond) - 1);
  }

  get enabled(): boolean {
    return this.interval > 0;
  }

  /** Waits until one message may go. */
  async acquire(): Promise<void> {
    if (!this.enabled) return;
    const wait = Number(await gcra.run(this.deps.redis, [this.deps.key], [this.interval, this.burst]));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
