import { createHash } from 'node:crypto';
import type { RedisClient } from './connect.js';

/**
 * A Lua script run by SHA, loaded on the first NOSCRIPT (after a Redis restart too).
 * Every key a script touches is passed in KEYS and shares one hash tag, so the script is
 * valid on Redis Cluster.
 */
export class LuaScript {
  /** Every script the project defines (tests/redis/slots.test.ts checks each one's keys). */
  static readonly all: LuaScript[] = [];
  readonly sha: string;
  constructor(readonly name: string, readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
    LuaScript.all.push(this);
  }

  async run<T = unknown>(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<T> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return (await redis.eval(this.lua, keys.length, ...keys, ...args)) as T;
    }
  }
}
