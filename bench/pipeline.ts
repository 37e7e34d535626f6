/**
 * One pipeline run: import N subscribers (importCsv, as `brief subscribers import` does),
 * `brief send … --wait` through a `brief worker` process to a sink, and read back what it
 * took from the edition's own timestamps, the sink's counts, the worker's /proc figures and
 * Redis's counters.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis } from '../src/redis/connect.js';
import type { EditionStatus } from '../src/delivery/edition-store.js';
import { makeKeys } from '../src/keys.js';
import { importList, type ImportResult } from './import-list.js';
import { EDITION_DATE, editionIdOf } from './setup.js';
import { check, cpuMsOf, memoryOf, runBrief, startWorker, type BriefTarget, type WorkerProcess, type WorkerSample } from './brief-process.js';
import type { SinkProcess } from './sink-process.js';
import { commandCounters, commandDelta, redisCpuMs, usedMemory, round, type CommandDelta } from './redis-stats.js';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';

export interface PipelineOptions {
  redisUrl: string;
  sink: SinkProcess;
  /** A CSV of exactly `recipients` valid, distinct subscribers. */
  csvFile: string;
  recipients: number;
  configFile: string;
  /** A folder for the worker's log (and profile). */
  workDir: string;
  prefix: string;
  /** The newsletter to send; its list has the same id. */
  newsletter: string;
  /** A worker already running on this prefix and config; without one, a worker is started and stopped for this run. */
  worker?: WorkerProcess;
  /** Run the (own) worker under `node --cpu-prof` and summarise the profile. */
  profile?: boolean;
}

export interface PipelineResult {
  prefix: string;
  newsletter: string;
  recipients: number;
  import: ImportResult;
  send: {
    /** `brief send --wait` from spawn to exit (Node's start and the command's 0.5 s poll included). */
    cliMs: number;
    /** createdAt → finishedAt: the whole send as the edition records it. */
    requestToSentMs: number;
    /** createdAt → startedAt: compile and freeze. */
    compileMs: number;
    /** startedAt → finishedAt: snapshot, fan-out and sending. */
    sendingMs: number;
    /** startedAt → the prepare job's finishedOn: snapshot + enqueue of every batch. */
    fanOutMs: number;
    /** createdAt → the first message accepted by the sink. */
    firstMessageMs: number;
    perSecondRequest: number;
    perSecondSending: number;
    batches: number;
  };
  sink: { messages: number; bytesPerMessage: number };
  /** CPU µs per message. The worker's from startedAt to finishedAt (sampled every 200 ms); Redis's and the sink's over the whole send. */
  cpu: { workerUsPerMessage: number; workerWithCompileUsPerMessage: number; redisUsPerMessage: number; sinkUsPerMessage: number };
  redis: {
    bytesPerSubscriber: number;
    /** used_memory growth across the send (ledger, snapshot lists, jobs) per recipient. */
    bytesPerRecipientAfterSend: number;
    /** MEMORY USAGE of the ledger hash alone, per entry. */
    ledgerBytesPerEntry: number;
    /** MEMORY USAGE of the snapshot's batch lists, per recipient. */
    snapshotBytesPerRecipient: number;
    commands: CommandDelta;
  };
  worker: {
    /** VmHWM at the end of the run: the peak over the worker's whole life so far. */
    peakRss: number;
    /** VmRSS just before the send. */
    idleRss: number;
    /** Highest VmRSS sample up to startedAt (compile and freeze run in the worker). */
    compileRss: number;
    /** Peak RSS of the child process that compiled this edition (it exits after), 0 if unknown. */
    compileChildRss: number;
    /** Highest VmRSS sample after the fan-out ended (only sending). */
    sendingRss: number;
    /** VmRSS during the send, MB, at most 50 evenly thinned samples. */
    timeline: number[];
  };
  profile?: ProfileSummary;
}

