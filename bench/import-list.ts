/** A CSV import as `brief subscribers import` runs it (importCsv), timed, with Redis's memory growth. */
import type { Redis } from 'ioredis';
import { makeKeys } from '../src/keys.js';
import { createRedis } from '../src/redis/connect.js';
import { SubscriberStore, importCsv } from '../src/subscribers/index.js';
import { round, usedMemory } from './redis-stats.js';

export interface ImportResult {
  rows: number;
  ms: number;
  rowsPerSecond: number;
  /** used_memory growth / rows. */
  bytesPerSubscriber: number;
}

export async function importList(o: { redisUrl: string; prefix: string; list: string; csvFile: string; rows: number }): Promise<ImportResult> {
  const keys = makeKeys(o.prefix);
  // INFO memory is per server: the bench imports into its own single redis-server.
  const probe = createRedis(o.redisUrl) as Redis;
  // The store's connection is made as the CLI makes it (auto-pipelining on).
  const storeRedis = createRedis(o.redisUrl);
  try {
    const before = await usedMemory(probe);
    const t0 = performance.now();
    const report = await importCsv(new SubscriberStore({ redis: storeRedis, keys }), o.list, o.csvFile);
    const ms = performance.now() - t0;
    const active = Number(await probe.hget(keys.listCounts(o.list), 'active'));
    if (active !== o.rows) throw new Error(`import: ${active} active subscribers, expected ${o.rows} (${JSON.stringify(report)})`);
    const after = await usedMemory(probe);
    return { rows: o.rows, ms: round(ms, 0), rowsPerSecond: round((o.rows * 1000) / ms, 0), bytesPerSubscriber: round((after - before) / o.rows, 1) };
  } finally {
    await storeRedis.quit().catch(() => storeRedis.disconnect());
    probe.disconnect();
  }
}
