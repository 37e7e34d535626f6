import { describe, expect, it } from 'vitest';
import { cleanName, normaliseAddress } from '../../src/subscribers/index.js';

describe('normaliseAddress', () => {
  it.each([
    ['ana@example.org', 'ana@example.org'],
    ['  Ana.Beridze@Example.ORG ', 'ana.beridze@example.org'],
    ['first+tag@mail.example.co.uk', 'first+tag@mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x@xn--80ak6aa92e.com', 'x@xn--80ak6aa92e.com'],
    ['a_b-c@sub-domain.example.org', 'a_b-c@sub-domain.example.org'],
  ])('accepts %j as %j', (raw, normal) => {
    expect(normaliseAddress(raw)).toBe(normal);
  });

  it.each([
    '',
    '   ',
    'x@',
    '@example.org',
    'two@@example.org',
    'a@b@example.org',
    'no-at-sign.example.org',
    'not an address',
    'ana @example.org',
    'ana@example',
    'ana@.example.org',
    'ana@example..org',
    'ana@-example.org',
    'ana@example-.org',
    'ana@example.o',
    'ana@example.123',
    '.ana@example.org',
    'ana.@example.org',
    'an..a@example.org',
    '"quoted"@example.org',
    'ana@example.org\r\nBcc: evil@x.org',
    'ana\n@example.org',
    'ana\u0000@example.org',
    'ána@example.org',
    'ana@exämple.org',
    'ana@[127.0.0.1]',
    `${'a'.repeat(65)}@example.org`,
    `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.org`,
  ])('rejects %j', (raw) => {
    expect(normaliseAddress(raw)).toBeNull();
  });

  it('accepts the longest local part (64) and rejects one past it', () => {
    expect(normaliseAddress(`${'a'.repeat(64)}@example.org`)).not.toBeNull();
    expect(normaliseAddress(`${'a'.repeat(65)}@example.org`)).toBeNull();
  });
});

describe('cleanName', () => {
  it('turns CR/LF and control characters into single spaces so a name stays one header-safe line', () => {
    const name = cleanName('Eve\r\nBcc: evil@x.org');
    expect(name).toBe('Eve Bcc: evil@x.org');
    expect(name).not.toMatch(/[\r\n]/);
    expect(cleanName('A\u0000B\tC\u001bD\u2028E\u0085F')).toBe('A B C D E F');
  });

  it('trims, collapses spaces and keeps HTML as text (escaped where it enters HTML)', () => {
    expect(cleanName('   Ana    Beridze  ')).toBe('Ana Beridze');
    expect(cleanName('<b>Bold</b>')).toBe('<b>Bold</b>');
  });

  it('caps at 200 characters without cutting a surrogate pair', () => {
    expect(cleanName('x'.repeat(500))).toHaveLength(200);
    const emoji = cleanName('😀'.repeat(300));
    expect(Array.from(emoji)).toHaveLength(200);
    expect(emoji).toBe('😀'.repeat(200));
  });
});
