import type { RedisClient } from '../redis/connect.js';
import type { BriefConfig } from '../config/schema.js';
import type { BriefEnv } from '../config/env.js';
import type { Keys } from '../keys.js';

/**
 * What a command needs, built lazily so that `--help` and `preview` work without Redis.
 * Commands never read process.env or construct connections themselves.
 */
export interface CliContext {
  env: BriefEnv;
  /** The validated config (`--config FILE`, ./brief.config.json, or the bundled example). */
  config(): BriefConfig;
  /** True when no config file was found and the bundled example is in use. */
  usingExample(): boolean;
  /** A connected ioredis client (commands, not BullMQ workers). Throws EREDIS with one line. */
  redis(): Promise<RedisClient>;
  keys(): Keys;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Writes one line to stderr (warnings, progress). */
  warn(line: string): void;
  verbose: boolean;
}
