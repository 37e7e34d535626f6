import type { BriefConfig, NewsletterConfig } from '../config/schema.js';
import { getNewsletter } from '../config/load.js';
import { parseEditionId } from '../edition/index.js';
import type { RenderedEdition } from '../render/types.js';
import type { SubscriberStore } from '../subscribers/index.js';
import { PermanentSendError, TemporarySendError } from '../errors.js';
import { CLAIM_SEND, type EditionStore } from './edition-store.js';
import type { MailTransport } from './transport.js';
import type { RateLimiter } from './rate-limiter.js';
import { buildMessage, type MessageContext } from './build-message.js';
import { parseBatchEntry } from './snapshot.js';
import { archiveUrl } from '../compile-edition.js';
import type { Logger } from '../logger.js';
import type { MetricsStore } from './metrics-store.js';
import type { VerpIndex } from './verp.js';

export interface BatchSenderDeps {
  config: BriefConfig;
  editions: EditionStore;
  subscribers: SubscriberStore;
  transport: MailTransport;
  limiter: RateLimiter;
  metrics: MetricsStore;
  publicUrl: string;
  secret: string;
  logger: Logger;
  /** With `config.bounces.domain`: resolves VERP return paths back to edition and recipient. */
  verp?: VerpIndex;
}

export interface BatchRun {
  editionId: string;
  batch: number;
  /**
   * This run of the batch (BullMQ's lock token for this attempt). The newest run owns the
   * batch; an older run still alive stops at its next step instead of sending alongside.
   */
  token: string;
  /** Attempts already made of this batch (BullMQ's attemptsMade). */
  attemptsMade: number;
  /** Attempts allowed; on the last one, temporary failures become final. */
  maxAttempts: number;
  /** True once the worker is shutting down: stop taking recipients, finish those in flight. */
  stopping: () => boolean;
}

/**
 * - done: every recipient has a final outcome (or the edition was cancelled)
 * - parked: the edition is paused; resume enqueues the batch again
 * - stopped: the worker is shutting down; run the batch again later
 * - retry: some recipients failed temporarily; retry the batch with backoff
 * - superseded: another run took the batch over (this one's lock had expired); leave it
 */
export type BatchOutcome =
  | { kind: 'done' | 'parked' | 'stopped' | 'ignored' | 'superseded' }
  | { kind: 'retry'; temporary: number; sample: string };

/** Recipients checked and claimed per Redis round trip; also how often pause/cancel is read. */
const CHUNK = 100;

/** Members get the member variant; everyone else the public one (with the membership call). */
export function isMember(attributes: Record<string, string> | undefined): boolean {
  const v = attributes?.member?.toLowerCase();
  return v === 'true' || v === 'yes' || v === '1';
}

/** Runs one send-batch: the heart of "exactly once per subscriber". */
export class BatchSender {
  private readonly content = new Map<string, RenderedEdition>();

  constructor(private readonly deps: BatchSenderDeps) {}

  private async loadContent(editionId: string): Promise<RenderedEdition | null> {
    let c = this.content.get(editionId);
    if (!c) {
      const loaded = await this.deps.editions.content(editionId);
      if (!loaded) return null;
      c = loaded;
      // A handful of editions at most are live at once; keep the cache from growing.
      if (this.content.size >= 8) this.content.delete(this.content.keys().next().value!);
      this.content.set(editionId, c);
    }
    return c;
  }

