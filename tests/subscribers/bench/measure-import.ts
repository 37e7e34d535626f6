/**
 * Measures `importCsv` throughput and memory, and Redis memory per subscriber — a script,
 * not a timed unit test (timings depend on the machine). Usage:
 *
 *   npx tsc -p tests/subscribers/bench/tsconfig.json &&
 *   ln -sfn "$PWD/node_modules" /tmp/brief-bench/node_modules &&
 *   echo '{"type":"module"}' > /tmp/brief-bench/package.json &&
 *   node /tmp/brief-bench/tests/subscribers/bench/measure-import.js [ROWS=200000] [--names]
 *
 * (Compiled outside the tree so no build output lands in the checkout; the symlink and the
 * package.json let Node resolve the dependencies and load the output as ESM.)
 *
 * Uses REDIS_URL if set, else starts a throwaway redis-server (never anyone's data).
 * Generates ROWS rows (email,name,city,plan) into a temp file, imports them into a fresh
 * prefix, and prints rows/s, the peak RSS and heap during the import, and the Redis memory
 * per subscriber (INFO used_memory delta and MEMORY USAGE of the list's keys).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis } from '../../../src/redis/connect.js';
import { makeKeys } from '../../../src/keys.js';
import { importCsv, SubscriberStore } from '../../../src/subscribers/index.js';
import { deleteByPrefix } from '../../helpers/redis.js';
import { startThrowawayRedis } from '../../helpers/throwaway-redis.js';

const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200_000);
const withNames = process.argv.includes('--names');

async function generate(file: string): Promise<void> {
  const out = createWriteStream(file);
  const cities = ['Tbilisi', 'Yerevan', 'Baku', 'Batumi', 'Gyumri'];
  out.write('email,name,city,plan\n');
  for (let i = 0; i < rows; i++) {
    const line = withNames
      ? `reader${i}@example.org,Reader Number ${i},${cities[i % 5]},${i % 3 ? 'free' : 'pro'}\n`
      : `reader${i}@example.org,,,\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const throwaway = process.env.REDIS_URL ? undefined : await startThrowawayRedis();
  const url = process.env.REDIS_URL ?? throwaway!.url;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-bench-'));
  const file = path.join(dir, 'subscribers.csv');
  // INFO memory is per server: one redis-server, never a Cluster.
  const redis = createRedis(url) as Redis;
  const prefix = `bench${process.pid}`;
  const keys = makeKeys(prefix);
  try {
    await generate(file);
    const store = new SubscriberStore({ redis, keys });
    const before = await usedMemory(redis);
    let peakRss = 0;
    let peakHeap = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    };
    const timer = setInterval(sample, 50);
    const serverCpu = await redisCpu(redis);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const report = await importCsv(store, 'bench', file);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuUsed = process.cpuUsage(cpu);
    const serverUsec = ((await redisCpu(redis)) - serverCpu) * 1e6;
    clearInterval(timer);
    sample();
    const after = await usedMemory(redis);
    const members = Number(await redis.memory('USAGE', keys.listMembers('bench'), 'SAMPLES', 0));
    const counts = Number(await redis.memory('USAGE', keys.listCounts('bench'), 'SAMPLES', 0));
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`file: ${rows} rows, ${mb(statSync(file).size)}${withNames ? ' (name + 2 attributes per row)' : ' (address only)'}`);
    console.log(`import: ${seconds.toFixed(2)} s, ${Math.round(report.rows / seconds)} rows/s, added ${report.added}`);
    console.log(`cpu: this process ${((cpuUsed.user + cpuUsed.system) / rows).toFixed(1)} µs/row, ` +
      `redis-server ${(serverUsec / rows).toFixed(1)} µs/row (os.loadavg ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs)`);
    console.log(`process: peak RSS ${mb(peakRss)}, peak heap ${mb(peakHeap)}`);
    console.log(`redis: used_memory delta ${((after - before) / rows).toFixed(1)} B/subscriber; ` +
      `MEMORY USAGE members+counts ${((members + counts) / rows).toFixed(1)} B/subscriber`);
  } finally {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
    await throwaway?.stop();
  }
}

/** Seconds of CPU the Redis server has used (user + system). */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
