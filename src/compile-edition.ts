import type { RedisClient } from './redis/connect.js';
import type { BriefConfig, NewsletterConfig } from './config/schema.js';
import { resolveConfigPath } from './config/load.js';
import type { Keys } from './keys.js';
import type { Article, SkipReason, UndatedArticle } from './articles/types.js';
import type { SourceFailure } from './articles/load-articles.js';
import { editionWindow, selectEdition, articleKeys, editionId as makeEditionId, inWindow, editionDateOf } from './edition/index.js';
import type { EditionContent, EditionWindow } from './edition/types.js';
import { inProcessEngine, type CompileEngine } from './compile-engine.js';
import type { RenderedEdition } from './render/types.js';
import { BriefError } from './errors.js';
import { NO_CURATION, isNewArrival, type Curation } from './edition/curation.js';
import { CurationStore } from './delivery/curation-store.js';

export interface CompileDeps {
  /** When given, articles already sent by earlier editions of the newsletter are left out. */
  redis?: RedisClient;
  keys?: Keys;
  /** Base of the archive ("view in browser") links. */
  publicUrl: string;
  /** Where feeds are read and MJML rendered. @defaultValue inProcessEngine */
  engine?: CompileEngine;
  /**
   * Record when undated items were first seen (the freeze of a send does; previews and
   * test sends only read the record, so they never move an item into another edition).
   * @defaultValue false
   */
  recordFirstSeen?: boolean;
  /** @defaultValue Date.now() */
  now?: number;
  /**
   * The editor's curation. @defaultValue read from Redis when `redis` is given (so a
   * preview, a test send and the freeze all apply the same choices), else none
   */
  curation?: Curation;
  /**
   * The compile is the freeze, at this instant (epoch ms): when that is before the
   * occurrence, the window ends here (DESIGN.md: the cut-off is the freeze), and the next
   * edition's window starts here. @defaultValue the window ends at the occurrence
   */
  freezeAt?: number;
}

/** One article of the window as the console's curation shows it. */
export interface CandidateArticle {
  id: string;
  title: string;
  url: string;
  published: string;
  /** The section it is in, "lead", or null when excluded (or over maxArticles). */
  placement: string | null;
  excluded: boolean;
  lead: boolean;
  pick: boolean;
  /** Arrived after the editor last curated: the console marks it. */
  isNew: boolean;
}

