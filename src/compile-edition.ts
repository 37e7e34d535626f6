import type { Redis } from 'ioredis';
import type { BriefConfig, NewsletterConfig } from './config/schema.js';
import { resolveConfigPath } from './config/load.js';
import type { Keys } from './keys.js';
import type { Article } from './articles/types.js';
import { editionWindow, selectEdition, articleKeys, editionId as makeEditionId, inWindow } from './edition/index.js';
import type { EditionContent, EditionWindow } from './edition/types.js';
import { inProcessEngine, type CompileEngine } from './compile-engine.js';
import type { RenderedEdition } from './render/types.js';
import { BriefError } from './errors.js';

export interface CompileDeps {
  /** When given, articles already sent by earlier editions of the newsletter are left out. */
  redis?: Redis;
  keys?: Keys;
  /** Base of the archive ("view in browser") links. */
  publicUrl: string;
  /** Where feeds are read and MJML rendered. @defaultValue inProcessEngine */
  engine?: CompileEngine;
}

export interface CompiledEdition {
  editionId: string;
  window: EditionWindow;
  content: EditionContent;
  rendered: RenderedEdition;
  /** Items skipped while reading feeds, one line each. */
  warnings: string[];
  /** Articles of the window left out of the edition, and why (the editor console shows them). */
  skipped: Array<{ title: string; why: string }>;
  /** False when no Redis was given, so earlier editions were not checked. */
  checkedEarlierEditions: boolean;
  /** Peak memory of the compile process, in bytes, when it ran in a child process. */
  compileRss?: number;
}

export function archiveUrl(publicUrl: string, newsletterId: string, date: string): string {
  return `${publicUrl}/archive/${encodeURIComponent(newsletterId)}/${date}`;
}

/** Reads which of `articles` earlier editions of the newsletter already sent (by id or URL). */
export async function sentBefore(
  redis: Redis,
  keys: Keys,
  newsletterId: string,
  articles: Article[],
  exceptEdition?: string,
): Promise<(a: Article) => boolean> {
  const perArticle = articles.map((a) => articleKeys(a));
  const flat = perArticle.flat();
  if (flat.length === 0) return () => false;
  const found = await redis.hmget(keys.sentArticles(newsletterId), ...flat);
  const sent = new Set<string>();
  // An edition being re-compiled (a retry after a crash) must still see its own articles.
  flat.forEach((k, i) => {
    const by = found[i];
    if (by && by !== exceptEdition) sent.add(k);
  });
  return (a) => articleKeys(a).some((k) => sent.has(k));
}

/**
 * Feeds → window → selection → one MJML compile per variant. The one function behind
 * `brief preview`, `test-send`, and a send's freeze step, so they always agree.
 */
export async function compileEdition(
  config: BriefConfig,
  newsletter: NewsletterConfig,
  date: string,
  deps: CompileDeps,
): Promise<CompiledEdition> {
  const window = editionWindow(newsletter.schedule, newsletter.timezone, date);
  const id = makeEditionId(newsletter.id, date);
  const session = await (deps.engine ?? inProcessEngine).open();
  try {
    const { articles, warnings } = await session.loadArticles(
      newsletter.sources.map((s) => ({
        url: resolveConfigPath(config, s.url),
        label: s.name ?? s.url,
        type: s.type,
        shiftToWindow: s.shiftToWindow,
      })),
      { window: { start: window.start, end: window.end }, membersOnlyTag: newsletter.membersOnlyTag, shiftTo: window.end },
    );
    const alreadySent =
      deps.redis && deps.keys ? await sentBefore(deps.redis, deps.keys, newsletter.id, articles, id) : undefined;
    const content = selectEdition({ newsletter, window, articles, alreadySent });
    const chosen = new Set(content?.articles ?? []);
    const skipped = articles
      .filter((a) => inWindow(window, a.published) && !chosen.has(a))
      .map((a) => ({
        title: a.title,
        why: alreadySent?.(a) ? 'sent in an earlier edition' : `a duplicate of another story, or over maxArticles (${newsletter.maxArticles})`,
      }));
    if (!content) {
      throw new BriefError(
        'EEMPTY',
        `${newsletter.id}: no new articles between ${window.start} and ${window.end} for the edition of ${date}; nothing to send`,
      );
    }
    const rendered = await session.renderEdition({
      newsletter,
      content,
      editionId: id,
      archiveUrl: archiveUrl(deps.publicUrl, newsletter.id, date),
    });
    return { editionId: id, window, content, rendered, warnings, skipped, checkedEarlierEditions: Boolean(deps.redis), compileRss: session.peakRss() };
  } finally {
    session.close();
  }
}
