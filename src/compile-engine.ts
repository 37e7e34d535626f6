import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ArticleSource, LoadArticlesOptions } from './articles/load-articles.js';
import type { Article } from './articles/types.js';
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
  loadArticles(sources: ArticleSource[], opts: LoadArticlesOptions): Promise<{ articles: Article[]; warnings: string[] }>;
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
export type ChildReply = { id: number; result?: unknown; error?: { code?: string; message: string }; maxRssKb: number };

function childEntry(): string {
  const sibling = fileURLToPath(new URL('./compile-child.js', import.meta.url));
  // Under vitest this module is the TypeScript source; the child runs from the build.
  return existsSync(sibling) ? sibling : packagePath('dist', 'src', 'compile-child.js');
}

/**
 * In a short-lived child process, one per compile: a long-running worker compiles once a
 * day and sends all day, so it should not carry the compile's libraries while it sends.
 * The child gets what it needs over IPC and exits when the compile is done; errors come
 * back as the same one-line BriefErrors.
 */
export const childProcessEngine: CompileEngine = {
  async open() {
    const child = fork(childEntry(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Not the parent's flags (an inspector port, --cpu-prof): a plain Node process.
      execArgv: [],
    });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let next = 0;
    let exited: Error | undefined;
    let maxRssKb = 0;
    child.on('message', (m: ChildReply) => {
      maxRssKb = Math.max(maxRssKb, m.maxRssKb ?? 0);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.reject(m.error.code ? new BriefError(m.error.code as ErrorCode, m.error.message) : new Error(m.error.message));
      else p.resolve(m.result);
    });
    const fail = (err: Error) => {
      exited ??= err;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`the compile process ended (${signal ?? `exit code ${code}`}) before answering`)));
    const call = <T>(fn: ChildRequest['fn'], args: unknown[]): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (exited) return reject(exited);
        const id = next++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, fn, args } satisfies ChildRequest);
      });
    return {
      pid: child.pid,
      loadArticles: (sources, opts) => call('loadArticles', [sources, opts]),
      renderEdition: (input) => call('renderEdition', [input]),
      peakRss: () => maxRssKb * 1024,
      close() {
        if (child.connected) child.disconnect();
      },
    };
  },
};
