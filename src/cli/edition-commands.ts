import { Command, Option } from 'commander';
import type { OwnedContext } from './make-context.js';
import { openRuntime } from './app-runtime.js';
import { pickNewsletter, parseDateOption } from './preview-command.js';
import { nextEditionDate, editionProgress, defaultEditionDate } from '../edition/index.js';
import type { EditionStatus } from '../delivery/edition-store.js';
import { BriefError } from '../errors.js';
import { DateTime } from 'luxon';
import { createWriteStream } from 'node:fs';
import type { App } from '../wiring.js';
import { getNewsletter } from '../config/load.js';
import { quote } from '../errors.js';
import { COMPLAINT_ALERT, COMPLAINT_WARN } from '../inbound/complaint-rate.js';
import { auditCli } from './cli-actor.js';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { curationDetail, curationJson, type CurationChange } from '../delivery/curation-store.js';

interface CurateOptions {
  exclude?: string[];
  include?: string[];
  lead?: string;
  pick?: string[];
  unpick?: string[];
  noteFile?: string;
}

/** Who approved from the command line: the login name (the audit log of #17 records more). */
function userInfoName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}


export function formatStatusLine(s: EditionStatus): string {
  const p = editionProgress({ total: s.total, sent: s.sent, failed: s.failed, suppressed: s.suppressed, skipped: s.skipped, startedAt: s.startedAt ? Date.parse(s.startedAt) : undefined, now: Date.now() });
  const back = s.bounces || s.complaints ? `; ${s.bounces} bounced, ${s.complaints} complained (${(s.complaintRate * 100).toFixed(2)}%)` : '';
  return `${s.id}  ${s.state.padEnd(9)}  ${s.sent}/${s.total} sent, ${s.failed} failed, ${s.suppressed} suppressed, ${s.skipped} skipped (${p.percent.toFixed(0)}%)${back}`;
}

/**
 * The line `brief edition ID status` adds under an edition whose complaint rate passed
 * Gmail's guidance (0.1%) or its limit (0.3%), or null.
 */
export function complaintNotice(s: Pick<EditionStatus, 'id' | 'complaints' | 'sent' | 'complaintRate'>): string | null {
  const pct = `${(s.complaintRate * 100).toFixed(2)}% (${s.complaints} of ${s.sent})`;
  if (s.complaintRate >= COMPLAINT_ALERT) return `ALERT: ${s.id}: complaint rate ${pct} is above 0.3%: Gmail and Yahoo block senders above it`;
  if (s.complaintRate >= COMPLAINT_WARN) return `warning: ${s.id}: complaint rate ${pct} is above 0.1% (Gmail's guidance)`;
  return null;
}

/** The lines under an edition's status line: its error, and each source it went out without. */
export function formatDetails(s: EditionStatus): string[] {
  const lines: string[] = [];
  if (s.error) lines.push(...s.error.split('\n').map((l) => `  error: ${l}`));
  for (const f of s.feedErrors) lines.push(`  feed failed (sent without it): ${f.error}`);
  if (s.sizeWarning) lines.push(`  warning: ${s.sizeWarning}`);
  return lines;
}

