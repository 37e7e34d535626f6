import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import type { Queue } from 'bullmq';
import type { BriefConfig } from '../config/schema.js';
import { getNewsletter } from '../config/load.js';
import type { Keys } from '../keys.js';
import { BriefError, quote } from '../errors.js';
import { articleKeys, assertEditionDate, editionId as makeEditionId, editionWindow, nextEditionDate, parseEditionId } from '../edition/index.js';
import { archiveUrl, compileEdition } from '../compile-edition.js';
import type { MetricsStore } from './metrics-store.js';
import type { CompileEngine } from '../compile-engine.js';
import type { SubscriberStore } from '../subscribers/index.js';
import type { Logger } from '../logger.js';
import { EditionStore, type EditionState, type EditionStatus } from './edition-store.js';
import { takeSnapshot } from './snapshot.js';
import type { MailTransport } from './transport.js';
import { buildMessage, messageIdFor, fromDomain } from './build-message.js';
import { APPROVAL_JOB, BATCH_JOB, PREPARE_JOB, batchJobId, prepareJobId, type BatchJobData, type PrepareJobData } from './queues.js';
import { normaliseAddress } from '../subscribers/index.js';
import { clipWarning, htmlPartBytes } from '../render/part-size.js';
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
  /** Tells a newsletter's approvers that an edition awaits approval (the transactional queue). */
  notifyApprovers?: (editionId: string) => Promise<void>;
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
    if (before.candidates.every((c) => excludedAfter.has(c.id))) {
      throw new BriefError('EINPUT', `exclude: that would leave ${canonical} with no articles; cancel or hold the edition instead`);
    }
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
        // Never out unapproved: without an approval this compile is for review only.
        if (newsletter.approval === 'required' && !status.approvedAt) {
          await this.awaitApproval(id);
          return;
        }
        if (!(await this.compileAndFreeze(id))) return;
      }
      const after = await editions.transition(id, 'sending', ['scheduled'], 'startedAt');
      if (after !== 'sending') return;
    } else if (status.state !== 'sending' && status.state !== 'paused') {
      // awaiting-approval, held, or finished: nothing to do until an editor acts.
      return;
    }
    const { batches } = await takeSnapshot(
      { editions, subscribers: this.deps.subscribers, enqueue: (eid, ns) => this.enqueueBatches(eid, ns) },
      { id, lists: newsletter.lists, batchSize: this.deps.config.delivery.batchSize },
    );
    const final = await editions.get(id);
    logger.info({ editionId: id, batches, total: final?.total, state: final?.state }, 'snapshot taken');
  }

  /**
   * Compiles with the curation and freezes, now: before the occurrence the window ends at
   * this moment (recorded as the edition's cut-off, where the next window starts). False
   * when the compile failed and the edition says why.
   */
  private async compileAndFreeze(id: string): Promise<boolean> {
    const { editions, logger } = this.deps;
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    const now = Date.now();
    const compiled = await this.compileOrFail(id, { recordFirstSeen: true, freezeAt: now, now });
    if (!compiled) return false;
    const occurrence = Date.parse(editionWindow(newsletter.schedule, newsletter.timezone, date).end);
    const early = Date.parse(compiled.window.end) < occurrence;
    await editions.freeze(
      id,
      newsletter.id,
      compiled.rendered,
      {
        count: compiled.content.articles.length,
        keys: compiled.content.articles.flatMap((a) => articleKeys(a)),
        feedErrors: compiled.failures,
      },
      early ? Date.parse(compiled.window.end) : undefined,
    );
    const partBytes = htmlPartBytes(compiled.rendered);
    const nearClip = clipWarning(partBytes);
    if (nearClip) logger.warn({ editionId: id, htmlPartBytes: partBytes }, nearClip);
    logger.info(
      {
        editionId: id,
        articles: compiled.content.articles.length,
        htmlPartBytes: partBytes,
        cutoff: early ? compiled.window.end : undefined,
        compileRssMb: compiled.compileRss ? Math.round(compiled.compileRss / 1048576) : undefined,
      },
      'edition compiled and frozen',
    );
    return true;
  }

  /** The compile of a send (or a review): feed failures counted and noted, EEMPTY/EDATE fail the edition. */
  private async compileOrFail(id: string, extra: { recordFirstSeen?: boolean; freezeAt?: number; now?: number }): Promise<CompiledEdition | null> {
    const { editions, logger } = this.deps;
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const newsletter = getNewsletter(this.deps.config, newsletterId);
    let compiled: CompiledEdition;
    try {
      compiled = await compileEdition(this.deps.config, newsletter, date, {
        redis: this.deps.redis,
        keys: this.deps.keys,
        publicUrl: this.deps.publicUrl,
        engine: this.deps.compileEngine,
        ...extra,
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
        return null;
      }
      throw err;
    }
    for (const w of compiled.warnings) logger.warn({ editionId: id }, w);
    for (const f of compiled.failures) {
      logger.error({ editionId: id, source: f.source }, `feed failed; the edition goes out without it: ${f.error}`);
      this.deps.metrics?.incrFeedError(newsletter.id, f.source);
    }
    return compiled;
  }

  /**
   * The approval step (at the occurrence minus `approvalLeadMinutes`, or whenever a send is
   * asked for without an approval): compiled for review into awaiting-approval, and the
   * approvers are told once. Nothing is frozen: curation goes on until the approval.
   */
  async awaitApproval(id: string): Promise<void> {
    const { editions, logger } = this.deps;
    const { newsletter: newsletterId, date } = parseEditionId(id);
    await editions.create(id, newsletterId, date);
    const st = await editions.get(id);
    if (!st || st.state !== 'scheduled' || st.approvedAt || (await editions.isFrozen(id))) return;
    if (!(await this.compileOrFail(id, {}))) return;
    const after = await editions.transition(id, 'awaiting-approval', ['scheduled'], 'awaitingSince');
    if (after !== 'awaiting-approval') return;
    logger.info({ editionId: id }, 'edition awaits approval');
    await this.deps.notifyApprovers?.(id);
  }

  /**
   * Approves an edition awaiting approval: compiled with its curation and frozen now (its
   * window ends here when that is before the occurrence), then sent at the occurrence, or
   * at once when the occurrence has passed.
   */
  async approve(id: string, by: string): Promise<EditionStatus> {
    const s = await this.status(id);
    if (s.state !== 'awaiting-approval') throw stateError(id, s.state, 'approve');
    if (!(await this.compileAndFreeze(id))) return this.status(id);
    const after = await this.deps.editions.approve(id, by);
    if (after !== 'scheduled') throw stateError(id, after ?? s.state, 'approve');
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const n = getNewsletter(this.deps.config, newsletterId);
    const occurrence = Date.parse(editionWindow(n.schedule, n.timezone, date).end);
    // Before the occurrence the Job Scheduler's firing sends it; a delayed job too, in case
    // that firing already came and went (it found the edition awaiting approval).
    await this.deps.editionsQueue.add(
      PREPARE_JOB,
      { editionId: id },
      { jobId: `${prepareJobId(id)}-approved`, delay: Math.max(0, occurrence - Date.now()) },
    );
    this.deps.logger.info({ editionId: id, by }, 'edition approved');
    return this.status(id);
  }

  /** Holds an upcoming edition (made if nobody asked for it yet): its scheduled send waits for a release. */
  async hold(id: string): Promise<EditionStatus> {
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const n = getNewsletter(this.deps.config, newsletterId);
    assertEditionDate(date);
    editionWindow(n.schedule, n.timezone, date);
    const canonical = makeEditionId(n.id, date);
    await this.deps.editions.create(canonical, n.id, date);
    const s = await this.status(canonical);
    if (!(await this.deps.editions.hold(canonical))) throw stateError(canonical, s.state, 'hold');
    this.deps.logger.info({ editionId: canonical }, 'edition held');
    return this.status(canonical);
  }

  /** Releases a hold: the edition goes on from where it stopped (sent at once if its occurrence passed). */
  async release(id: string): Promise<EditionStatus> {
    const s = await this.status(id);
    const back = await this.deps.editions.release(id);
    if (back === null) throw stateError(id, s.state, 'release');
    const { newsletter: newsletterId, date } = parseEditionId(id);
    const n = getNewsletter(this.deps.config, newsletterId);
    const occurrence = Date.parse(editionWindow(n.schedule, n.timezone, date).end);
    // The firing at the occurrence found it held and did nothing: a release after it sends
    // now; one before leaves the send to the firing (and to a delayed job as a backstop).
    if (back === 'scheduled') {
      // Not yet approved: it goes on to the approval step, at its time.
      const at = n.approval === 'required' && !s.approvedAt ? occurrence - n.approvalLeadMinutes * 60_000 : occurrence;
      await this.deps.editionsQueue.add(
        PREPARE_JOB,
        { editionId: id },
        { jobId: `${prepareJobId(id)}-release${Date.now()}`, delay: Math.max(0, at - Date.now()) },
      );
    }
    this.deps.logger.info({ editionId: id, state: back }, 'edition released');
    return this.status(id);
  }

  /**
   * For a newsletter with approval required: a delayed job at the next edition's occurrence
   * (after `after`) minus the lead time, which compiles it into awaiting-approval. Its job
   * id is the edition's, so every worker start and every firing adding it leaves one job.
   */
  async scheduleApproval(newsletterId: string, after = Date.now()): Promise<string | null> {
    const n = getNewsletter(this.deps.config, newsletterId);
    if (n.approval !== 'required') return null;
    const date = nextEditionDate(n.schedule, n.timezone, new Date(after));
    const id = makeEditionId(n.id, date);
    const occurrence = Date.parse(editionWindow(n.schedule, n.timezone, date).end);
    await this.deps.editionsQueue.add(
      APPROVAL_JOB,
      { editionId: id },
      {
        jobId: `approval-${id}`,
        delay: Math.max(0, occurrence - n.approvalLeadMinutes * 60_000 - Date.now()),
        // A feed down at review time is tried again; the firing at the occurrence asks again too.
        attempts: 5,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: { count: 100 },
      },
    );
    return id;
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
