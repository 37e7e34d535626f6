import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { BriefError } from '../../src/errors.js';
import { exportCsv, importCsv, type ImportReport } from '../../src/subscribers/index.js';
import { capture, fixture, recount, storePerTest } from './helpers.js';

const fx = storePerTest();

const csv = (text: string) => Readable.from([Buffer.from(text)]);
const sum = (r: ImportReport) => r.added + r.updated + r.unchanged + r.keptUnsubscribed + r.suppressed + r.duplicates + r.invalidCount;

describe('importCsv', () => {
  it('imports good.csv: BOM, CRLF, quoted comma and newline, attribute columns', async () => {
    const report = await importCsv(fx.store, 'daily', fixture('good.csv'));
    expect(report).toEqual({
      rows: 4, added: 4, updated: 0, unchanged: 0, keptUnsubscribed: 0, suppressed: 0, duplicates: 0, invalid: [], invalidCount: 0,
    });
    expect(await fx.store.get('daily', 'boris@example.org')).toMatchObject({
      email: 'boris@example.org',
      name: 'Boris, the Editor',
      status: 'active',
      attributes: { City: 'Yerevan', Address: '12 Abovyan St, Apt 4', Plan: 'free' },
    });
    // Empty cells are not stored; the address with spaces around it is trimmed.
    expect((await fx.store.get('daily', 'carla@example.org'))?.attributes).toEqual({ City: 'Baku' });
    expect((await fx.store.get('daily', 'dato@example.org'))?.attributes).toEqual({ City: 'Kutaisi, Imereti', Plan: 'pro' });
    expect(await fx.store.countActive('daily')).toBe(4);
    expect(await fx.store.lists()).toEqual(['daily']);
  });

  it('reports bad-rows.csv with the line where each row starts', async () => {
    const report = await importCsv(fx.store, 'daily', fixture('bad-rows.csv'));
    expect(report).toEqual({
      rows: 11,
      added: 6,
      updated: 0,
      unchanged: 0,
      keptUnsubscribed: 0,
      suppressed: 0,
      duplicates: 1,
      invalid: [
        { line: 3, reason: 'invalid address "x@"' },
        { line: 4, reason: 'missing email' },
        { line: 7, reason: 'invalid address "not an address"' },
        // After two quoted line breaks (one of them CRLF): the file's own line number.
        { line: 12, reason: 'invalid address "two@@example.org"' },
      ],
      invalidCount: 4,
    });
    expect(sum(report)).toBe(report.rows);
    // The first row of a duplicated address wins.
    expect((await fx.store.get('daily', 'good1@example.org'))?.name).toBe('Good One');
    expect((await fx.store.get('daily', 'multi@example.org'))?.name).toBe('Multi Line Name');
    expect((await fx.store.get('daily', 'short@example.org'))?.attributes).toEqual({});
  });

  it('stores the header-injection name without CR/LF and HTML as plain text', async () => {
    await importCsv(fx.store, 'daily', fixture('bad-rows.csv'));
    const evil = await fx.store.get('daily', 'evil@example.org');
    expect(evil?.name).toBe('Eve Bcc: evil@x.org');
    expect(evil?.name).not.toMatch(/[\r\n]/);
    expect((await fx.store.get('daily', 'html@example.org'))?.name).toBe('<b>Bold</b> <script>alert(1)</script>');
  });

  it('counts line numbers across CRLF files with quoted CRLF and blank lines', async () => {
    const text = 'name,EMAIL\r\n"Two\r\nLines",a@example.org\r\n\r\n"Three\r\nLine\r\nName",b@\r\n,\r\nx,c@\r\n';
    const report = await importCsv(fx.store, 'daily', csv(text));
    expect(report.invalid).toEqual([
      { line: 5, reason: 'invalid address "b@"' },
      { line: 9, reason: 'invalid address "c@"' },
    ]);
    expect(report.rows).toBe(3);
  });

  it('fails with ECSV when the header has no email column', async () => {
    const err = await importCsv(fx.store, 'daily', fixture('no-email-header.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BriefError);
    expect((err as BriefError).code).toBe('ECSV');
    expect((err as BriefError).message).toBe(`${fixture('no-email-header.csv')}: no "email" column in the header (line 1)`);
    expect(await fx.store.lists()).toEqual([]);
  });

  it('fails with ECSV for a missing file, an empty file and an unclosed quote', async () => {
    await expect(importCsv(fx.store, 'daily', '/nonexistent/subscribers.csv')).rejects.toMatchObject({
      code: 'ECSV',
      message: '/nonexistent/subscribers.csv: cannot read the file (ENOENT)',
    });
    await expect(importCsv(fx.store, 'daily', csv('\n\n'), { source: 'empty.csv' })).rejects.toMatchObject({
      code: 'ECSV',
      message: 'empty.csv: the file is empty; expected a header row with an "email" column',
    });
    await expect(importCsv(fx.store, 'daily', csv('email,name\na@example.org,"Ana\nb@example.org,B\n'), { source: 'q.csv' }))
      .rejects.toMatchObject({ code: 'ECSV', message: expect.stringMatching(/^q\.csv: line \d+: a quoted field is never closed$/) });
  });

  it('lists the first 20 invalid rows and counts the rest', async () => {
    const lines = ['email', ...Array.from({ length: 30 }, (_, i) => `bad${i}@`), 'ok@example.org'];
    const report = await importCsv(fx.store, 'daily', csv(lines.join('\n')));
    expect(report.invalidCount).toBe(30);
    expect(report.invalid).toHaveLength(20);
    expect(report.invalid[19]).toEqual({ line: 21, reason: 'invalid address "bad19@"' });
    expect(report.added).toBe(1);
  });

  it('never re-activates unsubscribed, bounced or suppressed addresses on re-import; --resubscribe does', async () => {
    await importCsv(fx.store, 'daily', fixture('good.csv'));
    await fx.store.setStatus('daily', 'ana@example.org', 'unsubscribed');
    await fx.store.setStatus('daily', 'boris@example.org', 'bounced');
    await fx.store.suppress('carla@example.org', 'smtp 550');
    await fx.store.suppress('new@example.org', 'complaint');
    const again = 'email,name\nana@example.org,Ana\nBoris@example.org,Boris, the Editor\ncarla@example.org,Carla Mendes\n' +
      'dato@example.org,Dato\nnew@example.org,New\nfresh@example.org,Fresh\n';

    const report = await importCsv(fx.store, 'daily', csv(again));
    expect(report).toMatchObject({ rows: 6, added: 1, updated: 0, unchanged: 1, keptUnsubscribed: 2, suppressed: 2 });
    expect(await fx.store.statusMany('daily', ['ana@example.org', 'boris@example.org', 'new@example.org'])).toEqual([
      'unsubscribed', 'bounced', null,
    ]);
    expect(await fx.store.counts('daily')).toEqual({ active: 3, unsubscribed: 1, bounced: 1, complained: 0, pending: 0 });
    expect(await fx.store.counts('daily')).toEqual(await recount(fx.store, 'daily'));

    const re = await importCsv(fx.store, 'daily', csv(again), { resubscribe: true });
    expect(re).toMatchObject({ rows: 6, added: 1, updated: 3, unchanged: 2, keptUnsubscribed: 0, suppressed: 0 });
    expect(await fx.store.statusMany('daily', ['ana@example.org', 'boris@example.org', 'new@example.org'])).toEqual([
      'active', 'active', 'active',
    ]);
    expect(await fx.store.suppressedMany(['carla@example.org', 'new@example.org'])).toEqual([false, false]);
    expect(await fx.store.counts('daily')).toEqual({ active: 6, unsubscribed: 0, bounced: 0, complained: 0, pending: 0 });
    expect(await fx.store.counts('daily')).toEqual(await recount(fx.store, 'daily'));
  });

  it('keeps counters exact across batches, duplicates and statuses, and reports progress per batch', async () => {
    const rows = ['email,status,n'];
    for (let i = 0; i < 2500; i++) {
      const status = i % 10 === 0 ? 'unsubscribed' : i % 25 === 0 ? 'bounced' : '';
      rows.push(`User${i}@Example.org,${status},${i}`);
    }
    for (let i = 0; i < 100; i++) rows.push(`user${i * 3}@example.org,,dup`);
    rows.push('weird@example.org,gone,1');
    const progress: number[] = [];
    const report = await importCsv(fx.store, 'daily', csv(rows.join('\n')), { batchSize: 400, onProgress: (r) => progress.push(r) });
    expect(report).toMatchObject({ rows: 2601, added: 2500, duplicates: 100, invalidCount: 1 });
    expect(report.invalid).toEqual([{ line: 2602, reason: 'unknown status "gone"' }]);
    expect(progress.length).toBe(Math.ceil(2500 / 400));
    expect(progress.at(-1)).toBe(2601);
    const counts = await fx.store.counts('daily');
    expect(counts).toEqual({ active: 2500 - 250 - 50, unsubscribed: 250, bounced: 50, complained: 0, pending: 0 });
    expect(counts).toEqual(await recount(fx.store, 'daily'));
    expect((await fx.store.get('daily', 'user3@example.org'))?.attributes).toEqual({ n: '3' });
  });
});

describe('exportCsv', () => {
  it('writes email,name,status and the attribute columns, and round-trips through importCsv', async () => {
    await importCsv(fx.store, 'daily', fixture('good.csv'));
    await importCsv(fx.store, 'daily', fixture('bad-rows.csv'));
    await fx.store.setStatus('daily', 'carla@example.org', 'unsubscribed');
    await fx.store.setStatus('daily', 'dato@example.org', 'complained');
    const out = capture();
    const written = await exportCsv(fx.store, 'daily', out.stream, { pageSize: 3 });
    const records = parse(out.text()) as string[][];
    expect(records[0]).toEqual(['email', 'name', 'status', 'Address', 'City', 'Plan', 'city']);
    expect(written).toBe(10);
    expect(records).toHaveLength(11);
    const boris = records.find((r) => r[0] === 'boris@example.org');
    expect(boris).toEqual(['boris@example.org', 'Boris, the Editor', 'active', '12 Abovyan St, Apt 4', 'Yerevan', 'free', '']);

    const copy = await importCsv(fx.store, 'copy', csv(out.text()));
    expect(copy).toMatchObject({ rows: 10, added: 10, invalidCount: 0 });
    const snapshot = async (list: string) => {
      const all = [];
      let cursor = '0';
      do {
        const page = await fx.store.scan(list, cursor, 100);
        all.push(...page.subscribers.map(({ email, name, status, attributes }) => ({ email, name, status, attributes })));
        cursor = page.cursor;
      } while (cursor !== '0');
      return all.sort((a, b) => a.email.localeCompare(b.email));
    };
    expect(await snapshot('copy')).toEqual(await snapshot('daily'));
    expect(await fx.store.counts('copy')).toEqual(await fx.store.counts('daily'));
  });

  it('writes only the header for an empty list', async () => {
    const out = capture();
    expect(await exportCsv(fx.store, 'empty', out.stream)).toBe(0);
    expect(out.text()).toBe('email,name,status\n');
  });
});
