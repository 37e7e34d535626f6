import type { App } from '../../wiring.js';
import type { NewsletterConfig } from '../../config/schema.js';
import { BriefError } from '../../errors.js';
import { editionId as makeEditionId, editionWindow, type EditionWindow } from '../../edition/index.js';
import type { EditionStatus } from '../../delivery/edition-store.js';
import { archiveUrl, compileEdition, type CandidateArticle, type CompiledEdition } from '../../compile-edition.js';
import { clipWarning, htmlPartBytes, personalise } from '../../render/index.js';
import type { RenderedEdition, VariantName } from '../../render/types.js';

/** Gmail clips a message whose HTML part is larger than about 102 KB; warn from 10% below it. */
export { CLIP_WARN_BYTES as GMAIL_CLIP_WARN_BYTES, GMAIL_CLIP_BYTES } from '../../render/part-size.js';

/** A compile is reused for this long: the edition page and its preview frame ask for it together. */
const CACHE_MS = 30_000;

export interface EditionView {
  id: string;
  newsletter: NewsletterConfig;
  date: string;
  /** null: never requested (an upcoming edition). */
  status: EditionStatus | null;
  window: EditionWindow;
  /** The content is the frozen one (a send started); else compiled from the feeds now. */
  frozen: boolean;
  subject: string | null;
  /** The lead article (shown first, outside the sections). */
  lead: { title: string; url: string } | null;
  sections: Array<{ title: string; articles: Array<{ title: string; url: string }> }>;
  articleCount: number;
  /** The window's articles with the editor's choices (upcoming editions; empty once frozen). */
  candidates: CandidateArticle[];
  /** The intro note, as saved. */
  note: string | null;
  /** Bytes of the larger variant's HTML part as sent (encoded, with its part headers). */
  htmlBytes: number | null;
  warnings: string[];
}

/** What the edition page shows, compiled once and reused for a few seconds. */
export class EditionViews {
  private readonly cache = new Map<string, { at: number; compiled: Promise<CompiledEdition> }>();

  constructor(private readonly app: App) {}

  private compile(n: NewsletterConfig, date: string): Promise<CompiledEdition> {
    const key = `${n.id}|${date}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.compiled;
    const compiled = compileEdition(this.app.config, n, date, {
      redis: this.app.redis,
      keys: this.app.keys,
      publicUrl: this.app.env.publicUrl,
      engine: this.app.compileEngine,
    });
    for (const [k, v] of this.cache) if (Date.now() - v.at >= CACHE_MS) this.cache.delete(k);
    this.cache.set(key, { at: Date.now(), compiled });
    compiled.catch(() => this.cache.delete(key));
    return compiled;
  }

  /** Drops the cached compile of an edition (its curation changed): the next view compiles again. */
  forget(n: NewsletterConfig, date: string): void {
    this.cache.delete(`${n.id}|${date}`);
  }

  /** Puts a compile made elsewhere (the curate step's) in the cache, so the preview reuses it. */
  remember(n: NewsletterConfig, date: string, compiled: CompiledEdition): void {
    this.cache.set(`${n.id}|${date}`, { at: Date.now(), compiled: Promise.resolve(compiled) });
  }

  async get(n: NewsletterConfig, date: string): Promise<EditionView> {
    const id = makeEditionId(n.id, date);
    const window = editionWindow(n.schedule, n.timezone, date);
    const [status, frozenContent] = await Promise.all([this.app.editions.get(id), this.app.editions.content(id)]);
    const warnings: string[] = [];
    let compiled: CompiledEdition | undefined;
    try {
      compiled = await this.compile(n, date);
    } catch (err) {
      if (!(err instanceof BriefError)) throw err;
      // A frozen edition has its content whatever the feeds say now.
      if (!frozenContent) {
        warnings.push(err.code === 'EEMPTY' ? `No articles: ${err.message}` : err.code === 'EFEED' ? `A source failed: ${err.message}` : err.message);
      }
    }
    if (compiled) {
      warnings.push(...compiled.warnings.map((w) => `Skipped while reading the feeds: ${w}`));
      warnings.push(...compiled.skipped.map((s) => `Skipped "${s.title}": ${s.why}`));
    }
    const rendered: RenderedEdition | undefined = frozenContent ?? compiled?.rendered;
    const htmlBytes = rendered ? htmlPartBytes(rendered) : null;
    const nearClip = htmlBytes === null ? null : clipWarning(htmlBytes);
    if (nearClip) warnings.push(nearClip.replace(/^size/, 'Size'));
    const sections = compiled?.content.sections.map((s) => ({ title: s.title, articles: s.articles.map((a) => ({ title: a.title, url: a.url })) })) ?? [];
    return {
      id,
      newsletter: n,
      date,
      status,
      // With its cut-offs (an early freeze of this edition or the one before), as compiled.
      window: compiled?.window ?? window,
      frozen: Boolean(frozenContent),
      subject: rendered?.subject ?? null,
      lead: compiled ? { title: compiled.content.lead.title, url: compiled.content.lead.url } : null,
      sections,
      articleCount: status?.articles || compiled?.content.articles.length || 0,
      htmlBytes,
      warnings,
      candidates: frozenContent ? [] : (compiled?.candidates ?? []),
      note: compiled?.curation.note ?? null,
    };
  }

  /** The preview's HTML for a sample reader: the frozen content when the send started, else a compile. */
  async previewHtml(n: NewsletterConfig, date: string, variant: VariantName): Promise<string> {
    const id = makeEditionId(n.id, date);
    const rendered = (await this.app.editions.content(id)) ?? (await this.compile(n, date)).rendered;
    return personalise(rendered.variants[variant], {
      name: 'Reader',
      email: 'reader@example.org',
      unsubscribeUrl: `${this.app.env.publicUrl}/u/preview`,
      preferencesUrl: `${this.app.env.publicUrl}/p/preview`,
      viewInBrowserUrl: archiveUrl(this.app.env.publicUrl, n.id, date),
    }).html;
  }
}
