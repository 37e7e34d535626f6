import { attributeMap } from './pack-record.js';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { ConsentRecord, ConsentStore } from './consent-store.js';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { BriefError, quote } from '../errors.js';
import { FingerprintSet } from './fingerprint-set.js';
import { assertListId } from './list-id.js';
import { normaliseAddress } from './normalise-address.js';
import type { SubscriberInput, SubscriberStore } from './subscriber-store.js';
import { isSubscriberStatus, type AddResult, type ImportReport } from './types.js';

export interface ImportOptions {
  /** Re-activate unsubscribed/bounced/complained addresses and lift their suppression. @defaultValue false */
  resubscribe?: boolean;
  /** Called after each batch is written, with the data rows and bytes read so far. */
  onProgress?(rows: number, bytes: number): void;
  /** How the input is named in error messages. @defaultValue the file path, or "input" for a stream */
  source?: string;
  /** Rows per Redis round (one HMGET, one SMISMEMBER, one Lua call). @defaultValue 1000 */
  batchSize?: number;
  /**
   * Batches written at the same time while the next ones are parsed: Redis works on one
   * while this process prepares the next. Memory is bounded by `batchSize × (concurrency + 1)` rows.
   * @defaultValue 4
   */
  concurrency?: number;
  /** Records `import:FILE` (the file's name, and the time) as the consent of each row added. */
  consent?: ConsentStore;
}

/** How many invalid rows the report lists; the rest are only counted. */
export const MAX_INVALID_LISTED = 20;

/**
 * A row longer than this is not a subscriber: most likely an unclosed quote swallowing the
 * rest of the file, which would otherwise be buffered whole before failing.
 */
const MAX_RECORD_BYTES = 64 * 1024;

/** Columns with a meaning of their own; every other named column is an attribute. */
const RESERVED = new Set(['email', 'name', 'status']);

interface Header {
  email: number;
  name: number;
  status: number;
  attributes: Array<{ index: number; key: string }>;
}

/**
 * Streams a CSV file (or stream) into a list. The header row needs an `email` column
 * (any case); `name` and `status` are optional; other columns become attributes. Rows are
 * written 1,000 at a time, a few batches at once while the next is parsed, and the parser
 * waits when that many are in flight (async iteration is the backpressure), so memory
 * stays flat whatever the file's size — apart from 8–16 bytes per distinct address for
 * finding duplicates (see FingerprintSet).
 *
 * Invalid rows are skipped and reported with the file's line number where the row starts;
 * an address seen earlier in the same file is a duplicate (the first row wins). A `status`
 * column of unsubscribed/bounced/complained records that opt-out, so an export imported
 * elsewhere keeps its opt-outs; `active` never re-activates anyone unless `resubscribe`.
 *
 * @throws BriefError ECSV when the file cannot be read, has no `email` column, or is not
 * CSV (an unclosed quote); rows before the failing line have been imported.
 */
