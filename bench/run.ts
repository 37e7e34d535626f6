/**
 * `npm run bench` — how close daily-brief comes to the limit of its job on this machine
 * (issue #5). Everything is measured in one run, side by side:
 *
 * - throughput: a raw nodemailer pool (the baseline) against the whole pipeline (import,
 *   `brief worker`, `brief send --wait`), each to its own SMTP sink process, interleaved
 *   K times; medians and spreads, the ratio pipeline / baseline per pair, CPU µs per message
 *   of every process involved (steadier than wall time on a loaded machine), and the same
 *   pool sending pre-composed bytes (the transport's own limit, for scale);
 * - render: bench/render.ts (our compile against bare mjml2html, personalise per recipient);
 * - memory and scale (full run, or --scale): worker peak RSS, Redis bytes per subscriber and
 *   per ledger entry, fan-out time and CSV import rate at 100k and 1M subscribers; without
 *   scale runs, an import and fan-out probe of 50k subscribers;
 * - a profiled run (full run, or --profile): `brief worker` under --cpu-prof, summarised;
 * - the rate limit across processes (full run, or --rate-cluster; alone with
 *   --rate-cluster-only): bench/rate-cluster.ts.
 *
 * Flags: --quick, --recipients N, --runs K, --scale / --no-scale, --scale-sizes 100000,1000000,
 * --profile / --no-profile, --rate-cluster / --no-rate-cluster (in the full run by default),
 * --rate-cluster-only. `npm run bench --quick` arrives as npm_config_quick=true.
 * BENCH_WORKER_NODE_ARGS passes Node flags to the worker (e.g. a heap cap, to try one).
 * Figures go to stdout as a table and to bench/results/latest.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packagePath } from '../src/paths.js';
import { deliverySchema, type DeliveryConfig } from '../src/config/schema.js';
import { runBaseline, type BaselineResult } from './baseline.js';
import { runPipeline, type PipelineResult } from './pipeline.js';
import { benchRender, type RenderBenchResult } from './render.js';
import { startBenchRedis } from './throwaway-redis.js';
import { startSink, type SinkProcess } from './sink-process.js';
import { realEdition, writeBenchConfig, writeCsv } from './setup.js';
import { startWorker } from './brief-process.js';
import { probeFanOut } from './fanout-probe.js';
import { importList, type ImportResult } from './import-list.js';
import { benchRateAcrossProcesses, type RateClusterResult } from './rate-cluster.js';

/** Subscribers in the quick run's import and fan-out probe. */
const PROBE_ROWS = 50_000;
/** Messages of the uncounted warm-up pair. */
const WARMUP = 300;
import { spread, type Spread } from './stats.js';

interface Options {
  quick: boolean;
  /** The rate limit across worker processes on a local Redis Cluster (full run, or --rate-cluster). */
  rateCluster: boolean;
  /** Only that measurement (--rate-cluster-only). */
  rateClusterOnly: boolean;
  recipients: number;
  runs: number;
  scaleSizes: number[];
  profile: boolean;
}

/** Flags that take a value. */
const VALUE_FLAGS = ['recipients', 'runs', 'scale-sizes'];

/**
 * Flags from argv, else from npm's `npm_config_*` (what `npm run bench --quick` sets).
 * `npm run bench --recipients 2000` arrives as npm_config_recipients=true plus a bare
 * "2000" argument, so one bare argument goes to the one value flag npm left without a value.
 */
