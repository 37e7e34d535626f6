import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import type { Queue } from 'bullmq';
import type { BriefConfig } from '../config/schema.js';
import { getNewsletter } from '../config/load.js';
import type { Keys } from '../keys.js';
import { BriefError, quote } from '../errors.js';
import { articleKeys, assertEditionDate, editionId as makeEditionId, editionWindow, parseEditionId } from '../edition/index.js';
import { archiveUrl, compileEdition } from '../compile-edition.js';
import type { MetricsStore } from './metrics-store.js';
import type { CompileEngine } from '../compile-engine.js';
import type { SubscriberStore } from '../subscribers/index.js';
import type { Logger } from '../logger.js';
import { EditionStore, type EditionState, type EditionStatus } from './edition-store.js';
import { takeSnapshot } from './snapshot.js';
import type { MailTransport } from './transport.js';
import { buildMessage, messageIdFor, fromDomain } from './build-message.js';
import { BATCH_JOB, PREPARE_JOB, batchJobId, prepareJobId, type BatchJobData, type PrepareJobData } from './queues.js';
import { normaliseAddress } from '../subscribers/index.js';
import { CurationStore, type CurationChange } from './curation-store.js';
import { MAX_NOTE_CHARS } from '../edition/curation.js';
import type { CompiledEdition } from '../compile-edition.js';

export interface EditionServiceDeps {
  config: BriefConfig;
  redis: RedisClient;
  keys: Keys;
  editions: EditionStore;
  subscribers: SubscriberStore;
  editionsQueue: Queue<PrepareJobData>;
  batchQueue: Queue<BatchJobData>;
  publicUrl: string;
  logger: Logger;
  /** Where editions are compiled (in this process, or a child process per compile). */
  compileEngine?: CompileEngine;
  /** Counts feed errors for /metrics (brief_feed_errors_total). */
  metrics?: MetricsStore;
}

/**
 * Editions as editors and the scheduler see them: ask for one (idempotent per newsletter and
 * date), prepare it (compile, freeze, snapshot, fan out), pause, resume, cancel.
 */
export class EditionService {
  constructor(private readonly deps: EditionServiceDeps) {}

  get store(): EditionStore {
    return this.deps.editions;
  }

  get curations(): CurationStore {
    return new CurationStore({ redis: this.deps.redis, keys: this.deps.keys });
  }

  /**
   * Compiles the edition `id` as it would be frozen now, with its curation: what the console
   * and `curate` show. Frozen editions compile too (the feeds now), so callers check state.
   */
  async compileFor(id: string): Promise<CompiledEdition> {
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    return compileEdition(this.deps.config, newsletter, date, {
      redis: this.deps.redis,
      keys: this.deps.keys,
      publicUrl: this.deps.publicUrl,
      engine: this.deps.compileEngine,
    });
  }

  /**
   * Saves an editor's change to an upcoming edition's curation. Every article id must be an
   * article of the edition's window (else EINPUT naming it); an edition already frozen
   * cannot change (ESTATE). The articles the editor now sees are no longer "new".
   */
  async curate(id: string, change: CurationChange): Promise<CompiledEdition> {
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    assertEditionDate(date);
    editionWindow(newsletter.schedule, newsletter.timezone, date);
    const canonical = makeEditionId(newsletter.id, date);
    if (await this.deps.editions.isFrozen(canonical)) {
      const st = await this.deps.editions.state(canonical);
      throw new BriefError('ESTATE', `cannot curate ${canonical}: it is frozen (${st})`);
    }
    if (change.note && change.note.length > MAX_NOTE_CHARS) {
      throw new BriefError('EINPUT', `note: ${change.note.length} characters; at most ${MAX_NOTE_CHARS}`);
    }
    const before = await this.compileFor(canonical);
    const known = new Set(before.candidates.map((c) => c.id));
    const check = (what: string, ids: string[] | undefined) => {
      for (const a of ids ?? []) {
        if (!known.has(a)) {
          throw new BriefError('EINPUT', `${what}: no article ${quote(a)} in ${canonical} (its articles: ${[...known].join(', ') || 'none'})`);
        }
      }
    };
    check('exclude', change.exclude);
    check('include', change.include);
    check('pick', change.pick);
    check('unpick', change.unpick);
    if (change.lead) check('lead', [change.lead]);
    if (change.order) check(`order of ${quote(change.order.section)}`, change.order.ids);
    const excludedAfter = new Set([...before.curation.excluded, ...(change.exclude ?? [])]);
    for (const a of change.include ?? []) excludedAfter.delete(a);
    const lead = change.lead !== undefined ? change.lead : before.curation.lead;
    if (lead && excludedAfter.has(lead)) throw new BriefError('EINPUT', `lead: ${quote(lead)} is excluded; include it first`);
    await this.curations.update(canonical, { ...change, known: [...known] });
    this.deps.logger.info({ editionId: canonical, change: Object.keys(change) }, 'edition curated');
    return this.compileFor(canonical);
  }

