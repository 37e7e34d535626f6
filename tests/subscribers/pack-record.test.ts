import { describe, expect, it } from 'vitest';
import { FingerprintSet, packRecord, statusOfRecord, unpackRecord, type SubscriberRecord } from '../../src/subscribers/index.js';

describe('packRecord / unpackRecord', () => {
  const createdAt = Date.UTC(2025, 0, 6, 8, 0, 0, 123);

  it.each<[string, SubscriberRecord]>([
    ['a bare active subscriber', { status: 'active', attributes: {}, createdAt, updatedAt: createdAt }],
    ['a named one, updated later', { status: 'unsubscribed', name: 'Ana Beridze', attributes: {}, createdAt, updatedAt: createdAt + 86_400_000 }],
    ['attributes without a name', { status: 'bounced', attributes: { city: 'Tbilisi', plan: 'pro' }, createdAt, updatedAt: createdAt }],
    ['everything, with separators and quotes in the text', {
      status: 'complained',
      name: 'Boris, "the | Editor" 😀',
      attributes: { 'Address': '12 Abovyan St, Apt 4', 'weird\u001fkey': 'a\u001fb "q"' },
      createdAt,
      updatedAt: createdAt + 1,
    }],
  ])('round-trips %s', (_label, record) => {
    const packed = packRecord(record);
    expect(unpackRecord('ana@example.org', packed)).toEqual({ email: 'ana@example.org', ...record });
    expect(statusOfRecord(packed)).toBe(record.status);
  });

  it('is compact: a bare subscriber takes 9 bytes, the status is the first character', () => {
    const packed = packRecord({ status: 'active', attributes: {}, createdAt, updatedAt: createdAt });
    expect(packed).toBe(`a${createdAt.toString(36)}`);
    expect(Buffer.byteLength(packed)).toBe(9);
    expect(packRecord({ status: 'bounced', attributes: {}, createdAt, updatedAt: createdAt }).charAt(0)).toBe('b');
  });

  it('packs equal attributes to equal text whatever their order', () => {
    const a = packRecord({ status: 'active', attributes: { b: '2', a: '1' }, createdAt, updatedAt: createdAt });
    const b = packRecord({ status: 'active', attributes: { a: '1', b: '2' }, createdAt, updatedAt: createdAt });
    expect(a).toBe(b);
    const c = packRecord({ status: 'active', attributes: { x: '1', 10: 'ten', 9: 'nine', b: '2' }, createdAt, updatedAt: createdAt });
    const d = packRecord({ status: 'active', attributes: { b: '2', 9: 'nine', x: '1', 10: 'ten' }, createdAt, updatedAt: createdAt });
    expect(c).toBe(d);
  });

  it('refuses a record with an unknown status', () => {
    expect(() => unpackRecord('x@example.org', 'zabc')).toThrow(/unknown status/);
  });
});

describe('FingerprintSet', () => {
  it('tells new strings from repeated ones across growth', () => {
    const set = new FingerprintSet(16);
    let fresh = 0;
    for (let i = 0; i < 50_000; i++) if (set.add(`user${i}@example.org`)) fresh++;
    expect(fresh).toBe(50_000);
    expect(set.size).toBe(50_000);
    let again = 0;
    for (let i = 0; i < 50_000; i += 7) if (set.add(`user${i}@example.org`)) again++;
    expect(again).toBe(0);
    expect(set.add('someone-else@example.org')).toBe(true);
    expect(set.size).toBe(50_001);
  });
});