export async function importCsv(
  store: SubscriberStore,
  list: string,
  input: string | NodeJS.ReadableStream,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  assertListId(list);
  const batchSize = opts.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TypeError(`importCsv: option "batchSize" must be a positive integer, got ${String(opts.batchSize)}`);
  }
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`importCsv: option "concurrency" must be a positive integer, got ${String(opts.concurrency)}`);
  }
  const source = opts.source ?? (typeof input === 'string' ? input : 'input');
  const resubscribe = opts.resubscribe === true;
  const report: ImportReport = {
    rows: 0, added: 0, updated: 0, unchanged: 0, keptUnsubscribed: 0, suppressed: 0, duplicates: 0, invalid: [], invalidCount: 0,
  };
  const invalid = (line: number, reason: string) => {
    report.invalidCount++;
    if (report.invalid.length < MAX_INVALID_LISTED) report.invalid.push({ line, reason });
  };

  const parser = parse({
    bom: true,
    relax_column_count: true,
    // A stray quote inside an unquoted field ("O"Brien) is kept as text, not a fatal error.
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  // Errors of either side reach the loop below through the parser; this promise only
  // has to be observed so that it is never an unhandled rejection.
  pipeline(stream, parser).catch(() => {});

  const seen = new FingerprintSet();
  let header: Header | null = null;
  let batch: SubscriberInput[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  // csv-parse's `info.lines` counts a CRLF inside a quoted field as two lines and gives the
  // line where a row ends, so line numbers are counted here: a row starts on the line after
  // the previous row's last line, and spans one more line per line break inside its fields.
  let line = 1;
  let rowLine = 1;

  const consent: ConsentRecord = { source: `import:${path.basename(source)}`, at: new Date().toISOString() };
  const write = async (rows: SubscriberInput[]) => {
    const results = await store.upsertMany(list, rows, { resubscribe });
    for (const r of results) tally(report, r);
    if (opts.consent) {
      const added: string[] = [];
      const updated: string[] = [];
      results.forEach((r, i) => {
        const email = normaliseAddress(rows[i]!.address);
        if (!email || (rows[i]!.status ?? 'active') !== 'active') return;
        if (r === 'added') added.push(email);
        else if (r === 'updated') updated.push(email);
      });
      await opts.consent.putMany(list, added, consent);
      await opts.consent.putMany(list, updated, consent, { keepExisting: true });
    }
    opts.onProgress?.(report.rows, parser.info.bytes);
  };
  /** Starts writing the batch; waits while `concurrency` batches are already being written. */
  const flush = async () => {
    if (batch.length > 0) {
      // Batches never share an address (duplicates are dropped before), so they may be
      // written in any order and at the same time.
      const p: Promise<void> = write(batch).then(
        () => { inFlight.delete(p); },
        (error: unknown) => { inFlight.delete(p); failure ??= { error }; },
      );
      inFlight.add(p);
      batch = [];
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };
  const drain = async () => {
    await Promise.all(inFlight);
    if (failure) throw failure.error;
  };

  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowLine = line;
      line += 1 + lineBreaks(record);
      if (!header) {
        if (!isBlank(record)) header = readHeader(record, source, rowLine);
        continue;
      }
      // An export's formula guard (a leading ' before = + - @) is undone for the address.
      const rawEmail = (record[header.email] ?? '').trim().replace(/^'(?=[=+\-@])/, '');
      if (!rawEmail) {
        if (isBlank(record)) continue;
        report.rows++;
        invalid(rowLine, 'missing email');
        continue;
      }
      report.rows++;
      const address = normaliseAddress(rawEmail);
      if (!address) {
        invalid(rowLine, `invalid address ${quote(rawEmail)}`);
        continue;
      }
      const status = header.status < 0 ? '' : (record[header.status] ?? '').trim().toLowerCase();
      if (status !== '' && !isSubscriberStatus(status)) {
        invalid(rowLine, `unknown status ${quote(status)}`);
        continue;
      }
      if (!seen.add(address)) {
        report.duplicates++;
        continue;
      }
      const row: SubscriberInput = { address };
      for (const { index, key } of header.attributes) {
        const value = record[index];
        if (value) (row.attributes ??= attributeMap())[key] = value;
      }
      if (header.name >= 0) row.name = record[header.name] ?? '';
      if (status && isSubscriberStatus(status)) row.status = status;
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    if (!header) {
      throw new BriefError('ECSV', `${source}: the file is empty; expected a header row with an "email" column`);
    }
    await flush();
    await drain();
  } catch (err) {
    // Let batches already sent finish before reporting, so nothing writes after we return.
    await Promise.allSettled(inFlight);
    throw asCsvError(err, source, rowLine, line);
  } finally {
    if (!parser.destroyed) parser.destroy();
  }
  return report;
}

function tally(report: ImportReport, result: AddResult): void {
  switch (result) {
    case 'added': report.added++; break;
    case 'updated': report.updated++; break;
    case 'unchanged': report.unchanged++; break;
    case 'kept-unsubscribed': report.keptUnsubscribed++; break;
    case 'suppressed': report.suppressed++; break;
  }
}

function readHeader(record: string[], source: string, line: number): Header {
  const names = record.map((cell) => cell.trim());
  const lower = names.map((n) => n.toLowerCase());
  const email = lower.indexOf('email');
  if (email < 0) throw new BriefError('ECSV', `${source}: no "email" column in the header (line ${line})`);
  const attributes: Header['attributes'] = [];
  names.forEach((key, index) => {
    if (key && !RESERVED.has(lower[index] as string)) attributes.push({ index, key });
  });
  // Sorted, so each row's attributes come out in the order the packed record keeps them.
  attributes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { email, name: lower.indexOf('name'), status: lower.indexOf('status'), attributes };
}

function lineBreaks(record: string[]): number {
  let n = 0;
  for (let i = 0; i < record.length; i++) {
    const field = record[i] as string;
    if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) continue;
    n += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return n;
}

/** Blank lines and rows of empty cells (",,,", common at the end of spreadsheet exports). */
function isBlank(record: string[]): boolean {
  for (let i = 0; i < record.length; i++) if ((record[i] as string).trim() !== '') return false;
  return true;
}


function asCsvError(err: unknown, source: string, rowLine: number, line: number): unknown {
  if (err instanceof BriefError) return err;
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new BriefError('ECSV', `${source}: line ${line}: a quoted field is never closed`, { cause: err });
    case 'CSV_MAX_RECORD_SIZE':
      return new BriefError('ECSV', `${source}: line ${line}: a row longer than ${MAX_RECORD_BYTES / 1024} KiB (an unclosed quote?)`, { cause: err });
    case 'ENOENT':
    case 'EACCES':
    case 'EISDIR':
      return new BriefError('ECSV', `${source}: cannot read the file (${code})`, { cause: err });
  }
  if (code.startsWith('CSV_')) {
    const reason = String(e?.message).replace(/ at line \d+/, '');
    return new BriefError('ECSV', `${source}: line ${rowLine}: ${reason}`, { cause: err });
  }
  return err;
}
