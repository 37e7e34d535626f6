import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { FingerprintSet } from './fingerprint-set.js';
import { assertListId } from './list-id.js';
import type { SubscriberStore } from './subscriber-store.js';

/**
 * OWASP's CSV-injection rule: a cell a spreadsheet would read as a formula (it starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so opening an export
 * in Excel or LibreOffice never runs it. An import of the export keeps the `'` (the value is
 * then text, as the spreadsheet shows it).
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export interface ExportOptions {
  /** Subscribers per HSCAN step. @defaultValue 1000 */
  pageSize?: number;
}

/**
 * Writes a list as CSV — `email,name,status,<attribute columns>` — page by page, waiting
 * for `out` to drain, so a large list never sits in memory. The header must name every
 * attribute before the first row, so the list is walked twice: once for the attribute
 * names, once for the rows. An attribute first set between the two walks is left out.
 * `out` is not ended (it may be stdout). Returns the number of rows written.
 */
export async function exportCsv(
  store: SubscriberStore,
  list: string,
  out: NodeJS.WritableStream,
  opts: ExportOptions = {},
): Promise<number> {
  assertListId(list);
  const pageSize = opts.pageSize ?? 1000;
  const names = new Set<string>();
  let cursor = '0';
  do {
    const page = await store.scan(list, cursor, pageSize);
    for (const s of page.subscribers) for (const key of Object.keys(s.attributes)) names.add(key);
    cursor = page.cursor;
  } while (cursor !== '0');
  const columns = [...names].sort();

  await write(out, stringify([['email', 'name', 'status', ...columns.map(neutraliseFormula)]]));
  // HSCAN may return an address twice (while Redis rehashes); a CSV must not.
  const seen = new FingerprintSet();
  let rows = 0;
  do {
    const page = await store.scan(list, cursor, pageSize);
    const records: string[][] = [];
    for (const s of page.subscribers) {
      if (!seen.add(s.email)) continue;
      records.push(
        [s.email, s.name ?? '', s.status, ...columns.map((c) => (Object.hasOwn(s.attributes, c) ? (s.attributes[c] ?? '') : ''))].map(neutraliseFormula),
      );
    }
    if (records.length) await write(out, stringify(records));
    rows += records.length;
    cursor = page.cursor;
  } while (cursor !== '0');
  return rows;
}

/** Writes a chunk and waits for 'drain' when the stream asks; rejects if the stream errors (EPIPE). */
async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out as NodeJS.EventEmitter, 'drain');
}