  /**
   * Asks for the edition of `date`. Whoever asks first creates it; everyone else (the
   * scheduler firing twice, an editor, a retry) gets the same edition and no second send.
   */
  async request(newsletterId: string, date: string): Promise<{ created: boolean; status: EditionStatus }> {
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    assertEditionDate(date); // EDATE for 0000-01-01 or 9999-12-31: nothing is created
    editionWindow(newsletter.schedule, newsletter.timezone, date); // EDATE for a date without an edition
    const id = makeEditionId(newsletter.id, date);
    const { created } = await this.deps.editions.create(id, newsletter.id, date);
    let jobId = prepareJobId(id);
    if (!created && (await this.deps.editions.retryUnsent(id))) {
      // It failed before anything was frozen or sent (no articles yet, a feed down): asking
      // again tries again, under a new job id since the old prepare job is finished.
      jobId = `${jobId}-retry${Date.now()}`;
      this.deps.logger.info({ editionId: id }, 'edition requested again after a failure before sending');
    }
    // The job id makes a second add a no-op; the state lock in prepare covers the rest.
    await this.deps.editionsQueue.add(PREPARE_JOB, { editionId: id }, { jobId });
    const status = await this.deps.editions.get(id);
    if (created) this.deps.logger.info({ editionId: id }, 'edition requested');
    return { created, status: status! };
  }

  async status(id: string): Promise<EditionStatus> {
    const s = await this.deps.editions.get(id);
    if (!s) throw new BriefError('ENOTFOUND', `no edition ${quote(id)}`);
    return s;
  }

  async list(newsletterId?: string): Promise<EditionStatus[]> {
    const ids = newsletterId
      ? await this.deps.editions.ids(getNewsletter(this.deps.config, newsletterId).id)
      : (await Promise.all(this.deps.config.newsletters.map((n) => this.deps.editions.ids(n.id)))).flat();
    const all = await Promise.all(ids.map((id) => this.deps.editions.get(id)));
    return all.filter((s): s is EditionStatus => s !== null).sort((a, b) => (a.date < b.date ? 1 : -1));
  }

  /**
   * The prepare job: compile and freeze (once), take the snapshot (resumable) and fan out
   * batches. Holding the state as a lock makes a stale or duplicated job harmless.
   */
  async prepare(id: string): Promise<void> {
    const { editions, logger } = this.deps;
    const status = await editions.get(id);
    if (!status) return;
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    if (status.state === 'scheduled') {
      if (!(await editions.isFrozen(id))) {
        let compiled;
        try {
          compiled = await compileEdition(this.deps.config, newsletter, date, {
            redis: this.deps.redis,
            keys: this.deps.keys,
            publicUrl: this.deps.publicUrl,
            engine: this.deps.compileEngine,
            recordFirstSeen: true,
          });
        } catch (err) {
          // Every source failing (or a required one) fails this compile with one line per
          // source: the edition waits (state scheduled) to be asked again, and its status
          // shows why.
          if (err instanceof BriefError && err.code === 'EFEED') {
            await editions.noteError(id, err.message);
            const lines = err.message.split('\n');
            for (const s of newsletter.sources) {
              const label = s.name ?? s.url;
              if (lines.some((l) => l.startsWith(`${label}:`) || l.startsWith(`${label} (page `))) this.deps.metrics?.incrFeedError(newsletter.id, label);
            }
          }
          if (err instanceof BriefError && (err.code === 'EEMPTY' || err.code === 'EDATE')) {
            await editions.fail(id, err.message);
            logger.warn({ editionId: id, code: err.code }, err.message);
            return;
          }
          throw err;
        }
        for (const w of compiled.warnings) logger.warn({ editionId: id }, w);
        for (const f of compiled.failures) {
          logger.error({ editionId: id, source: f.source }, `feed failed; the edition goes out without it: ${f.error}`);
          this.deps.metrics?.incrFeedError(newsletter.id, f.source);
        }
        await editions.freeze(id, newsletter.id, compiled.rendered, {
          count: compiled.content.articles.length,
          keys: compiled.content.articles.flatMap((a) => articleKeys(a)),
          feedErrors: compiled.failures,
        });
        logger.info(
          {
            editionId: id,
            articles: compiled.content.articles.length,
            compileRssMb: compiled.compileRss ? Math.round(compiled.compileRss / 1048576) : undefined,
          },
          'edition compiled and frozen',
        );
      }
      const after = await editions.transition(id, 'sending', ['scheduled'], 'startedAt');
      if (after !== 'sending') return;
    } else if (status.state !== 'sending' && status.state !== 'paused') {
      return;
    }
    const { batches } = await takeSnapshot(
      { editions, subscribers: this.deps.subscribers, enqueue: (eid, ns) => this.enqueueBatches(eid, ns) },
      { id, lists: newsletter.lists, batchSize: this.deps.config.delivery.batchSize },
    );
    const final = await editions.get(id);
    logger.info({ editionId: id, batches, total: final?.total, state: final?.state }, 'snapshot taken');
  }

