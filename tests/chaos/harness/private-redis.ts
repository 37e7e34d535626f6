import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startRedisServer, type RedisServer } from '../../../src/redis/redis-server.js';

/**
 * A private redis-server for the Redis-restart scenario: AOF on with `appendfsync always`
 * (every write on disk before it is acknowledged), on a scratch port and folder, that can be
 * stopped (SIGTERM: Redis flushes the AOF and exits) and started again on the same port and
 * folder. Never the shared Redis, never 6379.
 */
export class PrivateRedis {
  private server: RedisServer | undefined;
  port = 0;
  readonly dir: string;
  starts = 0;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'brief-chaos-redis-'));
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('PrivateRedis: already running');
    this.port ||= await freePort();
    if (this.port === 6379) throw new Error('PrivateRedis: refusing to use 6379');
    this.starts++;
    this.server = await startRedisServer({ port: this.port, dir: this.dir, appendonly: true, appendfsync: 'always', startTimeoutMs: 15_000 });
  }

  /** SIGTERM and wait for the exit (Redis writes out the AOF first). */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** Stops the server and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
