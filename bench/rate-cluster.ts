/**
 * The global rate limit across processes (issue 13): several `brief worker` processes, each
 * its own process as on separate machines, share one `ratePerSecond` through a real local
 * Redis Cluster (six nodes, a replica each). The sink counts what arrives; the aggregate rate
 * is measured over a window that starts once sending is under way (after the limiter's
 * one-second burst) and should be within 5% of the configured rate.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startLocalCluster } from '../src/redis/local-topology.js';
import { check, runBrief, startWorker, type WorkerProcess } from './brief-process.js';
import { EDITION_DATE, writeBenchConfig, writeCsv } from './setup.js';
import type { SinkProcess } from './sink-process.js';

export interface RateClusterOptions {
  sink: SinkProcess;
  workDir: string;
  /** @defaultValue 3 */
  workers?: number;
  /** @defaultValue 200 */
  ratePerSecond?: number;
  /** The measured window. @defaultValue 30 */
  seconds?: number;
}

export interface RateClusterResult {
  topology: string;
  workers: number;
  ratePerSecond: number;
  windowSeconds: number;
  /** Messages the sink accepted inside the window. */
  messages: number;
  /** messages / window. */
  measuredPerSecond: number;
  /** (measured − configured) / configured, in percent. */
  deviationPercent: number;
  /** Rate measured in each 5-second slice of the window (how even it was). */
  slicesPerSecond: number[];
  /** CPU ms each worker used during the window: they share the work. */
  workerCpuMs: number[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function benchRateAcrossProcesses(o: RateClusterOptions): Promise<RateClusterResult> {
  const workers = o.workers ?? 3;
  const rate = o.ratePerSecond ?? 200;
  const seconds = o.seconds ?? 30;
  const dir = path.join(o.workDir, 'rate-cluster');
  mkdirSync(dir, { recursive: true });
  // Enough recipients that the send outlasts the window, warm-up and a margin.
  const recipients = Math.ceil(rate * (seconds + 15));
  const configFile = writeBenchConfig(dir, { ratePerSecond: rate, batchSize: 200, poolSize: 5, concurrency: 2 });
  const csv = path.join(dir, 'subscribers.csv');
  await writeCsv(csv, recipients);
  const cluster = await startLocalCluster();
  const procs: WorkerProcess[] = [];
  try {
    const target = { redisUrl: cluster.url, smtpUrl: o.sink.url, prefix: 'rate', configFile };
    check('brief subscribers import', await runBrief(target, ['subscribers', 'import', 'daily', csv]));
    for (let i = 0; i < workers; i++) procs.push(await startWorker(target, { logFile: path.join(dir, `worker-${i + 1}.log`) }));
    await o.sink.reset();
    check('brief send', await runBrief(target, ['send', 'daily', '--date', EDITION_DATE]));
    // Sending has started once the sink sees messages; then skip 3 s (the burst, the fan-out).
    for (let t = Date.now(); (await o.sink.stats()).messages === 0; ) {
      if (Date.now() - t > 60_000) throw new Error('rate bench: nothing arrived at the sink within 60 s of brief send');
      await sleep(50);
    }
    await sleep(3000);
    const first = await o.sink.stats();
    const t0 = performance.now();
    const cpu0 = procs.map((p) => p.samples.at(-1)?.cpuMs ?? 0);
    const slices: number[] = [];
    let last = first.messages;
    let lastT = t0;
    for (let s = 5; s <= seconds; s += 5) {
      await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
      const now = (await o.sink.stats()).messages;
      const tn = performance.now();
      slices.push(Math.round(((now - last) / (tn - lastT)) * 1000 * 10) / 10);
      last = now;
      lastT = tn;
    }
    const end = await o.sink.stats();
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = procs.map((p) => p.samples.at(-1)?.cpuMs ?? 0);
    const messages = end.messages - first.messages;
    if (end.messages >= recipients) throw new Error('rate bench: the send ended inside the window; the figure would be low');
    const measured = messages / elapsed;
    return {
      topology: 'Redis Cluster, 3 primaries + 3 replicas (local)',
      workers,
      ratePerSecond: rate,
      windowSeconds: Math.round(elapsed * 10) / 10,
      messages,
      measuredPerSecond: Math.round(measured * 10) / 10,
      deviationPercent: Math.round(((measured - rate) / rate) * 1000) / 10,
      slicesPerSecond: slices,
      workerCpuMs: cpu1.map((c, i) => c - cpu0[i]!),
    };
  } finally {
    // The rest of the send is not measured: a graceful stop hands the batches back.
    await Promise.all(procs.map((p) => p.stop()));
    await cluster.stop();
  }
}
