/**
 * The `brief` command as the benchmark drives it: `brief send --wait` and the long-running
 * `brief worker`, each a separate process as in production, with /proc figures of the worker.
 */
import { PUBLIC_URL } from './setup.js';
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { packagePath } from '../src/paths.js';
import { SECRET } from './setup.js';

const BIN = packagePath('bin', 'brief.js');

export interface BriefTarget {
  redisUrl: string;
  smtpUrl: string;
  prefix: string;
  configFile: string;
}

function envFor(t: BriefTarget): NodeJS.ProcessEnv {
  return { ...process.env, REDIS_URL: t.redisUrl, SMTP_URL: t.smtpUrl, BRIEF_PREFIX: t.prefix, BRIEF_SECRET: SECRET, PUBLIC_URL, LOG_LEVEL: 'info' };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock ms from spawn to exit (includes Node's start, ~0.3 s). */
  ms: number;
}

/** Runs `brief ARGS --config FILE` to its end. */
export async function runBrief(t: BriefTarget, args: string[]): Promise<CommandResult> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args, '--config', t.configFile], { env: envFor(t), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

/** Fails with the command's own last lines when it did not exit 0. */
export function check(what: string, r: CommandResult): CommandResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return r;
}

/** Peak (VmHWM) and current (VmRSS) resident set of a process, in bytes; 0 once it is gone. */
export function memoryOf(pid: number): { peak: number; current: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { peak: kb('VmHWM'), current: kb('VmRSS') };
  } catch {
    return { peak: 0, current: 0 };
  }
}

/**
 * CPU ms (user + system) a process has used so far, from /proc/PID/stat. CPU time per
 * message is far steadier than wall time on a machine that other work is loading.
 */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks * 10; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

export interface WorkerSample {
  at: number;
  rss: number;
  cpuMs: number;
}

export interface WorkerProcess {
  pid: number;
  /** Samples taken every `sampleMs` while it runs: epoch ms, VmRSS bytes, CPU ms used so far. */
  samples: WorkerSample[];
  /** Peak RSS (bytes) of each compile child process, from the worker's `edition compiled` log lines. */
  compileChildPeaks: number[];
  /** Stops it with SIGTERM (it finishes what is in flight); returns its peak RSS before exit. */
  stop(): Promise<{ peakRss: number; code: number | null }>;
}

/**
 * Starts `brief worker` and resolves once it says it is running. Its logs go to `logFile`.
 * With `cpuProfDir`, Node writes a .cpuprofile there when it exits.
 */
export async function startWorker(t: BriefTarget, opts: { logFile: string; cpuProfDir?: string; sampleMs?: number }): Promise<WorkerProcess> {
  // BENCH_WORKER_NODE_ARGS (space-separated) tries Node flags on the worker, e.g. a heap cap.
  const extra = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const nodeArgs = [...extra, ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'worker', '--config', t.configFile], {
    env: envFor(t),
    stdio: ['ignore', process.env.BENCH_WORKER_STDOUT ? 'inherit' : 'ignore', 'pipe'],
  });
  const log = createWriteStream(opts.logFile);
  const compileChildPeaks: number[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      log.write(line + '\n');
      const compiled = /"compileRssMb":(\d+)/.exec(line);
      if (compiled) compileChildPeaks.push(Number(compiled[1]) * 2 ** 20);
      if (/worker \S+ running/.test(line)) resolve();
    });
    child.once('error', reject);
    void exited.then((c) => reject(new Error(`brief worker exited ${c} before it was running (see ${opts.logFile})`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await ready.finally(() => clearTimeout(timeout));
  const pid = child.pid ?? 0;
  const sample = (): WorkerSample => ({ at: Date.now(), rss: memoryOf(pid).current, cpuMs: cpuMsOf(pid) });
  const samples: WorkerSample[] = [sample()];
  const sampler = setInterval(() => samples.push(sample()), opts.sampleMs ?? 200);
  let stopping: Promise<{ peakRss: number; code: number | null }> | undefined;
  return {
    pid,
    samples,
    compileChildPeaks,
    stop() {
      stopping ??= (async () => {
        clearInterval(sampler);
        const { peak } = memoryOf(pid);
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(kill);
        await new Promise<void>((r) => log.end(r));
        return { peakRss: peak, code };
      })();
      return stopping;
    },
  };
}