export interface CompiledEdition {
  editionId: string;
  window: EditionWindow;
  content: EditionContent;
  rendered: RenderedEdition;
  /** Items skipped while reading feeds, one line each. */
  warnings: string[];
  /** Sources that failed while others were read: the edition goes out without them. */
  failures: SourceFailure[];
  /** Articles of the window left out of the edition, and why (the editor console shows them). */
  skipped: Array<{ title: string; why: string }>;
  /** Every article of the window not sent before, newest first, with the editor's choices. */
  candidates: CandidateArticle[];
  /** The curation that was applied. */
  curation: Curation;
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
  redis: RedisClient,
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
  const id = makeEditionId(newsletter.id, date);
  const window = await cutWindow(editionWindow(newsletter.schedule, newsletter.timezone, date), id, newsletter, deps);
  const session = await (deps.engine ?? inProcessEngine).open();
  try {
    const sources = newsletter.sources.map((s) => ({
      url: resolveConfigPath(config, s.url),
      label: s.name ?? s.url,
      type: s.type,
      shiftToWindow: s.shiftToWindow,
      required: s.required,
      // `{PUBLIC_URL}` lets a file feed's relative links (the bundled example's pictures) point at this server.
      ...(s.baseUrl ? { baseUrl: s.baseUrl.replace(/^\{PUBLIC_URL\}/, deps.publicUrl) } : {}),
    }));
    const loaded = await session.loadArticles(sources, {
      window: { start: window.start, end: window.end },
      membersOnlyTag: newsletter.membersOnlyTag,
      shiftTo: window.end,
    });
    const { warnings, failures } = loaded;
    let articles = loaded.articles;
    if (loaded.undated.length > 0) {
      const placed = await placeUndated(loaded.undated, window, newsletter.id, deps, warnings);
      articles = [...articles, ...placed].sort((a, b) => Date.parse(b.published) - Date.parse(a.published));
    }
    const alreadySent =
      deps.redis && deps.keys ? await sentBefore(deps.redis, deps.keys, newsletter.id, articles, id) : undefined;
    const curation =
      deps.curation ?? (deps.redis && deps.keys ? await new CurationStore({ redis: deps.redis, keys: deps.keys }).read(id) : NO_CURATION);
    const content = selectEdition({ newsletter, window, articles, alreadySent, curation });
    const chosen = new Set(content?.articles ?? []);
    const skipped = articles
      .filter((a) => inWindow(window, a.published) && !chosen.has(a))
      .map((a) => ({
        title: a.title,
        why: alreadySent?.(a)
          ? 'sent in an earlier edition'
          : curation.excluded.has(a.id)
            ? 'excluded by an editor'
            : `a duplicate of another story, or over maxArticles (${newsletter.maxArticles})`,
      }));
    const candidates = candidateList(articles, window, alreadySent, curation, content);
    if (!content) {
      throw new BriefError(
        'EEMPTY',
        `${newsletter.id}: no new articles between ${window.start} and ${window.end} for the edition of ${date}; nothing to send` +
          whyEmpty(articles.length, loaded.skipped, warnings, failures),
      );
    }
    const rendered = await session.renderEdition({
      newsletter,
      content,
      editionId: id,
      archiveUrl: archiveUrl(deps.publicUrl, newsletter.id, date),
    });
    return { editionId: id, window, content, rendered, warnings, failures, skipped, candidates, curation, checkedEarlierEditions: Boolean(deps.redis), compileRss: session.peakRss() };
  } finally {
    session.close();
  }
}

/**
 * The window with its cut-offs: an edition frozen before its occurrence ends at its freeze,
 * and the edition after it starts there (both recorded in the edition's meta), so each
 * article belongs to exactly one edition whenever the freeze happened.
 */
async function cutWindow(window: EditionWindow, id: string, newsletter: NewsletterConfig, deps: CompileDeps): Promise<EditionWindow> {
  let { start, end } = window;
  if (deps.redis && deps.keys) {
    const prevId = makeEditionId(newsletter.id, editionDateOf(window.start, newsletter.timezone));
    const [own, prev] = await Promise.all([
      deps.redis.hget(deps.keys.edition(id), 'cutoff'),
      deps.redis.hget(deps.keys.edition(prevId), 'cutoff'),
    ]);
    // The previous edition's cut-off is at or before its occurrence (this window's start).
    if (prev && Number(prev) < Date.parse(start)) start = new Date(Number(prev)).toISOString();
    if (own && Number(own) < Date.parse(end)) end = new Date(Number(own)).toISOString();
  }
  if (deps.freezeAt !== undefined && deps.freezeAt < Date.parse(end)) end = new Date(Math.max(deps.freezeAt, Date.parse(start) + 1)).toISOString();
  return { ...window, start, end };
}

function candidateList(
  articles: Article[],
  window: EditionWindow,
  alreadySent: ((a: Article) => boolean) | undefined,
  curation: Curation,
  content: EditionContent | null,
): CandidateArticle[] {
  const placement = new Map<Article, string>();
  if (content) {
    placement.set(content.lead, 'lead');
    for (const s of content.sections) for (const a of s.articles) placement.set(a, s.title);
  }
  const picks = new Set(content?.picks ?? []);
  const seen = new Set<string>();
  const out: CandidateArticle[] = [];
  for (const a of articles) {
    if (!inWindow(window, a.published) || alreadySent?.(a) || seen.has(a.id)) continue;
    seen.add(a.id);
    out.push({
      id: a.id,
      title: a.title,
      url: a.url,
      published: a.published,
      placement: placement.get(a) ?? null,
      excluded: curation.excluded.has(a.id),
      lead: content?.lead === a,
      pick: picks.has(a),
      isNew: isNewArrival(curation, a),
    });
  }
  return out.sort((x, y) => Date.parse(y.published) - Date.parse(x.published));
}

