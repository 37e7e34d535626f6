import { once } from 'node:events';
import { neutraliseFormula } from '../subscribers/export-csv.js';
import { parseBatchEntry } from './snapshot.js';
import { messageIdFor } from './build-message.js';
import { parseLedgerEntry, type EditionState, type EditionStore, type LedgerEntry } from './edition-store.js';

/**
 * What became of one recipient of the snapshot:
 * sent, failed (temporary failures that never cleared), suppressed (a 5xx), skipped
 * (suppressed or removed after the snapshot), unsubscribed (before their batch), sending
 * (claimed, acceptance not yet recorded), retrying (a temporary failure, tried again),
 * pending (batch not run yet) or not-sent (the send was cancelled or failed first).
 */
export type ReportOutcome =
  | 'sent' | 'failed' | 'suppressed' | 'skipped' | 'unsubscribed' | 'sending' | 'retrying' | 'pending' | 'not-sent';

export interface ReportRow {
  email: string;
  list: string;
  batch: number;
  outcome: ReportOutcome;
  /** The reply code, or why a recipient was skipped (its status then). */
  detail: string;
  /** The Message-ID the message carries (stable per edition and recipient), without <>; '' if never sent. */
  messageId: string;
  /** The SMTP reply ('' for entries recorded before the report existed). */
  reply: string;
  /** Attempts of the batch that recorded the outcome (null: not known). */
  attempts: number | null;
  /** When it was recorded, ISO (null: not known). */
  at: string | null;
}

export interface ReportDeps {
  editions: EditionStore;
  /** The domain of the newsletter's From, as Message-IDs use it. */
  domain: string;
}

export function outcomeOf(e: LedgerEntry | null, state: EditionState): ReportOutcome {
  if (!e) return state === 'cancelled' || state === 'failed' ? 'not-sent' : 'pending';
  switch (e.kind) {
    case 's': return 'sent';
    case 'f': return 'failed';
    case 'x': return 'suppressed';
    case 'k': return e.detail === 'unsubscribed' ? 'unsubscribed' : 'skipped';
    case 't': return state === 'cancelled' ? 'not-sent' : 'retrying';
    default: return state === 'cancelled' ? 'not-sent' : 'sending';
  }
}

const ATTEMPTED = new Set<ReportOutcome>(['sent', 'failed', 'suppressed', 'sending', 'retrying']);

/** Recipients read per Redis round trip (one LRANGE, one HMGET). */
const PAGE = 1000;

/**
 * Every recipient of the snapshot, batch by batch, in snapshot order: a page of a batch and
 * its ledger values at a time, so a million-recipient report never sits in memory.
 * `batches` limits it to some batches (the console shows one per page).
 */
export async function* reportRows(
  deps: ReportDeps,
  id: string,
  opts: { batches?: { from: number; to: number } } = {},
): AsyncGenerator<ReportRow> {
  const { editions } = deps;
  const state = (await editions.state(id)) ?? 'scheduled';
  const count = await editions.batchCount(id);
  const from = Math.max(0, opts.batches?.from ?? 0);
  const to = Math.min(count - 1, opts.batches?.to ?? count - 1);
  for (let b = from; b <= to; b++) {
    for (let start = 0; ; start += PAGE) {
      const entries = (await editions.batchRange(id, b, start, start + PAGE - 1)).map(parseBatchEntry);
      if (entries.length === 0) break;
      const values = await editions.ledgerMany(id, entries.map((e) => e.email));
      for (let i = 0; i < entries.length; i++) {
        const { email, list } = entries[i]!;
        const e = parseLedgerEntry(values[i]);
        const outcome = outcomeOf(e, state);
        yield {
          email,
          list,
          batch: b,
          outcome,
          detail: e?.detail ?? '',
          messageId: ATTEMPTED.has(outcome) ? messageIdFor(id, email, deps.domain) : '',
          reply: e?.reply ?? '',
          attempts: e?.attempts ?? null,
          at: e?.at ? new Date(e.at).toISOString() : null,
        };
      }
      if (entries.length < PAGE) break;
    }
  }
}

export interface FailureGroup {
  /** The SMTP reply (or, for entries without one, the reply code). */
  reply: string;
  outcome: 'failed' | 'suppressed';
  count: number;
  /** A few of the addresses, for a look. */
  sample: string[];
}

/**
 * The failed and suppressed recipients grouped by SMTP reply, largest group first: one
 * walk of the ledger (HSCAN pages), whatever its size.
 */
export async function failureGroups(editions: EditionStore, id: string, sampleSize = 3): Promise<FailureGroup[]> {
  const groups = new Map<string, FailureGroup>();
  let cursor = '0';
  do {
    const page = await editions.scanLedger(id, cursor);
    cursor = page.cursor;
    for (const [email, v] of page.entries) {
      const e = parseLedgerEntry(v);
      if (!e || (e.kind !== 'f' && e.kind !== 'x')) continue;
      const outcome = e.kind === 'f' ? 'failed' : 'suppressed';
      const reply = e.reply || (e.detail === 'conn' ? 'connection error' : `SMTP ${e.detail}`);
      const key = `${outcome}\n${reply}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { reply, outcome, count: 0, sample: [] }));
      g.count++;
      if (g.sample.length < sampleSize) g.sample.push(email);
    }
  } while (cursor !== '0');
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reply.localeCompare(b.reply));
}

export const REPORT_COLUMNS = ['email', 'list', 'outcome', 'detail', 'message_id', 'smtp_reply', 'attempts', 'time'] as const;

function cells(r: ReportRow): string[] {
  return [r.email, r.list, r.outcome, r.detail, r.messageId ? `<${r.messageId}>` : '', r.reply, r.attempts === null ? '' : String(r.attempts), r.at ?? ''];
}

/**
 * One CSV line (header or row), RFC 4180 quoting as csv-stringify does it, formulas
 * neutralised so a spreadsheet opens it safely. By hand: csv-stringify's sync call costs
 * ~5 µs a row, 5 s of a million-row report.
 */
export function csvLine(values: readonly string[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = neutraliseFormula(values[i]!);
    line += (i ? ',' : '') + (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  }
  return line + '\n';
}

/** One tab-separated line for `brief edition ID report` without --csv. */
export function textLine(r: ReportRow): string {
  return cells(r).map((c) => c.replace(/[\t\r\n]/g, ' ') || '-').join('\t') + '\n';
}

/**
 * Writes the report to `out` (not ended), waiting for it to drain: streaming, fine for a
 * million rows. Returns the counts per outcome.
 */
export async function writeReport(
  deps: ReportDeps,
  id: string,
  out: NodeJS.WritableStream,
  format: 'csv' | 'text',
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const write = async (s: string) => {
    if (!out.write(s)) await once(out as unknown as NodeJS.EventEmitter, 'drain');
  };
  await write(format === 'csv' ? csvLine(REPORT_COLUMNS) : REPORT_COLUMNS.join('\t') + '\n');
  let buf = '';
  for await (const r of reportRows(deps, id)) {
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    buf += format === 'csv' ? csvLine(cells(r)) : textLine(r);
    if (buf.length > 64 * 1024) {
      await write(buf);
      buf = '';
    }
  }
  if (buf) await write(buf);
  return counts;
}
