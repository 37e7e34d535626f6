/**
 * Issue 10, items 3 and 12: CSV columns that are names of Object.prototype, and cells that
 * a spreadsheet would run as formulas. Real Redis, the real import and export.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { exportCsv, importCsv } from '../../src/subscribers/index.js';
import { neutraliseFormula } from '../../src/subscribers/export-csv.js';
import { capture, storePerTest } from './helpers.js';

const fx = storePerTest();
const csv = (text: string) => Readable.from([Buffer.from(text)]);

describe('attribute names of Object.prototype', () => {
  it('are kept as plain data: import, export and re-import all work', async () => {
    const report = await importCsv(
      fx.store,
      'daily',
      csv('email,toString,constructor,__proto__,hasOwnProperty,city\nana@example.org,a,b,c,d,Tbilisi\ngiorgi@example.org,,,,,Batumi\n'),
    );
    expect(report).toMatchObject({ added: 2, invalidCount: 0 });
    const ana = await fx.store.get('daily', 'ana@example.org');
    expect(Object.getPrototypeOf(ana!.attributes)).toBe(null);
    expect({ ...ana!.attributes }).toEqual({ toString: 'a', constructor: 'b', ['__proto__']: 'c', hasOwnProperty: 'd', city: 'Tbilisi' });
    // Giorgi has none of them: they are not inherited either.
    const giorgi = await fx.store.get('daily', 'giorgi@example.org');
    expect(Object.hasOwn(giorgi!.attributes, 'toString')).toBe(false);
    expect(giorgi!.attributes.toString).toBeUndefined();
    // Nothing leaked onto Object.prototype.
    expect(({} as Record<string, unknown>).c).toBeUndefined();

    const out = capture();
    expect(await exportCsv(fx.store, 'daily', out.stream)).toBe(2);
    const rows = parse(out.text()) as string[][];
    expect(rows[0]).toEqual(['email', 'name', 'status', '__proto__', 'city', 'constructor', 'hasOwnProperty', 'toString']);
    expect(rows.find((r) => r[0] === 'giorgi@example.org')).toEqual(['giorgi@example.org', '', 'active', '', 'Batumi', '', '', '']);
    expect(rows.find((r) => r[0] === 'ana@example.org')).toEqual(['ana@example.org', '', 'active', 'c', 'Tbilisi', 'b', 'd', 'a']);
    const copy = await importCsv(fx.store, 'copy', csv(out.text()));
    expect(copy).toMatchObject({ added: 2, invalidCount: 0 });
    expect({ ...(await fx.store.get('copy', 'ana@example.org'))!.attributes }).toEqual({ ...ana!.attributes });
  });
});

describe('spreadsheet formulas in an export', () => {
  it('every cell that starts with = + - @ TAB or CR gets a leading quote', async () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'plain', '', "'already"].map(neutraliseFormula)).toEqual([
      "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", 'plain', '', "'already",
    ]);
    await importCsv(
      fx.store,
      'daily',
      csv(`email,name,note,=HYPERLINK("x")\nana@example.org,"=cmd|' /C calc'!A0",@SUM(1),+1\n-dash@example.org,Normal,"-2",\n`),
    );
    const out = capture();
    await exportCsv(fx.store, 'daily', out.stream);
    const rows = parse(out.text()) as string[][];
    expect(rows[0]).toEqual(['email', 'name', 'status', `'=HYPERLINK("x")`, 'note']);
    expect(rows.find((r) => r[0] === 'ana@example.org')).toEqual(['ana@example.org', "'=cmd|' /C calc'!A0", 'active', "'+1", "'@SUM(1)"]);
    // An address may start with "-": guarded in the export, and the import undoes the guard.
    expect(rows.find((r) => r[1] === 'Normal')).toEqual(["'-dash@example.org", 'Normal', 'active', '', "'-2"]);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const copy = await importCsv(fx.store, 'copy', csv(out.text()));
    expect(copy).toMatchObject({ added: 2, invalidCount: 0 });
    expect(await fx.store.get('copy', '-dash@example.org')).not.toBeNull();
  });
});