/** CPU ms of the worker at time `t`, interpolated between samples. */
function cpuAt(samples: WorkerSample[], t: number): number {
  let prev = samples[0];
  for (const s of samples) {
    if (s.at >= t) {
      if (!prev || prev.at === s.at) return s.cpuMs;
      return prev.cpuMs + ((s.cpuMs - prev.cpuMs) * (t - prev.at)) / (s.at - prev.at);
    }
    prev = s;
  }
  return prev?.cpuMs ?? 0;
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const t: BriefTarget = { redisUrl: o.redisUrl, smtpUrl: o.sink.url, prefix: o.prefix, configFile: o.configFile };
  const keys = makeKeys(o.prefix);
  const list = o.newsletter;
  const editionId = editionIdOf(o.newsletter);
  const n = o.recipients;
  // The bench's own single server: INFO counters are per server, so this is never a Cluster.
  const redis = createRedis(o.redisUrl) as Redis;
  const profDir = o.profile && !o.worker ? path.join(o.workDir, `prof-${o.prefix}`) : undefined;
  let worker = o.worker;
  try {
    // The import as `brief subscribers import` runs it, without the CLI's Node start.
    const imported = await importList({ redisUrl: o.redisUrl, prefix: o.prefix, list, csvFile: o.csvFile, rows: n });
    const memImported = await usedMemory(redis);

    worker ??= await startWorker(t, { logFile: path.join(o.workDir, `worker-${o.prefix}.log`), cpuProfDir: profDir });
    await o.sink.reset();
    const before = await commandCounters(redis);
    const workerCpu0 = cpuMsOf(worker.pid);
    const redisCpu0 = await redisCpuMs(redis);
    const idleRss = memoryOf(worker.pid).current;
    const sendStart = Date.now();
    const sent = check('brief send --wait', await runBrief(t, ['send', o.newsletter, '--date', EDITION_DATE, '--wait']));
    const workerCpu1 = cpuMsOf(worker.pid);
    const redisCpu1 = await redisCpuMs(redis);
    const after = await commandCounters(redis);
    const status = JSON.parse(sent.stdout.trim().split('\n').pop() ?? '{}') as EditionStatus;
    const sink = await o.sink.stats();
    if (status.state !== 'sent' || status.sent !== n || sink.messages !== n) {
      throw new Error(`send: edition ${status.state}, ${status.sent} sent, sink got ${sink.messages}; expected ${n}`);
    }
    const memSent = await usedMemory(redis);
    const ledgerBytes = Number(await redis.call('MEMORY', 'USAGE', keys.editionLedger(editionId), 'SAMPLES', '0'));
    let snapshotBytes = 0;
    for (let b = 0; b < (status.batches ?? 0); b++) {
      snapshotBytes += Number(await redis.call('MEMORY', 'USAGE', keys.editionBatch(editionId, b), 'SAMPLES', '0'));
    }
    const finishedOn = Number(await redis.hget(`${keys.queuePrefix()}:editions:prepare-${editionId}`, 'finishedOn'));
    const peakRss = memoryOf(worker.pid).peak;
    if (!o.worker) await worker.stop();

    const created = Date.parse(status.createdAt ?? '');
    const started = Date.parse(status.startedAt ?? '');
    const finished = Date.parse(status.finishedAt ?? '');
    const during = worker.samples.filter((x) => x.rss > 0 && x.at >= sendStart && x.at <= finished + 200);
    const maxRss = (from: number, to: number) => during.filter((x) => x.at >= from && x.at <= to).reduce((m, x) => Math.max(m, x.rss), 0);
    const step = Math.max(1, Math.ceil(during.length / 50));
    const us = (ms: number) => round((ms * 1000) / n, 0);
    const result: PipelineResult = {
      prefix: o.prefix,
      newsletter: o.newsletter,
      recipients: n,
      import: imported,
      send: {
        cliMs: round(sent.ms, 0),
        requestToSentMs: finished - created,
        compileMs: started - created,
        sendingMs: finished - started,
        fanOutMs: finishedOn - started,
        firstMessageMs: sink.firstAt - created,
        perSecondRequest: round((n * 1000) / (finished - created), 0),
        perSecondSending: round((n * 1000) / (finished - started), 0),
        batches: status.batches ?? 0,
      },
      sink: { messages: sink.messages, bytesPerMessage: round(sink.bytes / sink.messages, 0) },
      cpu: {
        workerUsPerMessage: us(cpuAt(worker.samples, finished) - cpuAt(worker.samples, started)),
        workerWithCompileUsPerMessage: us(workerCpu1 - workerCpu0),
        redisUsPerMessage: us(redisCpu1 - redisCpu0),
        sinkUsPerMessage: us(sink.cpuMs),
      },
      redis: {
        bytesPerSubscriber: imported.bytesPerSubscriber,
        bytesPerRecipientAfterSend: round((memSent - memImported) / n, 1),
        ledgerBytesPerEntry: round(ledgerBytes / n, 1),
        snapshotBytesPerRecipient: round(snapshotBytes / n, 1),
        commands: commandDelta(before, after, n),
      },
      worker: {
        peakRss,
        idleRss,
        compileRss: maxRss(0, started),
        compileChildRss: worker.compileChildPeaks.at(-1) ?? 0,
        sendingRss: maxRss(finishedOn, finished),
        timeline: during.filter((_, i) => i % step === 0).map((x) => Math.round(x.rss / 2 ** 20)),
      },
    };
    if (profDir && existsSync(profDir)) {
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) result.profile = summariseProfile(path.join(profDir, file));
    }
    return result;
  } finally {
    if (!o.worker) await worker?.stop().catch(() => null);
    redis.disconnect();
  }
}
