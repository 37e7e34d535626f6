import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startRedisServer } from '../../src/redis/redis-server.js';

export interface ThrowawayRedis {
  url: string;
  port: number;
  dir: string;
  stop: () => Promise<void>;
}

/** Starts a private redis-server on a free loopback port with its data in a temp folder. */
export async function startThrowawayRedis(opts: { appendonly?: boolean; port?: number; dir?: string } = {}): Promise<ThrowawayRedis> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'brief-redis-'));
  const server = await startRedisServer({ port, dir, appendonly: opts.appendonly });
  return {
    url: server.url,
    port,
    dir,
    stop: async () => {
      await server.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