export function editionCommands(ctx: OwnedContext): Command[] {
  const send = new Command('send')
    .description('send an edition now (idempotent per newsletter and date: a second send reports the first)')
    .argument('[NEWSLETTER]', 'newsletter id (optional when the config has one)')
    .option('--date <YYYY-MM-DD>', "the edition's date (default: today's, else the next)", parseDateOption)
    .option('--wait', 'show progress and exit 0 only when the edition is sent')
    .action(async (id: string | undefined, opts: { date?: string; wait?: boolean }) => {
      const rt = await openRuntime(ctx, { links: true });
      try {
        const newsletter = pickNewsletter(rt.app.config, id);
        const date = opts.date ?? defaultEditionDate(newsletter.schedule, newsletter.timezone, new Date());
        const { created, status } = await rt.app.service.request(newsletter.id, date);
        await auditCli(ctx, { action: 'send', target: status.id, detail: created ? 'queued' : `already ${status.state}` });
        ctx.warn(created ? `${status.id}: queued; a running \`brief worker\` sends it` : `${status.id}: already ${status.state} (no second send)`);
        if (!opts.wait) {
          ctx.stdout.write(status.id + '\n');
          return;
        }
        const tty = Boolean(ctx.stderr.isTTY);
        let last = '';
        for (;;) {
          const s = await rt.app.service.status(status.id);
          const line = formatStatusLine(s);
          if (line !== last) {
            ctx.stderr.write(tty ? `\r${line}\u001b[K` : line + '\n');
            last = line;
          }
          if (['sent', 'failed', 'cancelled'].includes(s.state)) {
            if (tty) ctx.stderr.write('\n');
            ctx.stdout.write(JSON.stringify(s) + '\n');
            if (s.state !== 'sent') throw new BriefError('ESTATE', `${s.id} ended ${s.state}${s.error ? `: ${s.error}` : ''}`);
            return;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        await rt.close();
      }
    });

  const testSend = new Command('test-send')
    .description('send one edition to the given addresses only (subject marked [TEST]; nothing recorded)')
    .argument('[NEWSLETTER]', 'newsletter id (optional when the config has one)')
    .requiredOption('--to <ADDR...>', 'one or more addresses')
    .option('--date <YYYY-MM-DD>', "the edition's date (default: the next)", parseDateOption)
    .action(async (id: string | undefined, opts: { to: string[]; date?: string }) => {
      const rt = await openRuntime(ctx, { links: true });
      try {
        const newsletter = pickNewsletter(rt.app.config, id);
        const date = opts.date ?? nextEditionDate(newsletter.schedule, newsletter.timezone, new Date());
        const sent = await rt.app.service.testSend(newsletter.id, date, opts.to, {
          transport: rt.app.transport(),
          secret: await rt.app.secret(),
        });
        await auditCli(ctx, { action: 'test-send', target: `${newsletter.id}-${date}`, detail: await rt.app.subscribers.auditNames(opts.to) });
        for (const s of sent) ctx.stdout.write(`${s.to}: ${s.response || 'accepted'} <${s.messageId}>\n`);
      } finally {
        await rt.close();
      }
    });

  const editions = new Command('editions')
    .description('list editions, newest first')
    .argument('[NEWSLETTER]', 'only this newsletter')
    .option('--json', 'JSON, one edition per line')
    .action(async (id: string | undefined, opts: { json?: boolean }) => {
      const rt = await openRuntime(ctx);
      try {
        const list = await rt.app.service.list(id);
        if (list.length === 0 && !opts.json) ctx.warn('no editions yet');
        for (const s of list) ctx.stdout.write((opts.json ? JSON.stringify(s) : formatStatusLine(s)) + '\n');
      } finally {
        await rt.close();
      }
    });

  const actions = ['status', 'pause', 'resume', 'cancel', 'report', 'curate', 'approve', 'hold', 'release'];
  const edition = new Command('edition')
    .description('inspect or control one edition: status | pause | resume | cancel | report | curate | approve | hold | release')
    .argument('<ID>', 'edition id, e.g. daily-2025-09-05')
    .addArgument(new Command().createArgument('<ACTION>', actions.join(', ')).choices(actions))
    .option('--json', 'print the status (or the curation) as JSON')
    .option('--csv', 'report: CSV (email,list,outcome,detail,message_id,smtp_reply,attempts,time) instead of tab-separated lines')
    .option('--out <FILE>', 'report: write it here instead of stdout')
    .option('--exclude <ARTICLE_ID...>', 'curate: leave these articles out')
    .option('--include <ARTICLE_ID...>', 'curate: undo an exclude')
    .option('--lead <ARTICLE_ID>', 'curate: the lead story ("" for the default)')
    .option('--pick <ARTICLE_ID...>', "curate: mark as editor's picks")
    .option('--unpick <ARTICLE_ID...>', "curate: unmark editor's picks")
    .option('--note-file <FILE>', 'curate: the intro note (plain text, links allowed) that replaces the greeting; an empty file removes it')
    .action(async (id: string, action: string, opts: CurateOptions & { json?: boolean; csv?: boolean; out?: string }) => {
      const rt = await openRuntime(ctx);
      try {
        const svc = rt.app.service;
        if (action === 'report') {
          await report(rt.app, id, opts);
          return;
        }
        if (action === 'curate') {
          await curate(rt.app, id, opts);
          return;
        }
        // Each action is one call, so the role check and audit record of #17 fit in here.
        const s =
          action === 'pause' ? await svc.pause(id)
          : action === 'resume' ? await svc.resume(id)
          : action === 'cancel' ? await svc.cancel(id)
          : action === 'approve' ? await svc.approve(id, `cli:${userInfoName()}`)
          : action === 'hold' ? await svc.hold(id)
          : action === 'release' ? await svc.release(id)
          : await svc.status(id);
        if (action !== 'status') await auditCli(ctx, { action: action as 'pause' | 'resume' | 'cancel' | 'approve' | 'hold' | 'release', target: s.id, detail: `now ${s.state}` });
        ctx.stdout.write((opts.json ? JSON.stringify(s) : [formatStatusLine(s), ...formatDetails(s)].join('\n')) + '\n');
        const notice = complaintNotice(s);
        if (notice) ctx.warn(notice);
      } finally {
        await rt.close();
      }
    });

  /**
   * `brief edition ID curate`: applies the options as one change (ids checked against the
   * edition's articles first; one line and a non-zero exit for a bad one), then prints the
   * edition's articles as it would be frozen now.
   */
  async function curate(app: App, id: string, opts: CurateOptions & { json?: boolean }): Promise<void> {
    const change: CurationChange = {};
    if (opts.exclude) change.exclude = opts.exclude;
    if (opts.include) change.include = opts.include;
    if (opts.pick) change.pick = opts.pick;
    if (opts.unpick) change.unpick = opts.unpick;
    if (opts.lead !== undefined) change.lead = opts.lead || null;
    if (opts.noteFile !== undefined) {
      try {
        change.note = readFileSync(opts.noteFile, 'utf8').trim() || null;
      } catch (err) {
        throw new BriefError('EINPUT', `--note-file: cannot read ${quote(opts.noteFile)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    const compiled = Object.keys(change).length ? await app.service.curate(id, change) : await app.service.compileFor(id);
    if (Object.keys(change).length) await auditCli(ctx, { action: 'curate', target: id, detail: curationDetail(change) });
    if (opts.json) {
      ctx.stdout.write(JSON.stringify(curationJson(compiled)) + '\n');
      return;
    }
    const picks = new Set(compiled.content.picks.map((a) => a.id));
    for (const a of compiled.candidates) {
      const marks = [a.lead ? 'lead' : '', picks.has(a.id) ? 'pick' : '', a.excluded ? 'excluded' : '', a.isNew ? 'new' : ''].filter(Boolean).join(',');
      ctx.stdout.write(`${a.id}\t${a.placement ?? '-'}\t${marks || '-'}\t${a.title}\n`);
    }
    if (compiled.curation.note) ctx.warn(`note: ${compiled.curation.note.split('\n')[0]}${compiled.curation.note.includes('\n') ? ' …' : ''}`);
  }

  /**
   * `brief edition ID report`: every recipient of the snapshot with its outcome, streamed
   * (a page of a batch at a time, waiting for the output to drain); the summary and the
   * failures grouped by reply go to stderr.
   */
  async function report(app: App, id: string, opts: { csv?: boolean; out?: string }): Promise<void> {
    const status = await app.service.status(id);
    const newsletter = getNewsletter(app.config, status.newsletter);
    const [{ writeReport, failureGroups }, { fromDomain }] = await Promise.all([
      import('../delivery/edition-report.js'),
      import('../delivery/build-message.js'),
    ]);
    let out: NodeJS.WritableStream = ctx.stdout;
    let file: ReturnType<typeof createWriteStream> | undefined;
    if (opts.out) {
      file = createWriteStream(opts.out);
      await new Promise<void>((resolve, reject) => {
        file!.once('open', () => resolve());
        file!.once('error', (err) => reject(new BriefError('EINPUT', `--out: cannot write ${quote(opts.out)}: ${err.message}`)));
      });
      out = file;
    }
    const counts = await writeReport({ editions: app.editions, domain: fromDomain(newsletter.from) }, id, out, opts.csv ? 'csv' : 'text');
    if (file) await new Promise<void>((resolve, reject) => file!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    ctx.warn(`${formatStatusLine(status)}\n${rows} recipients: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'none yet'}${opts.out ? `; wrote ${opts.out}` : ''}`);
    for (const g of await failureGroups(app.editions, id)) ctx.warn(`  ${g.count} ${g.outcome}: ${g.reply}`);
  }

  const status = new Command('status')
    .description('queues, workers, schedules and next runs, Redis topology')
    .option('--json', 'JSON')
    .action(async (opts: { json?: boolean }) => {
      const rt = await openRuntime(ctx);
      try {
        const { app } = rt;
        const [{ nextRuns }, { schedulerId }] = await Promise.all([import('../delivery/schedules.js'), import('../delivery/queues.js')]);
        const [editionsCounts, batchCounts, transactionalCounts, runs, workersRaw, redis] = await Promise.all([
          app.editionsQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          app.batchQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          app.transactionalQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          nextRuns(app.editionsQueue),
          app.redis.hgetall(app.keys.workers()),
          app.topology(),
        ]);
        const now = Date.now();
        const workers = Object.entries(workersRaw)
          .map(([id, v]) => ({ id, ...(JSON.parse(v) as { host: string; pid: number; seen: number }) }))
          .filter((w) => now - w.seen < 30_000);
        // The newest frozen edition of each newsletter: its HTML part size, and the warning near Gmail's clip.
        const lastFrozen = await Promise.all(
          app.config.newsletters.map(async (n) => {
            for (const id of await app.editions.ids(n.id, 5)) {
              const s = await app.editions.get(id);
              if (s?.htmlPartBytes != null) return { id: s.id, htmlPartBytes: s.htmlPartBytes, sizeWarning: s.sizeWarning };
            }
            return null;
          }),
        );
        const newsletters = app.config.newsletters.map((n, i) => {
          const next = runs.get(schedulerId(n.id));
          return {
            id: n.id,
            schedule: n.schedule,
            timezone: n.timezone,
            nextRun: next ? DateTime.fromMillis(next, { zone: n.timezone }).toISO() : null,
            lastEdition: lastFrozen[i] ?? null,
          };
        });
        const out = { queues: { editions: editionsCounts, 'send-batch': batchCounts, transactional: transactionalCounts }, workers, newsletters, redis };
        if (opts.json) {
          ctx.stdout.write(JSON.stringify(out) + '\n');
          return;
        }
        const fmt = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
        ctx.stdout.write(`queues:\n  editions:      ${fmt(editionsCounts)}\n  send-batch:    ${fmt(batchCounts)}\n  transactional: ${fmt(transactionalCounts)}\n`);
        ctx.stdout.write(`workers seen in the last 30 s: ${workers.length}\n`);
        for (const w of workers) ctx.stdout.write(`  ${w.id} (last seen ${Math.round((now - w.seen) / 1000)} s ago)\n`);
        ctx.stdout.write('newsletters:\n');
        for (const n of newsletters) {
          ctx.stdout.write(`  ${n.id}: "${n.schedule}" in ${n.timezone}; next run ${n.nextRun ?? 'not scheduled (no worker has started yet)'}\n`);
          const last = n.lastEdition;
          if (last) ctx.stdout.write(`    last edition ${last.id}: HTML part ${(last.htmlPartBytes / 1024).toFixed(1)} KB${last.sizeWarning ? `; warning: ${last.sizeWarning}` : ''}\n`);
        }
        const { formatTopology } = await import('../redis/topology.js');
        ctx.stdout.write(`redis:\n${formatTopology(redis).map((l) => `  ${l}`).join('\n')}\n`);
      } finally {
        await rt.close();
      }
    });

  return [send, testSend, editions, edition, status];
}