  async enqueueBatches(id: string, batches: number[], resume = 0): Promise<void> {
    for (let i = 0; i < batches.length; i += 500) {
      const slice = batches.slice(i, i + 500);
      await this.deps.batchQueue.addBulk(
        slice.map((batch) => ({ name: BATCH_JOB, data: { editionId: id, batch }, opts: { jobId: batchJobId(id, batch, resume) } })),
      );
    }
  }

  async pause(id: string): Promise<EditionStatus> {
    const s = await this.status(id);
    const after = await this.deps.editions.transition(id, 'paused', ['sending'], 'pausedAt');
    if (after !== 'paused') throw stateError(id, s.state, 'pause');
    this.deps.logger.info({ editionId: id }, 'edition paused');
    return this.status(id);
  }

  async resume(id: string): Promise<EditionStatus> {
    const s = await this.status(id);
    const r = await this.deps.editions.resume(id);
    if (!r) throw stateError(id, s.state, 'resume');
    // Parked batches run again under new job ids; the ledger makes that safe.
    if (r.batches.length) await this.enqueueBatches(id, r.batches, r.resume);
    // A pause during the snapshot: let prepare carry on (it is a no-op once done).
    await this.deps.editionsQueue.add(PREPARE_JOB, { editionId: id }, { jobId: `${prepareJobId(id)}-r${r.resume}` });
    this.deps.logger.info({ editionId: id, batches: r.batches.length }, 'edition resumed');
    return this.status(id);
  }

  async cancel(id: string): Promise<EditionStatus> {
    const s = await this.status(id);
    const after = await this.deps.editions.cancel(id);
    if (after !== 'cancelled') throw stateError(id, s.state, 'cancel');
    this.deps.logger.info({ editionId: id }, 'edition cancelled');
    return this.status(id);
  }

  /**
   * Sends the edition of `date` to the given addresses only: subject marked as a test,
   * nothing recorded in any ledger, no article marked as sent.
   */
  async testSend(
    newsletterId: string,
    date: string,
    to: string[],
    deps: { transport: MailTransport; secret: string },
  ): Promise<Array<{ to: string; messageId: string; response: string }>> {
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    const addresses = to.map((raw) => {
      const a = normaliseAddress(raw);
      if (!a) throw new BriefError('EINPUT', `--to: ${quote(raw)} is not a valid email address`);
      return a;
    });
    const compiled = await compileEdition(this.deps.config, newsletter, date, {
      redis: this.deps.redis,
      keys: this.deps.keys,
      publicUrl: this.deps.publicUrl,
      engine: this.deps.compileEngine,
    });
    const testId = `${compiled.editionId}-test-${randomUUID().slice(0, 8)}`;
    const out = [];
    for (const address of addresses) {
      const msg = buildMessage(
        {
          newsletter,
          editionId: testId,
          archiveUrl: archiveUrl(this.deps.publicUrl, newsletter.id, date),
          publicUrl: this.deps.publicUrl,
          secret: deps.secret,
          subjectPrefix: '[TEST] ',
        },
        compiled.rendered.variants.public,
        { email: address, list: newsletter.lists[0]! },
      );
      msg.messageId = messageIdFor(testId, address, fromDomain(newsletter.from));
      const r = await deps.transport.send(msg);
      out.push({ to: address, messageId: r.messageId, response: r.response });
    }
    return out;
  }
}

function stateError(id: string, state: EditionState, action: string): BriefError {
  return new BriefError('ESTATE', `cannot ${action} ${id}: it is ${state}`);
}
