/**
 * Runs the built `brief` command (bin/brief.js → dist/) as a child process, the way a user
 * does. Build first: `npx tsc -p tsconfig.json` (npm test does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(REPO, 'bin', 'brief.js');
export const FIXTURES = path.join(REPO, 'tests', 'fixtures', 'cli');
export const SECRET = 'cli-test-secret-0123456789abcdef';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the empty last one. */
  errLines: string[];
  ms: number;
  /** Date.now() when the process ended. */
  endedAt: number;
}

export interface BriefEnv {
  /** A fresh key prefix per test (tests/helpers/redis.ts testRedis().prefix). */
  prefix: string;
  smtpUrl?: string;
  extra?: Record<string, string>;
}

/**
 * The child's environment: the test Redis, a fresh prefix and a secret; nothing of the
 * caller's brief settings leaks in.
 */
export function childEnv(e: BriefEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['SMTP_URL', 'BRIEF_PREFIX', 'BRIEF_SECRET', 'PUBLIC_URL', 'DEBUG', 'LOG_LEVEL', 'PORT', 'BRIEF_ADMIN_TOKEN']) delete env[k];
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is unset: tests/global-setup.ts starts a throwaway Redis');
  return {
    ...env,
    REDIS_URL: redisUrl,
    BRIEF_PREFIX: e.prefix,
    BRIEF_SECRET: SECRET,
    PUBLIC_URL: 'https://brief.example.org',
    LOG_LEVEL: 'warn',
    NO_COLOR: '1',
    ...(e.smtpUrl ? { SMTP_URL: e.smtpUrl } : {}),
    ...e.extra,
  };
}

/** `brief ARGS…` to completion (killed after `timeoutMs`). */
export function brief(args: string[], opts: BriefEnv & { cwd: string; timeoutMs?: number }): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: childEnv(opts),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 45_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, errLines: stderr.split('\n').filter((l) => l !== ''), ms: Date.now() - started, endedAt: Date.now() });
    });
  });
}

/** A long-running `brief …` (the worker), with its stderr collected as it comes. */
export interface Background {
  child: ChildProcess;
  stderr(): string;
  /** Resolves when stderr contains `text` (rejects after `timeoutMs` or if the process exits first). */
  waitForStderr(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code, or the signal that ended it. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function briefInBackground(args: string[], opts: BriefEnv & { cwd: string }): Background {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: childEnv(opts), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const waiters = new Set<() => void>();
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
    for (const w of waiters) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  return {
    child,
    stderr: () => err,
    exited: () => exit,
    waitForStderr(text, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          const hit = typeof text === 'string' ? err.includes(text) : text.test(err);
          if (hit) {
            done();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`brief ${args.join(' ')} exited before printing ${String(text)}; stderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`brief ${args.join(' ')} did not print ${String(text)} within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** A temp folder holding copies of the named fixtures; `cleanup()` removes it. */
export function tempDir(fixtures: string[] = []): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-cli-'));
  for (const f of fixtures) copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a config file into `dir` and returns its path. */
export function writeConfig(dir: string, name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A newsletter entry with the fields every test config shares. */
export function newsletter(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'daily',
    title: 'The CLI Test Brief',
    from: 'The CLI Test Brief <brief@example.org>',
    timezone: 'Asia/Tbilisi',
    schedule: '0 8 * * *',
    lists: ['daily'],
    sources: [{ type: 'rss', url: './rss.xml' }],
    ...fields,
  };
}

/** What a failed run printed, for assertion messages. */
export function shown(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}
