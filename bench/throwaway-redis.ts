/**
 * A private redis-server for one benchmark phase: a free loopback port, no persistence,
 * data in a temp folder that is removed at the end. Never the shared 6379 (the idea is
 * tests/helpers/throwaway-redis.ts; bench/ does not import from tests/).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startRedisServer } from '../src/redis/redis-server.js';

export { freePort };

export interface BenchRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-bench-redis-'));
  const server = await startRedisServer({ port, dir });
  const child = server.child;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