function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const flags = new Map<string, string>();
  const bare: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      bare.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags.set(name, inline);
    else if (VALUE_FLAGS.includes(name) && next !== undefined) flags.set(name, argv[++i]!);
    else flags.set(name, 'true');
  }
  if (bare.length) {
    const empty = VALUE_FLAGS.filter((f) => !flags.has(f) && env[`npm_config_${f.replace(/-/g, '_')}`] === 'true');
    if (bare.length !== 1 || empty.length !== 1) {
      throw new Error(`bench: unexpected argument "${bare[0]}" (write --name=value, or npm run bench -- --name value)`);
    }
    flags.set(empty[0]!, bare[0]!);
  }
  const get = (name: string): string | undefined => {
    if (flags.has(name)) return flags.get(name);
    if (flags.has(`no-${name}`)) return 'false';
    const v = env[`npm_config_${name.replace(/-/g, '_')}`];
    return v === '' ? 'true' : v;
  };
  const bool = (name: string, dflt: boolean) => {
    const v = get(name);
    return v === undefined ? dflt : v !== 'false';
  };
  const int = (name: string, dflt: number, min: number) => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`bench: --${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
  const known = new Set([
    'quick', 'recipients', 'runs', 'scale', 'no-scale', 'scale-sizes', 'profile', 'no-profile',
    'rate-cluster', 'no-rate-cluster', 'rate-cluster-only',
  ]);
  for (const name of flags.keys()) if (!known.has(name)) throw new Error(`bench: unknown flag --${name} (known: ${[...known].join(', ')})`);
  const quick = bool('quick', false);
  const scale = bool('scale', !quick);
  const sizes = (get('scale-sizes') ?? '100000,1000000').split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('bench: --scale-sizes takes integers, e.g. 100000,1000000');
  const rateClusterOnly = bool('rate-cluster-only', false);
  return {
    quick,
    rateCluster: rateClusterOnly || bool('rate-cluster', !quick),
    rateClusterOnly,
    recipients: int('recipients', quick ? 1000 : 5000, 1),
    runs: int('runs', 3, 1),
    scaleSizes: scale ? sizes : [],
    profile: bool('profile', !quick),
  };
}

interface ScaleResult {
  recipients: number;
  /** Snapshot + enqueue of the same list with nothing else running (see fanout-probe.ts). */
  fanOutAlone: { ms: number; batches: number };
  delivery: Partial<DeliveryConfig>;
  /** Wall-clock seconds of the whole step: CSV, import, send. */
  totalSeconds: number;
  pipeline: PipelineResult;
}

interface Results {
  at: string;
  machine: { cpus: number; model: string; memoryGiB: number; loadAverage: number[]; node: string };
  options: Options;
  edition: { stories: number; htmlBytes: number };
  delivery: DeliveryConfig;
  throughput: {
    recipients: number;
    baselinePerSecond: Spread;
    /** The same pool sending message bytes composed once: the limit without MIME composition. */
    prebuiltPerSecond: Spread;
    prebuiltCpuUs: Spread;
    pipelinePerSecondSending: Spread;
    pipelinePerSecondRequest: Spread;
    /** Per interleaved pair, pipeline (startedAt → finishedAt) / baseline. */
    ratioSending: Spread;
    /** Per pair, pipeline (send request → sent) / baseline. */
    ratioRequest: Spread;
    /** CPU µs per message, all processes involved: sender + sink; worker + Redis + sink. */
    baselineCpuUs: Spread;
    pipelineCpuUs: Spread;
    /** Per pair, baseline CPU / pipeline CPU per message: the ratio a CPU-bound machine allows. */
    cpuRatio: Spread;
    compileMs: Spread;
    fanOutMs: Spread;
    cliMs: Spread;
    importRowsPerSecond: Spread;
    baseline: BaselineResult[];
    prebuilt: BaselineResult[];
    pipeline: PipelineResult[];
  };
  profile?: PipelineResult;
  render: RenderBenchResult;
  scale: ScaleResult[];
  /** Without scale runs: an import and a fan-out of PROBE_ROWS subscribers, without a send. */
  probe?: { import: ImportResult; fanOutAlone: { ms: number; batches: number } };
  rateCluster?: RateClusterResult;
  seconds: number;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const t0 = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'brief-bench-'));
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => null);
    rmSync(work, { recursive: true, force: true });
  };
  // Stop our redis-servers, sinks and workers rather than leave them orphaned.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));
  try {
    if (opts.rateClusterOnly) {
      const sink = await startSink('R');
      cleanups.push(() => sink.stop());
      log('rate limit across processes: 3 brief workers, ratePerSecond 200, a local Redis Cluster, 30 s window');
      const r = await benchRateAcrossProcesses({ sink, workDir: work });
      const out = packagePath('bench', 'results', 'rate-cluster.json');
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), ...r }, null, 2) + '\n');
      process.stdout.write(formatRate(r).join('\n') + '\n');
      log(`figures written to ${path.relative(process.cwd(), out) || out}`);
      return;
    }
    log(`${opts.quick ? 'quick' : 'full'} run: ${opts.recipients} recipients × ${opts.runs} runs` +
      (opts.scaleSizes.length ? `, scale ${opts.scaleSizes.join(', ')}` : ', no scale') + ` (work dir ${work})`);
    const redis = await startBenchRedis();
    cleanups.push(() => redis.stop());
    const sinkA = await startSink('A');
    cleanups.push(() => sinkA.stop());
    const sinkB = await startSink('B');
    cleanups.push(() => sinkB.stop());

    // The defaults a user gets: the throughput pair measures the product as shipped. One
    // newsletter per run (same feed, list of the same name), so one worker serves every run
    // and stays warm between them, as a long-running worker does.
    const delivery = deliverySchema.parse({});
    const ids = Array.from({ length: opts.runs }, (_, k) => `run${k + 1}`);
    const configFile = writeBenchConfig(mkdirIn(work, 'throughput'), {}, [...ids, 'warmup']);
    const edition = await realEdition(configFile, ids[0]);
    const csv = path.join(work, `subscribers-${opts.recipients}.csv`);
    await writeCsv(csv, opts.recipients);
    const target = { redisUrl: redis.url, smtpUrl: sinkB.url, prefix: 'bench', configFile };
    const worker = await startWorker(target, { logFile: path.join(work, 'worker-bench.log') });
    cleanups.push(() => worker.stop());

    // A warm-up pair, not counted: JIT and connections warm on both sides, so run 1 of a
    // short run does not measure a cold worker against a warm baseline (or the reverse).
    const warmCsv = path.join(work, 'warmup.csv');
    await writeCsv(warmCsv, WARMUP);
    await runBaseline({ sink: sinkA, poolSize: delivery.poolSize, n: WARMUP, ...edition });
    await runPipeline({ redisUrl: redis.url, sink: sinkB, csvFile: warmCsv, recipients: WARMUP, configFile, workDir: work, prefix: 'bench', newsletter: 'warmup', worker });

    const baseline: BaselineResult[] = [];
    const prebuilt: BaselineResult[] = [];
    const pipeline: PipelineResult[] = [];
    for (let k = 0; k < opts.runs; k++) {
      // Alternate which side goes first, so drift in the machine's load hits both alike.
      const doBaseline = async () => {
        baseline.push(await runBaseline({ sink: sinkA, poolSize: delivery.poolSize, n: opts.recipients, ...edition }));
        prebuilt.push(await runBaseline({ sink: sinkA, poolSize: delivery.poolSize, n: opts.recipients, ...edition, prebuilt: true }));
      };
      const doPipeline = async () => {
        pipeline.push(await runPipeline({
          redisUrl: redis.url, sink: sinkB, csvFile: csv, recipients: opts.recipients, configFile,
          workDir: work, prefix: 'bench', newsletter: ids[k]!, worker,
        }));
      };
      if (k % 2 === 0) { await doBaseline(); await doPipeline(); } else { await doPipeline(); await doBaseline(); }
      const b = baseline[k]!, p = pipeline[k]!;
      log(`run ${k + 1}/${opts.runs}: baseline ${b.perSecond.toFixed(0)}/s, pipeline ${p.send.perSecondSending}/s sending ` +
        `(${p.send.perSecondRequest}/s from the request), ratio ${(p.send.perSecondSending / b.perSecond).toFixed(2)}; ` +
        `CPU µs/msg ${baselineCpu(b)} vs ${pipelineCpu(p)}`);
    }
    await worker.stop();

    let profile: PipelineResult | undefined;
    if (opts.profile) {
      log('profiled run: a fresh brief worker under --cpu-prof (not part of the medians)');
      profile = await runPipeline({
        redisUrl: redis.url, sink: sinkB, csvFile: csv, recipients: opts.recipients, configFile,
        workDir: work, prefix: 'benchprof', newsletter: ids[0]!, profile: true,
      });
    }

    log('render');
    const render = await benchRender(opts.quick ? { recipients: 2000, runs: 5 } : { recipients: 10_000, runs: 9 });

    const scale: ScaleResult[] = [];
    for (const n of opts.scaleSizes) scale.push(await runScale(work, sinkB, n));
    let probe: Results['probe'];
    if (!scale.length) {
      // No send at scale: still measure the import and the fan-out on a list of a useful size.
      log(`probe: import and fan-out of ${PROBE_ROWS} subscribers (no send)`);
      const probeCsv = path.join(work, `probe-${PROBE_ROWS}.csv`);
      await writeCsv(probeCsv, PROBE_ROWS);
      const imported = await importList({ redisUrl: redis.url, prefix: 'probe', list: 'probe', csvFile: probeCsv, rows: PROBE_ROWS });
      const fanOutAlone = await probeFanOut({ redisUrl: redis.url, prefix: 'probe', configFile, list: 'probe', batchSize: 2000 });
      probe = { import: imported, fanOutAlone };
    }

    let rateCluster: RateClusterResult | undefined;
    if (opts.rateCluster) {
      log('rate limit across processes: 3 brief workers, ratePerSecond 200, a local Redis Cluster, 30 s window');
      rateCluster = await benchRateAcrossProcesses({ sink: sinkB, workDir: work });
    }

    const results: Results = {
      at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? '',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
        node: process.version,
      },
      options: opts,
      edition: { stories: edition.stories, htmlBytes: pipeline[0]?.sink.bytesPerMessage ?? 0 },
      delivery,
      throughput: {
        recipients: opts.recipients,
        baselinePerSecond: spread(baseline.map((b) => b.perSecond), 0),
        prebuiltPerSecond: spread(prebuilt.map((b) => b.perSecond), 0),
        prebuiltCpuUs: spread(prebuilt.map(baselineCpu), 0),
        pipelinePerSecondSending: spread(pipeline.map((p) => p.send.perSecondSending), 0),
        pipelinePerSecondRequest: spread(pipeline.map((p) => p.send.perSecondRequest), 0),
        ratioSending: spread(pipeline.map((p, k) => p.send.perSecondSending / baseline[k]!.perSecond)),
        ratioRequest: spread(pipeline.map((p, k) => p.send.perSecondRequest / baseline[k]!.perSecond)),
        baselineCpuUs: spread(baseline.map(baselineCpu), 0),
        pipelineCpuUs: spread(pipeline.map(pipelineCpu), 0),
        cpuRatio: spread(pipeline.map((p, k) => baselineCpu(baseline[k]!) / pipelineCpu(p))),
        compileMs: spread(pipeline.map((p) => p.send.compileMs), 0),
        fanOutMs: spread(pipeline.map((p) => p.send.fanOutMs), 0),
        cliMs: spread(pipeline.map((p) => p.send.cliMs), 0),
        importRowsPerSecond: spread(pipeline.map((p) => p.import.rowsPerSecond), 0),
        baseline,
        prebuilt,
        pipeline,
      },
      profile,
      render,
      scale,
      probe,
      rateCluster,
      seconds: Math.round((performance.now() - t0) / 1000),
    };
    const out = packagePath('bench', 'results', 'latest.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(formatTable(results));
    log(`figures written to ${path.relative(process.cwd(), out) || out} (${results.seconds} s)`);
  } finally {
    await cleanup();
  }
}

const baselineCpu = (b: BaselineResult) => b.cpuUsPerMessage + b.sinkCpuUsPerMessage;
const pipelineCpu = (p: PipelineResult) => p.cpu.workerUsPerMessage + p.cpu.redisUsPerMessage + p.cpu.sinkUsPerMessage;

function mkdirIn(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** N subscribers on a Redis of their own (clean memory figures), bigger batches, no rate limit. */
async function runScale(work: string, sink: SinkProcess, n: number): Promise<ScaleResult> {
  const t0 = performance.now();
  const delivery: Partial<DeliveryConfig> = { batchSize: 2000, poolSize: 5, concurrency: 2, ratePerSecond: 0 };
  const dir = mkdirIn(work, `scale-${n}`);
  const configFile = writeBenchConfig(dir, delivery);
  const csv = path.join(dir, 'subscribers.csv');
  log(`scale ${n}: writing the CSV`);
  await writeCsv(csv, n);
  const redis = await startBenchRedis();
  try {
    log(`scale ${n}: import, worker, send (this takes a while)`);
    const pipeline = await runPipeline({
      redisUrl: redis.url, sink, csvFile: csv, recipients: n, configFile, workDir: dir, prefix: 'scale', newsletter: 'daily',
    });
    const totalSeconds = Math.round((performance.now() - t0) / 100) / 10;
    log(`scale ${n}: ${totalSeconds} s; worker peak ${mb(pipeline.worker.peakRss)} MB, ${pipeline.send.perSecondSending}/s`);
    const fanOutAlone = await probeFanOut({ redisUrl: redis.url, prefix: 'scale', configFile, list: 'daily', batchSize: delivery.batchSize! });
    return { recipients: n, fanOutAlone, delivery, totalSeconds, pipeline };
  } finally {
    await redis.stop();
    rmSync(csv, { force: true });
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const fmt = (s: Spread, unit = '', digits = 0) =>
  `${s.median.toFixed(digits)}${unit}` + (s.runs.length > 1 ? ` (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : '');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