  async run(run: BatchRun): Promise<BatchOutcome> {
    const { editions, subscribers, logger } = this.deps;
    const { editionId, batch } = run;
    const state = await editions.state(editionId);
    if (state === 'cancelled') {
      await editions.batchDone(editionId, batch);
      return { kind: 'done' };
    }
    if (state === 'paused' && (await editions.park(editionId, batch))) return { kind: 'parked' };
    if (state !== 'sending' && state !== 'paused') return { kind: 'ignored' };

    // From here on this run owns the batch: a run still going elsewhere stops.
    await editions.own(editionId, batch, run.token);
    const rendered = await this.loadContent(editionId);
    if (!rendered) throw new Error(`${editionId}: no frozen content`);
    const { newsletter: newsletterId, date } = parseEditionId(editionId);
    const newsletter: NewsletterConfig = getNewsletter(this.deps.config, newsletterId);
    const ctx: MessageContext = {
      newsletter,
      editionId,
      archiveUrl: archiveUrl(this.deps.publicUrl, newsletterId, date),
      publicUrl: this.deps.publicUrl,
      secret: this.deps.secret,
      bounceDomain: this.deps.verp ? this.deps.config.bounces.domain : undefined,
      espMetadata: Boolean(this.deps.config.bounces.webhooks.postmark),
    };
    const entries = (await editions.batchEntries(editionId, batch)).map(parseBatchEntry);
    const lastAttempt = run.attemptsMade + 1 >= run.maxAttempts;
    const temporary: Array<{ email: string; err: TemporarySendError }> = [];
    const inFlight = new Set<Promise<void>>();
    const maxInFlight = Math.max(2, (this.deps.config.delivery.poolSize ?? 5) * 2);
    let stoppedFor: 'paused' | 'cancelled' | 'stopping' | 'superseded' | null = null;
    const counts = { sent: 0, suppressed: 0, skipped: 0 };
    /** Set when a recorded outcome says another run owns the batch now. */
    let superseded = false;
    const attempts = run.attemptsMade + 1;
    const mark = async (email: string, kind: Parameters<EditionStore['mark']>[2], detail = '', reply = '') => {
      const r = await editions.mark(editionId, email, kind, batch, detail, run.token, { attempts, at: Date.now(), reply });
      if (r.superseded) superseded = true;
      return r.changed;
    };

    const sendOne = async (email: string, name: string | undefined, list: string, member: boolean) => {
      await this.deps.limiter.acquire();
      const variant = rendered.variants[member ? 'member' : 'public'];
      try {
        const msg = buildMessage(ctx, variant, { email, name, list });
        const sent = await this.deps.transport.send(msg);
        await mark(email, 's', '', sent.response);
        counts.sent++;
        this.deps.metrics.incr('sent', newsletterId);
      } catch (err) {
        if (err instanceof PermanentSendError) {
          // 5xx: this address will not take mail; suppress it everywhere and go on.
          await mark(email, 'x', String(err.responseCode), err.message);
          await subscribers.suppress(email, `${err.responseCode} ${err.message}`.slice(0, 200));
          await subscribers.setStatus(list, email, 'bounced').catch(() => null);
          counts.suppressed++;
          this.deps.metrics.incr('failed_permanent', newsletterId);
          this.deps.metrics.incr('suppressed', newsletterId);
        } else {
          const t = err instanceof TemporarySendError ? err : new TemporarySendError(String((err as Error)?.message ?? err));
          await mark(email, 't', String(t.responseCode ?? 'conn'), t.message);
          temporary.push({ email, err: t });
          this.deps.metrics.incr('failed_temporary', newsletterId);
        }
      }
    };

    for (let i = 0; i < entries.length && !stoppedFor; i += CHUNK) {
      if (run.stopping()) {
        stoppedFor = 'stopping';
        break;
      }
      // Pause and cancel take effect here, within one batch.
      const now = await editions.state(editionId);
      if (now === 'cancelled') stoppedFor = 'cancelled';
      else if (now === 'paused') stoppedFor = 'paused';
      if (stoppedFor) break;

      const chunk = entries.slice(i, i + CHUNK);
      const emails = chunk.map((e) => e.email);
      const claims = await editions.claim(editionId, batch, emails, run.token);
      if (claims === 'superseded') {
        stoppedFor = 'superseded';
        break;
      }
      const byList = new Map<string, number[]>();
      chunk.forEach((e, j) => {
        if (claims[j] !== CLAIM_SEND) return;
        const idx = byList.get(e.list) ?? [];
        idx.push(j);
        byList.set(e.list, idx);
      });
      if (byList.size === 0) continue;
      const claimed = [...byList.values()].flat();
      // Before any message goes out, so a DSN that comes back at once resolves.
      if (ctx.bounceDomain) await this.deps.verp?.remember(editionId, claimed.map((j) => chunk[j]!.email));
      const suppressedFlags = await subscribers.suppressedMany(claimed.map((j) => chunk[j]!.email));
      const suppressed = new Set(claimed.filter((_, k) => suppressedFlags[k]));
      for (const [list, idxs] of byList) {
        if (stoppedFor) break;
        const records = await subscribers.getMany(list, idxs.map((j) => chunk[j]!.email));
        for (let k = 0; k < idxs.length; k++) {
          // A shutdown stops taking recipients at once; those claimed but not sent stay
          // claimed by this batch, which runs again later and sends them.
          if (run.stopping()) {
            stoppedFor = 'stopping';
            break;
          }
          if (superseded) {
            stoppedFor = 'superseded';
            break;
          }
          const j = idxs[k]!;
          const email = chunk[j]!.email;
          const rec = records[k];
          // Unsubscribed (or bounced, or suppressed) after the snapshot: skip, never send.
          if (!rec || rec.status !== 'active' || suppressed.has(j)) {
            if (await mark(email, 'k', rec ? rec.status : 'removed')) counts.skipped++;
            continue;
          }
          const p = sendOne(email, rec.name, list, isMember(rec.attributes)).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
        }
      }
    }
    // Messages in flight are finished and recorded whatever stopped us.
    await Promise.all(inFlight);

    if (superseded) stoppedFor = 'superseded';
    logger.info({ editionId, batch, ...counts, temporary: temporary.length, stoppedFor }, 'batch pass');
    if (stoppedFor === 'superseded') {
      // Whatever this run recorded stands; the run that owns the batch now does the rest.
      logger.warn({ editionId, batch }, 'batch taken over by another run (this one outlived its lock); stopped');
      return { kind: 'superseded' };
    }
    if (stoppedFor === 'stopping') return { kind: 'stopped' };
    if (stoppedFor === 'paused') {
      if (await editions.park(editionId, batch)) {
        await editions.replicated(editionId);
        return { kind: 'parked' };
      }
      // Resumed meanwhile: run the batch again to pick up where it stopped.
      return this.run(run);
    }
    if (stoppedFor === 'cancelled') {
      await editions.batchDone(editionId, batch);
      await editions.replicated(editionId);
      return { kind: 'done' };
    }
    if (temporary.length && !lastAttempt) {
      // The sample ends up in the job's failedReason, kept in Redis: without the address, so
      // that forgetting an address leaves no copy of it in BullMQ's keys.
      return { kind: 'retry', temporary: temporary.length, sample: temporary[0]!.err.message.split(temporary[0]!.email).join('<recipient>') };
    }
    for (const t of temporary) {
      await editions.mark(editionId, t.email, 'f', batch, String(t.err.responseCode ?? 'conn'), '', { attempts, at: Date.now(), reply: t.err.message });
      this.deps.metrics.incr('failed', newsletterId);
    }
    const after = await editions.batchDone(editionId, batch);
    // Before BullMQ records the job complete (on the queues' primary, maybe another one).
    await editions.replicated(editionId);
    if (after === 'sent') logger.info({ editionId }, 'edition sent');
    return { kind: 'done' };
  }
}
