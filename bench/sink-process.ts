/** Starts bench/sink.ts as a child process and talks to it over its stdin/stdout. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SinkStats } from './sink.js';

export interface SinkProcess {
  port: number;
  pid: number;
  /** `smtp://127.0.0.1:PORT?ignoreTLS=true`, as SMTP_URL. */
  url: string;
  stats(): Promise<SinkStats>;
  reset(): Promise<SinkStats>;
  stop(): Promise<SinkStats | null>;
}

const SINK = fileURLToPath(new URL('./sink.js', import.meta.url));

export async function startSink(name: string): Promise<SinkProcess> {
  const child: ChildProcess = spawn(process.execPath, [SINK], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<(line: unknown) => void> = [];
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(timeoutMs = 10_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sink ${name}: no answer within ${timeoutMs} ms`)), timeoutMs);
      waiting.push((v) => {
        clearTimeout(timer);
        resolve(v as T);
      });
    });
  const { port } = await next<{ port: number }>();
  const ask = (cmd: string) => {
    const answer = next<SinkStats>();
    child.stdin!.write(cmd + '\n');
    return answer;
  };
  return {
    port,
    pid: child.pid ?? 0,
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    stats: () => ask('stats'),
    reset: () => ask('reset'),
    async stop() {
      if (child.exitCode !== null) return null;
      const last = next<SinkStats>(5000).catch(() => null);
      child.kill('SIGTERM');
      const s = await last;
      await exited;
      return s;
    },
  };
}