function formatTable(r: Results): string {
  const rows: Array<[string, string, string, string]> = [];
  const add = (what: string, value: string, target = '', ok?: boolean) =>
    rows.push([what, value, target, ok === undefined ? '' : verdict(ok)]);
  const t = r.throughput;
  const runs = `median (min–max) of ${t.baseline.length}`;
  add(`THROUGHPUT  ${t.recipients} recipients, pool ${r.delivery.poolSize}, batch ${r.delivery.batchSize}, ${runs}`, '');
  add('baseline: raw nodemailer pool → sink A', fmt(t.baselinePerSecond, ' msg/s'));
  add('pipeline: startedAt → finishedAt → sink B', fmt(t.pipelinePerSecondSending, ' msg/s'));
  add('pipeline: send request → sent', fmt(t.pipelinePerSecondRequest, ' msg/s'));
  add('ratio pipeline / baseline (sending)', fmt(t.ratioSending, '', 2), '≥ 0.9', t.ratioSending.median >= 0.9);
  add('ratio pipeline / baseline (from request)', fmt(t.ratioRequest, '', 2), '≥ 0.9', t.ratioRequest.median >= 0.9);
  const b0 = t.baseline[0];
  const p1 = t.pipeline[0];
  if (b0 && p1) {
    add('CPU µs per message, baseline: sender + sink', `${fmt(t.baselineCpuUs)} (${b0.cpuUsPerMessage} + ${b0.sinkCpuUsPerMessage} in run 1)`);
    add('CPU µs per message, pipeline: worker + Redis + sink', `${fmt(t.pipelineCpuUs)} (${p1.cpu.workerUsPerMessage} + ${p1.cpu.redisUsPerMessage} + ${p1.cpu.sinkUsPerMessage} in run 1)`);
    add('  worker CPU per message with compile + freeze', `${p1.cpu.workerWithCompileUsPerMessage} µs (run 1)`);
    add('CPU per message, baseline / pipeline', fmt(t.cpuRatio, '', 2), '(≥ 0.9)', t.cpuRatio.median >= 0.9);
  }
  add('for scale: same pool, bytes composed once (raw)', fmt(t.prebuiltPerSecond, ' msg/s'));
  add('  its CPU µs per message: sender + sink', fmt(t.prebuiltCpuUs));
  add('  compile + freeze (createdAt → startedAt)', fmt(t.compileMs, ' ms'));
  add('  snapshot + fan-out (startedAt → enqueued)', fmt(t.fanOutMs, ' ms'));
  add('  `brief send --wait` wall clock', fmt(t.cliMs, ' ms'));
  const p0 = t.pipeline[0];
  if (p0) {
    add('  message size at the sink (pipeline)', `${(p0.sink.bytesPerMessage / 1024).toFixed(1)} KiB`);
    add('  Redis commands / round trips per recipient', `${p0.redis.commands.commandsPerRecipient.toFixed(1)} / ${p0.redis.commands.roundTripsPerRecipient.toFixed(2)}`);
    const w = p0.worker;
    add('  worker RSS: peak / idle / compile / sending', `${mb(w.peakRss)} / ${mb(w.idleRss)} / ${mb(w.compileRss)} / ${mb(w.sendingRss)} MB`);
    add('  compile process peak RSS (a child; exits after)', `${mb(w.compileChildRss)} MB`);
  }
  add(`CSV import (importCsv, ${t.recipients} rows)`, fmt(t.importRowsPerSecond, ' rows/s'));

  add(`RENDER  (${r.edition.stories}-story edition sent; bench/render.ts 30-story fixture)`, '');
  add('edition compile, 2 variants', `${r.render.compileMs.toFixed(1)} ms`);
  add('bare mjml2html, same MJML', `${r.render.bareMjmlMs.toFixed(1)} ms`);
  add('compile / bare mjml2html', r.render.ratio.toFixed(2), '≤ 2', r.render.ratio <= 2);
  add('personalise per recipient', `${r.render.personaliseUsPerRecipient.toFixed(2)} µs`, '≤ 20 µs', r.render.personaliseUsPerRecipient <= 20);
  add('  + flattening the strings (paid at encoding)', `${r.render.personaliseFlatUsPerRecipient.toFixed(2)} µs`);

  if (r.scale.length) {
    add(`SCALE  batch ${r.scale[0]!.delivery.batchSize}, pool ${r.scale[0]!.delivery.poolSize}, no rate limit`, '');
    const peaks = r.scale.map((s) => s.pipeline.worker.peakRss);
    for (const s of r.scale) {
      const p = s.pipeline;
      const k = s.recipients >= 1e6 ? `${s.recipients / 1e6}M` : `${s.recipients / 1e3}k`;
      add(`${k}: whole step (CSV, import, send)`, `${s.totalSeconds} s`);
      add(`${k}: send, request → sent`, `${(p.send.requestToSentMs / 1000).toFixed(1)} s (${p.send.perSecondSending} msg/s sending)`);
      add(`${k}: worker peak RSS`, `${mb(p.worker.peakRss)} MB`, '≤ 150 MB', p.worker.peakRss <= 150 * 2 ** 20);
      add(`${k}:   idle / compile / sending (max VmRSS)`, `${mb(p.worker.idleRss)} / ${mb(p.worker.compileRss)} / ${mb(p.worker.sendingRss)} MB`);
      add(`${k}:   compile process peak RSS (a child; exits after)`, `${mb(p.worker.compileChildRss)} MB`);
      add(`${k}: Redis bytes per subscriber`, `${p.redis.bytesPerSubscriber} B`, '≤ 250 B', p.redis.bytesPerSubscriber <= 250);
      add(`${k}: Redis bytes per ledger entry (hash alone)`, `${p.redis.ledgerBytesPerEntry} B`);
      add(`${k}: Redis growth across the send / recipient`, `${p.redis.bytesPerRecipientAfterSend} B (snapshot lists ${p.redis.snapshotBytesPerRecipient} B)`);
      const per100k = (p.send.fanOutMs / s.recipients) * 1e5;
      add(`${k}: fan-out in the worker, sending alongside`, `${(p.send.fanOutMs / 1000).toFixed(1)} s (${(per100k / 1000).toFixed(2)} s per 100k)`, '1M ≤ 30 s', per100k * 10 <= 30_000);
      const alone = (s.fanOutAlone.ms / s.recipients) * 1e5;
      add(`${k}: fan-out alone (snapshot + enqueue)`, `${(s.fanOutAlone.ms / 1000).toFixed(1)} s (${(alone / 1000).toFixed(2)} s per 100k)`, '1M ≤ 30 s', alone * 10 <= 30_000);
      add(`${k}: CSV import (importCsv)`, `${p.import.rowsPerSecond} rows/s`, '≥ 50k/s', p.import.rowsPerSecond >= 50_000);
      add(`${k}: Redis commands / round trips per recipient`, `${p.redis.commands.commandsPerRecipient.toFixed(1)} / ${p.redis.commands.roundTripsPerRecipient.toFixed(2)}`);
    }
    if (peaks.length > 1) {
      const growth = Math.max(...peaks) / Math.min(...peaks);
      add('worker peak RSS, largest / smallest list', growth.toFixed(2), 'flat (≤ 1.2)', growth <= 1.2);
    }
  } else if (r.probe) {
    const { import: imp, fanOutAlone } = r.probe;
    add(`MEMORY AND SCALE  (no send at scale: full run or --scale; ${imp.rows / 1000}k-subscriber import and fan-out probe)`, '');
    const peak = Math.max(...t.pipeline.map((p) => p.worker.peakRss));
    add(`worker peak RSS over the ${t.pipeline.length} throughput runs`, `${mb(peak)} MB`, '≤ 150 MB', peak <= 150 * 2 ** 20);
    add(`Redis bytes per subscriber (${imp.rows / 1000}k import)`, `${imp.bytesPerSubscriber} B`, '≤ 250 B', imp.bytesPerSubscriber <= 250);
    if (p0) add(`Redis bytes per ledger entry (hash alone, ${t.recipients})`, `${p0.redis.ledgerBytesPerEntry} B`);
    const alone = (fanOutAlone.ms / imp.rows) * 1e5;
    add(`fan-out alone, ${imp.rows / 1000}k (snapshot + enqueue)`, `${(fanOutAlone.ms / 1000).toFixed(2)} s (${(alone / 1000).toFixed(2)} s per 100k)`, '1M ≤ 30 s', alone * 10 <= 30_000);
    add(`CSV import (importCsv, ${imp.rows / 1000}k rows)`, `${imp.rowsPerSecond} rows/s`, '≥ 50k/s', imp.rowsPerSecond >= 50_000);
  }

  const prof = r.profile?.profile;
  const rateLines = r.rateCluster ? formatRate(r.rateCluster) : [];
  const lines = rows.map(([what, value, target, ok]) =>
    value === '' && target === '' ? `\n${what}` : `  ${what.padEnd(50)} ${value.padEnd(30)} ${target.padEnd(12)} ${ok}`.trimEnd());
  if (rateLines.length) lines.push('', ...rateLines);
  if (prof) {
    lines.push(`\nPROFILE  brief worker, ${r.profile!.recipients} recipients, ${prof.busyMs} ms busy`);
    lines.push('  by package: ' + prof.byPackage.map((p) => `${p.name} ${p.percent}%`).join(', '));
    for (const f of prof.topFunctions.slice(0, 8)) lines.push(`  ${String(f.percent).padStart(5)}%  ${f.name} ${f.where}`);
    lines.push('  Redis per recipient: ' + r.profile!.redis.commands.top.map((c) => `${c.command} ${c.perRecipient}`).join(', '));
  }
  return lines.join('\n') + '\n';
}

function formatRate(r: RateClusterResult): string[] {
  const ok = Math.abs(r.deviationPercent) <= 5;
  return [
    `RATE LIMIT ACROSS PROCESSES  ${r.workers} brief workers, ratePerSecond ${r.ratePerSecond}, ${r.topology}`,
    `  ${'aggregate rate over the window'.padEnd(50)} ${`${r.measuredPerSecond} msg/s (${r.messages} in ${r.windowSeconds} s)`.padEnd(30)} ${'±5%'.padEnd(12)} ${verdict(ok)} (${r.deviationPercent > 0 ? '+' : ''}${r.deviationPercent}%)`,
    `  ${'each 5 s of the window'.padEnd(50)} ${r.slicesPerSecond.join(', ')} msg/s`,
    `  ${'CPU ms per worker in the window'.padEnd(50)} ${r.workerCpuMs.join(', ')}`,
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
