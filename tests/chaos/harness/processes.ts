import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BIN = path.join(ROOT, 'bin', 'brief.js');

/** The suites run the built CLI: `npm test` and `npm run test:chaos` build dist/ first. */
export function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (npm test and npm run test:chaos do) before these tests');
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The last part of a process's stderr, kept for error messages. */
const TAIL = 16 * 1024;

/**
 * One `brief` process: stderr goes to a log file, a bounded in-memory tail and a bounded
 * head (the start-up lines, which a failover's retry warnings push out of the tail).
 */
export class BriefProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private tail = '';
  private head = '';
  private stdoutText = '';
  private readonly log: WriteStream;
  private readonly waiters: Array<{ re: RegExp; resolve: () => void }> = [];

  constructor(
    readonly args: string[],
    env: NodeJS.ProcessEnv,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    this.log.on('error', () => {});
    this.child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    this.exited = new Promise<Exit>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.log.end();
        resolve(this.exit);
      });
    });
    this.child.once('error', (err) => {
      this.tail += `\nspawn error: ${err.message}`;
    });
    this.child.stdout!.on('data', (c: Buffer) => {
      this.stdoutText = (this.stdoutText + c.toString('utf8')).slice(-TAIL);
    });
    this.child.stderr!.on('data', (c: Buffer) => {
      this.log.write(c);
      const text = c.toString('utf8');
      if (this.head.length < TAIL) this.head = (this.head + text).slice(0, TAIL);
      this.tail = (this.tail + text).slice(-TAIL);
      for (const w of [...this.waiters]) {
        if (w.re.test(this.tail)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stderr(): string {
    return this.tail;
  }

  /** The first part of stderr: what the process said as it started. */
  get stderrHead(): string {
    return this.head;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Waits until stderr matches `re`; fails if the process exits first or `timeoutMs` passes. */
  async waitForStderr(re: RegExp, timeoutMs: number, what: string): Promise<void> {
    if (re.test(this.tail)) return;
    let timer: NodeJS.Timeout | undefined;
    const waiter = { re, resolve: () => {} };
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          waiter.resolve = resolve;
          this.waiters.push(waiter);
        }),
        this.exited.then((e) => {
          throw new Error(`brief ${this.args[0]} (pid ${this.pid}) exited (${e.code ?? e.signal}) before ${what}:\n${this.tail.slice(-3000)}`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`brief ${this.args[0]} (pid ${this.pid}): no ${what} within ${timeoutMs} ms:\n${this.tail.slice(-3000)}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits for the exit, at most `timeoutMs`; undefined if it did not exit in time. */
  async waitExit(timeoutMs: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.exited,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return r;
  }

  /** SIGKILL and wait for the exit (bounded). */
  async killHard(): Promise<void> {
    if (!this.running) return;
    this.kill('SIGKILL');
    await this.waitExit(5000);
  }
}

/**
 * Every process a test starts, so that `killAll` in afterEach ends them whether the test
 * passed or failed. Processes are ended by their own pid only.
 */
export class ProcessGroup {
  private readonly all: BriefProcess[] = [];
  private n = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
  ) {}

  start(args: string[], extraEnv: NodeJS.ProcessEnv = {}): BriefProcess {
    const p = new BriefProcess(args, { ...this.env, ...extraEnv }, path.join(this.logDir, `${args[0]}-${++this.n}.log`));
    this.all.push(p);
    return p;
  }

  /** A `brief worker` process, resolved once it says it is running. */
  async worker(configFile: string, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<BriefProcess> {
    const p = this.start(['worker', '--config', configFile], extraEnv);
    await p.waitForStderr(/worker \S+ running/, timeoutMs, 'the "running" line');
    return p;
  }

  /** Runs a one-shot command to its end (bounded). */
  async run(args: string[], timeoutMs = 60_000, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const p = this.start(args, extraEnv);
    const e = await p.waitExit(timeoutMs);
    if (!e) {
      await p.killHard();
      throw new Error(`brief ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${p.stderr.slice(-3000)}`);
    }
    return { code: e.code, stdout: p.stdout, stderr: p.stderr };
  }

  get processes(): readonly BriefProcess[] {
    return this.all;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.all.map((p) => p.killHard()));
  }
}
