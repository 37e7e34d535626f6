import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from '../../src/redis/redis-server.js';
import { createRedis } from '../../src/redis/connect.js';
import { ReplicaWait } from '../../src/redis/replicas.js';

const waits = async (r: Redis) => Number(/cmdstat_wait:calls=(\d+)/.exec(await r.info('commandstats'))?.[1] ?? 0);

describe('ReplicaWait: a write confirmed to someone outlives a failover', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-replicas-'));
  let primary: RedisServer;
  let replica: RedisServer;
  let lone: RedisServer;
  for (const d of ['p', 'r', 'l']) mkdirSync(path.join(dir, d));
  beforeAll(async () => {
    primary = await startRedisServer({ port: await freePort(), dir: path.join(dir, 'p') });
  }, 30_000);
  afterAll(async () => {
    await Promise.all([primary?.stop(), replica?.stop(), lone?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the replica when the primary has one, and never WAITs on a lone server', async () => {
    replica = await startRedisServer({ port: await freePort(), dir: path.join(dir, 'r'), extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] });
    lone = await startRedisServer({ port: await freePort(), dir: path.join(dir, 'l') });
    const p = createRedis(primary.url) as Redis;
    const r = createRedis(replica.url) as Redis;
    r.on('error', () => {});
    const l = createRedis(lone.url) as Redis;
    try {
      for (let i = 0; i < 100 && !/master_link_status:up/.test(await r.info('replication')); i++) await new Promise((x) => setTimeout(x, 50));
      await p.set('k', 'v1');
      const before = await waits(p);
      const t0 = Date.now();
      await new ReplicaWait(p).after('k');
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(await waits(p)).toBe(before + 1);
      expect(await r.get('k')).toBe('v1');

      // The replica dies: no WAIT holds the connection for a replica that is gone.
      const w = new ReplicaWait(p, 3000);
      await w.after('k');
      replica.child.kill('SIGKILL');
      for (let i = 0; i < 100 && !/connected_slaves:0/.test(await p.info('replication')); i++) await new Promise((x) => setTimeout(x, 50));
      await p.set('k', 'v2');
      const w0 = await waits(p);
      const t2 = Date.now();
      await w.after('k');
      await w.after('k');
      expect(Date.now() - t2).toBeLessThan(500);
      expect(await waits(p)).toBe(w0);

      await l.set('k', 'v');
      const t1 = Date.now();
      await new ReplicaWait(l, 5000).after('k');
      expect(Date.now() - t1).toBeLessThan(1000);
      expect(await waits(l)).toBe(0);
    } finally {
      p.disconnect();
      r.disconnect();
      l.disconnect();
    }
  }, 30_000);
});
