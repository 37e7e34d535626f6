/**
 * The compile process of childProcessEngine (src/compile-engine.ts): answers loadArticles
 * and renderEdition requests over IPC and exits when its parent lets go of it.
 */
import type { ChildError, ChildReply, ChildRequest } from './compile-engine.js';
import { BriefError } from './errors.js';

// Ctrl-C in a terminal, or a service manager stopping the whole group, signals this process
// too. It is the parent's to stop: the parent finishes (or abandons) the compile and closes
// the channel, and a parent that dies closes it as well. Set before the slow imports below,
// so that a signal during them does not kill the process either.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
process.on('disconnect', () => process.exit(0));
// The parent waits for this before it sends work (or stops waiting if we die first).
process.send?.({ ready: true });

// Requests may arrive while the modules load: the listener is there from the start and
// waits for them.
const modules = Promise.all([
  import('./articles/load-articles.js'),
  import('./render/render-edition.js'),
]);

function childError(err: unknown): ChildError {
  const e = err as Error;
  return {
    name: String(e?.name ?? 'Error'),
    code: err instanceof BriefError ? err.code : undefined,
    message: String(e?.message ?? err),
    stack: typeof e?.stack === 'string' ? e.stack : undefined,
  };
}

function send(reply: ChildReply): void {
  try {
    process.send?.(reply);
  } catch (err) {
    // A result that cannot cross IPC is answered as an error rather than left hanging.
    process.send?.({ id: reply.id, error: childError(err), maxRssKb: reply.maxRssKb });
  }
}

process.on('message', (m: ChildRequest) => {
  void (async () => {
    try {
      const [{ loadArticles }, { renderEdition }] = await modules;
      const fns = {
        loadArticles: (...a: unknown[]) => loadArticles(...(a as Parameters<typeof loadArticles>)),
        renderEdition: (...a: unknown[]) => renderEdition(...(a as Parameters<typeof renderEdition>)),
      };
      const result = await fns[m.fn](...m.args);
      send({ id: m.id, result, maxRssKb: process.resourceUsage().maxRSS });
    } catch (err) {
      send({ id: m.id, error: childError(err), maxRssKb: process.resourceUsage().maxRSS });
    }
  })();
});
