import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ArticleSource, LoadArticlesOptions, LoadedArticles } from './articles/load-articles.js';
import type { RenderEditionInput } from './render/render-edition.js';
import type { RenderedEdition } from './render/types.js';
import { BriefError, type ErrorCode } from './errors.js';
import { packagePath } from './paths.js';

/**
 * The heavy half of a compile: reading feeds (XML parsers, encodings, HTML-to-text) and
 * rendering MJML. Together they load some 90 MB of libraries that a process keeps for
 * good once loaded.
 */
export interface CompileSession {
  loadArticles(sources: ArticleSource[], opts: LoadArticlesOptions): Promise<LoadedArticles>;
  renderEdition(input: RenderEditionInput): Promise<RenderedEdition>;
  /** Peak resident memory of a child process so far, in bytes; undefined in this process. */
  peakRss(): number | undefined;
  /** The child process's pid; undefined in this process. */
  readonly pid?: number;
  close(): void;
}

export interface CompileEngine {
  open(): Promise<CompileSession>;
}

/** In this process, loaded on first use: the CLI's one-shot commands, tests, the benchmark. */
export const inProcessEngine: CompileEngine = {
  async open() {
    const [{ loadArticles }, { renderEdition }] = await Promise.all([
      import('./articles/load-articles.js'),
      import('./render/render-edition.js'),
    ]);
    return { loadArticles, renderEdition, peakRss: () => undefined, close() {} };
  },
};

/** Messages between the parent and src/compile-child.ts. */
export type ChildRequest = { id: number; fn: 'loadArticles' | 'renderEdition'; args: unknown[] };
export interface ChildError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
}
export type ChildReply = { id: number; result?: unknown; error?: ChildError; maxRssKb: number };
/** The child's first message, once its signal handlers are in place. */
export type ChildReady = { ready: true };

/** How long one call (reading every feed, or rendering) may take before the child is killed. */
export const COMPILE_CALL_TIMEOUT_MS = 5 * 60_000;
/** How long a closed child may take to exit on its own before it is killed. */
const EXIT_GRACE_MS = 5_000;

function childEntry(): string {
  const sibling = fileURLToPath(new URL('./compile-child.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  // Under vitest this module is the TypeScript source: the child runs from the build, which
  // `npm test` makes first.
  const built = packagePath('dist', 'src', 'compile-child.js');
  if (existsSync(built)) return built;
  throw new BriefError('ECOMPILE', `the compile process needs the build (${built} is missing): run \`npm run build\``);
}

/** The child's error, as the same class where it is ours, with the child's stack. */
function revive(e: ChildError): Error {
  const err = e.code ? new BriefError(e.code as ErrorCode, e.message) : new Error(e.message);
  if (!e.code) err.name = e.name;
  if (e.stack) err.stack = `${err.name}: ${e.message}\n    [in the compile process]\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

/**
 * In a short-lived child process, one per compile: a long-running worker compiles once a
 * day and sends all day, so it should not carry the compile's libraries while it sends.
 * The child gets what it needs over IPC and exits when the compile is done; errors come
 * back as the same one-line BriefErrors. A call that takes longer than
 * COMPILE_CALL_TIMEOUT_MS kills the child; so does a child that does not exit once closed.
 */
export const childProcessEngine: CompileEngine = {
  async open() {
    const child = fork(childEntry(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Not the parent's flags (an inspector port, --cpu-prof): a plain Node process.
      execArgv: [],
    });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
    let next = 0;
    let exited: Error | undefined;
    let maxRssKb = 0;
    const settle = (id: number) => {
      const p = pending.get(id);
      if (p) {
        pending.delete(id);
        clearTimeout(p.timer);
      }
      return p;
    };
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    child.on('message', (m: ChildReply | ChildReady) => {
      if ('ready' in m) return ready();
      maxRssKb = Math.max(maxRssKb, m.maxRssKb ?? 0);
      const p = settle(m.id);
      if (!p) return;
      if (m.error) p.reject(revive(m.error));
      else p.resolve(m.result);
    });
    const fail = (err: Error) => {
      exited ??= err;
      for (const id of [...pending.keys()]) settle(id)?.reject(err);
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new BriefError('ECOMPILE', `the compile process ended (${signal ?? `exit code ${code}`}) before answering`)));
    await Promise.race([started, new Promise<never>((_, reject) => child.once('exit', () => reject(exited)))]);
    const call = <T>(fn: ChildRequest['fn'], args: unknown[]): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (exited) return reject(exited);
        const id = next++;
        const timer = setTimeout(() => {
          settle(id)?.reject(new BriefError('ECOMPILE', `the compile process did not finish ${fn} within ${COMPILE_CALL_TIMEOUT_MS / 1000} s; it was stopped`));
          child.kill('SIGKILL');
        }, COMPILE_CALL_TIMEOUT_MS);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, fn, args } satisfies ChildRequest, (err) => {
          if (err) settle(id)?.reject(err);
        });
      });
    return {
      pid: child.pid,
      loadArticles: (sources, opts) => call('loadArticles', [sources, opts]),
      renderEdition: (input) => call('renderEdition', [input]),
      peakRss: () => maxRssKb * 1024,
      close() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (child.connected) child.disconnect();
        // It exits when its channel closes; one that is stuck is not left behind.
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }, EXIT_GRACE_MS).unref();
      },
    };
  },
};
