import type { RedisClient } from '../redis/connect.js';
import type { CliContext } from './context.js';
import { readEnv } from '../config/env.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { BriefConfig } from '../config/schema.js';
import { makeKeys, type Keys } from '../keys.js';

export interface ContextOptions {
  configFile?: string;
  verbose?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/** A context with its resources; `close()` ends whatever was opened. */
export interface OwnedContext extends CliContext {
  close(): Promise<void>;
  /** Points later `redis()` calls at another URL (the embedded redis-server). */
  useRedisUrl(url: string): void;
}

export function makeContext(opts: ContextOptions): OwnedContext {
  const env = readEnv(opts.env ?? process.env);
  const cwd = opts.cwd ?? process.cwd();
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  let config: BriefConfig | undefined;
  let example = false;
  let keys: Keys | undefined;
  let redis: Promise<RedisClient> | undefined;
  // Unset: redis/connect's default (loaded with ioredis on first use, not at start-up).
  let redisUrl = env.redisUrl;

  return {
    env,
    verbose: Boolean(opts.verbose),
    stdout,
    stderr,
    warn: (line) => {
      stderr.write(line + '\n');
    },
    config() {
      if (!config) {
        const found = findConfigFile(opts.configFile, cwd);
        example = found.example;
        config = loadConfig(found.file);
      }
      return config;
    },
    usingExample() {
      this.config();
      return example;
    },
    keys() {
      keys ??= makeKeys(env.prefix);
      return keys;
    },
    redis() {
      redis ??= import('../redis/connect.js').then(({ connectRedis, DEFAULT_REDIS_URL }) => connectRedis(redisUrl ?? DEFAULT_REDIS_URL));
      // A failed connect should be retried by the next caller, not cached.
      redis.catch(() => {
        redis = undefined;
      });
      return redis;
    },
    useRedisUrl(url: string) {
      redisUrl = url;
    },
    async close() {
      if (redis) {
        const r = await redis.catch(() => undefined);
        await r?.quit().catch(() => r.disconnect());
      }
    },
  };
}