/** How many warning lines an empty edition's error repeats. */
const EMPTY_WARNING_LINES = 3;

/**
 * Why an edition is empty, as the rest of its error: the articles read, the skipped items
 * by reason and the first few warning lines, and the sources that failed. Without it the
 * warnings that explain an empty edition vanish with it.
 */
export function whyEmpty(
  read: number, skipped: Partial<Record<SkipReason, number>>, warnings: string[], failures: SourceFailure[],
): string {
  const parts: string[] = [];
  const counts = Object.entries(skipped).filter(([, n]) => n && n > 0).map(([reason, n]) => `${n} ${reason}`);
  parts.push(`; ${read} article${read === 1 ? '' : 's'} read, none in the window or all sent before`);
  if (counts.length > 0) parts.push(`; skipped: ${counts.join(', ')}`);
  const shown = warnings.slice(0, EMPTY_WARNING_LINES);
  const more = warnings.length - shown.length;
  const lines = [...failures.map((f) => `failed: ${f.error}`), ...shown.map((w) => `warning: ${w}`)];
  if (more > 0) lines.push(`… and ${more} more warning${more === 1 ? '' : 's'}`);
  return parts.join('') + lines.map((l) => `\n${l}`).join('');
}

/**
 * Dates items that carry none (RSS 0.91/0.92) by when each was first seen, kept per
 * newsletter and source in Redis, so each lands in exactly one edition. A send's freeze
 * records new items inside its own window (at its cut-off when it runs late), so the
 * edition being sent is the one that takes them; previews only read the record and show
 * new items as the edition would have them. Without Redis they are placed at the window's
 * end, with a warning.
 */
async function placeUndated(
  undated: UndatedArticle[], window: EditionWindow, newsletterId: string, deps: CompileDeps, warnings: string[],
): Promise<Article[]> {
  const end = Date.parse(window.end);
  const start = Date.parse(window.start);
  const now = deps.now ?? Date.now();
  const fresh = deps.recordFirstSeen ? Math.min(end, Math.max(now, start + 1)) : end;
  if (!deps.redis || !deps.keys) {
    warnings.push(`${undated.length} item${undated.length === 1 ? '' : 's'} without a date placed at the window's end: no Redis to keep when each was first seen`);
    return undated.map((a) => ({ ...a, published: new Date(end).toISOString() }));
  }
  const { redis, keys } = deps;
  const bySource = new Map<string, UndatedArticle[]>();
  for (const a of undated) bySource.set(a.source, [...(bySource.get(a.source) ?? []), a]);
  const out: Article[] = [];
  for (const [source, items] of bySource) {
    const key = keys.firstSeen(newsletterId, source);
    const seen = await redis.hmget(key, ...items.map((a) => a.id));
    if (deps.recordFirstSeen) {
      const pipe = redis.pipeline();
      items.forEach((a, i) => {
        if (seen[i] === null) pipe.hsetnx(key, a.id, String(fresh));
      });
      // Items gone from the feed are forgotten, so the record stays as small as the feed.
      const present = new Set(items.map((a) => a.id));
      const known = await redis.hkeys(key);
      const gone = known.filter((k) => !present.has(k));
      if (gone.length > 0) pipe.hdel(key, ...gone);
      await pipe.exec();
    }
    items.forEach((a, i) => {
      const at = seen[i] === null ? fresh : Number(seen[i]);
      out.push({ ...a, published: new Date(Number.isFinite(at) ? at : fresh).toISOString() });
    });
  }
  return out;
}
