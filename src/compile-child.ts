/**
 * The compile process of childProcessEngine (src/compile-engine.ts): answers loadArticles
 * and renderEdition requests over IPC and exits when its parent lets go of it.
 */
import { loadArticles } from './articles/load-articles.js';
import { renderEdition } from './render/render-edition.js';
import type { ChildReply, ChildRequest } from './compile-engine.js';
import { BriefError } from './errors.js';

const fns = {
  loadArticles: (...a: unknown[]) => loadArticles(...(a as Parameters<typeof loadArticles>)),
  renderEdition: (...a: unknown[]) => renderEdition(...(a as Parameters<typeof renderEdition>)),
};

process.on('message', (m: ChildRequest) => {
  void (async () => {
    let reply: ChildReply;
    try {
      reply = { id: m.id, result: await fns[m.fn](...m.args), maxRssKb: process.resourceUsage().maxRSS };
    } catch (err) {
      const e = err as Error;
      reply = {
        id: m.id,
        error: { code: err instanceof BriefError ? err.code : undefined, message: String(e?.message ?? err) },
        maxRssKb: process.resourceUsage().maxRSS,
      };
    }
    process.send?.(reply);
  })();
});
// The parent disconnects when the compile is done, or dies: either way, leave.
process.on('disconnect', () => process.exit(0));
