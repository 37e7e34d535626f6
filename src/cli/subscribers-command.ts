import { statSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { BriefError, quote } from '../errors.js';
import {
  ConsentStore,
  exportCsv,
  importCsv,
  normaliseAddress,
  SubscriberStore,
  type AddResult,
  type ImportReport,
} from '../subscribers/index.js';
import type { CliContext } from './context.js';
import { auditCli } from './cli-actor.js';
import type { AddressReport } from '../privacy/data-requests.js';
import type { ConsentRecord } from '../subscribers/index.js';

/**
 * `brief subscribers import|export|add|remove|count`. Failures are thrown as BriefError;
 * the caller prints the one line and exits 1. Results go to stdout, the progress bar to
 * stderr (only on a terminal, so logs and pipes stay clean).
 */
export function subscribersCommand(ctx: CliContext): Command {
  const store = async () => new SubscriberStore({ redis: await ctx.redis(), keys: ctx.keys() });
  const consent = async () => new ConsentStore({ redis: await ctx.redis(), keys: ctx.keys() });
  const requests = async () => {
    const { DataRequests } = await import('../privacy/data-requests.js');
    return new DataRequests({ config: ctx.config(), redis: await ctx.redis(), keys: ctx.keys(), subscribers: await store(), consent: await consent() });
  };
  const print = (line: string) => ctx.stdout.write(`${line}\n`);
  const requireList = async (s: SubscriberStore, list: string) => {
    if (!(await s.hasList(list))) throw new BriefError('ENOTFOUND', `no list ${quote(list)} (brief subscribers import or add creates one)`);
  };

  const cmd = new Command('subscribers').description('manage lists: import, export, add, remove, count, show, forget');

  cmd
    .command('import')
    .description('add or update the subscribers of a CSV file (header row with an "email" column)')
    .argument('<LIST>', 'list id')
    .argument('<FILE.csv>', 'CSV file: email, optional name and status, other columns become attributes')
    .option('--resubscribe', 're-activate unsubscribed, bounced and suppressed addresses in the file (they opted in again)')
    .action(async (list: string, file: string, opts: { resubscribe?: boolean }) => {
      const s = await store();
      const bar = ctx.stderr.isTTY ? progressBar(ctx, file) : undefined;
      let report: ImportReport;
      try {
        report = await importCsv(s, list, file, {
          resubscribe: opts.resubscribe === true,
          consent: await consent(),
          onProgress: (rows, bytes) => bar?.update(bytes, { rows }),
        });
      } finally {
        bar?.stop();
      }
      await auditCli(ctx, { action: 'import', target: list, detail: `${file.split(/[\\/]/).pop()}: ${report.rows} rows, ${report.added} added` });
      for (const line of importSummary(list, report)) print(line);
    });

  cmd
    .command('export')
    .description('write a list as CSV to stdout (email,name,status,attributes…)')
    .argument('<LIST>', 'list id')
    .action(async (list: string) => {
      const s = await store();
      await requireList(s, list);
      await exportCsv(s, list, ctx.stdout);
    });

  cmd
    .command('add')
    .description('add an address to a list (an unsubscribed or suppressed address stays so)')
    .argument('<LIST>', 'list id')
    .argument('<ADDR>', 'email address')
    .option('--name <N>', "the subscriber's name")
    .option('--resubscribe', 're-activate the address if it unsubscribed, bounced or is suppressed')
    .action(async (list: string, addr: string, opts: { name?: string; resubscribe?: boolean }) => {
      const email = normaliseAddress(addr);
      if (!email) throw new BriefError('EINPUT', `${JSON.stringify(addr)} is not a valid email address`);
      const s = await store();
      const result = await s.add(list, email, { name: opts.name, resubscribe: opts.resubscribe === true });
      if (result === 'added' || result === 'updated') {
        await (await consent()).putMany(list, [email], { source: 'console', at: new Date().toISOString() }, { keepExisting: result === 'updated' });
      }
      await auditCli(ctx, { action: 'subscriber-add', target: list, detail: `${await s.auditName(email)}: ${result}` });
      print(await addOutcome(s, list, email, result));
    });

  cmd
    .command('remove')
    .description('delete an address from a list (to stop mail but keep the record, unsubscribe it instead)')
    .argument('<LIST>', 'list id')
    .argument('<ADDR>', 'email address')
    .action(async (list: string, addr: string) => {
      const s = await store();
      const email = normaliseAddress(addr) ?? addr;
      if (!(await s.remove(list, email))) throw new BriefError('ENOTFOUND', `${/^[\x21-\x7e]+$/.test(email) ? email : quote(email)} is not on list ${quote(list)}`);
      await auditCli(ctx, { action: 'subscriber-remove', target: await s.auditName(email), detail: `from ${list}` });
      print(`removed ${email} from ${list}`);
    });

  cmd
    .command('show')
    .description('everything stored about an address: lists, statuses, attributes, consent, suppression, editions with their Message-IDs')
    .argument('<ADDR>', 'email address')
    .option('--json', 'print the report as JSON')
    .action(async (addr: string, opts: { json?: boolean }) => {
      const r = await (await requests()).show(addr);
      if (opts.json) {
        print(JSON.stringify(r, null, 2));
        return;
      }
      for (const line of showLines(r)) print(line);
    });

  cmd
    .command('forget')
    .description('erase an address everywhere (records, attributes, consent, ledger entries); keeps a keyed hash so imports cannot re-add it')
    .argument('<ADDR>', 'email address')
    .action(async (addr: string) => {
      const r = await (await requests()).forget(addr);
      // The address itself stays out of the log: it was just erased.
      await auditCli(ctx, { action: 'forget', target: 'an address', detail: `${r.removed} records` });
      print(`forgot ${r.email}: ${r.removed} records erased; a keyed hash is kept so that an import cannot add it again without new consent`);
    });

  cmd
    .command('count')
    .description('print the number of active subscribers of a list')
    .argument('<LIST>', 'list id')
    .action(async (list: string) => {
      const s = await store();
      await requireList(s, list);
      print(String(await s.countActive(list)));
    });

  return cmd;
}

async function addOutcome(s: SubscriberStore, list: string, email: string, result: AddResult): Promise<string> {
  switch (result) {
    case 'added': return `added ${email} to ${list}`;
    case 'updated': return `updated ${email} on ${list}`;
    case 'unchanged': return `${email} is already on ${list}`;
    case 'kept-unsubscribed': {
      const status = (await s.get(list, email))?.status ?? 'unsubscribed';
      return `${email} is ${status} on ${list}: not re-activated (--resubscribe does)`;
    }
    case 'suppressed': {
      const why = (await s.suppression(email))?.reason;
      return `${email} is suppressed${why ? ` (${why})` : ''}: not added as active (--resubscribe does)`;
    }
  }
}

/** The lines `import` prints: the counts, then up to 20 invalid rows with their line numbers. */
export function importSummary(list: string, r: ImportReport): string[] {
  const lines = [
    `imported ${r.rows} rows into ${list}: ${r.added} added, ${r.updated} updated, ` +
      `${r.keptUnsubscribed} kept unsubscribed, ${r.suppressed} suppressed, ${r.duplicates} duplicates, ` +
      `${r.invalidCount} invalid, ${r.unchanged} unchanged`,
  ];
  for (const { line, reason } of r.invalid) lines.push(`line ${line}: ${reason}`);
  const more = r.invalidCount - r.invalid.length;
  if (more > 0) lines.push(`… and ${more} more`);
  return lines;
}

function progressBar(ctx: CliContext, file: string): SingleBar | undefined {
  let total: number;
  try {
    total = statSync(file).size;
  } catch {
    return undefined; // importCsv reports the unreadable file
  }
  const bar = new SingleBar(
    { stream: ctx.stderr, format: 'importing {bar} {percentage}% | {rows} rows', hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  bar.start(total, 0, { rows: 0 });
  return bar;
}

/** The human-readable form of `brief subscribers show`. */
export function showLines(r: AddressReport): string[] {
  const out = [r.email];
  if (r.forgotten) out.push('  forgotten: a keyed hash is on the forgotten list (imports do not add it)');
  if (r.suppression) out.push(`  suppressed since ${new Date(r.suppression.at).toISOString()}: ${r.suppression.reason}`);
  if (r.lists.length === 0) out.push('  on no list');
  for (const l of r.lists) {
    out.push(`  list ${l.list}: ${l.status}${l.name ? `, name ${JSON.stringify(l.name)}` : ''}, since ${l.createdAt}, changed ${l.updatedAt}`);
    const attrs = Object.entries(l.attributes);
    if (attrs.length) out.push(`    attributes: ${attrs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
    if (l.consent) out.push(`    consent: ${consentLine(l.consent)}`);
  }
  for (const p of r.pendingSignups) out.push(`  pending signup to ${p.newsletter} (${p.lists.join(', ')}), link expires ${p.expires}: ${consentLine(p.consent)}`);
  if (r.softBounces.length) out.push(`  soft bounces: ${r.softBounces.join(', ')}`);
  for (const e of r.editions) out.push(`  edition ${e.edition}: ${e.outcome}${e.detail ? ` (${e.detail})` : ''}, Message-ID ${e.messageId}`);
  return out;
}

function consentLine(c: ConsentRecord): string {
  return [
    c.source,
    `at ${c.at}`,
    c.confirmedAt ? `confirmed ${c.confirmedAt}` : 'not confirmed',
    c.client ? `client ${c.client}` : '',
    c.wording ? `wording ${c.wording}` : '',
    c.userAgent ? `user agent ${JSON.stringify(c.userAgent)}` : '',
  ].filter(Boolean).join(', ');
}
