/**
 * Issue 12, items 1 and 8: List-Id (RFC 2919) and display names in non-Latin scripts, as
 * a mail client reads them: messages sent through the real SMTP transport to a real
 * smtp-server, parsed with mailparser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink, type ReceivedMessage } from '../helpers/smtp-sink.js';
import { createSmtpTransport } from '../../src/delivery/smtp-transport.js';
import type { MailTransport } from '../../src/delivery/transport.js';
import { encodePhrase, listIdHeader } from '../../src/delivery/header-words.js';
import { renderFor, sendOne, type Language } from './mail-helpers.js';

let sink: SmtpSink;
let transport: MailTransport;

beforeAll(async () => {
  sink = new SmtpSink();
  const url = await sink.start();
  transport = createSmtpTransport({ url, poolSize: 1 });
});

afterAll(async () => {
  await transport.close();
  await sink.stop();
});

async function deliver(lang: Language, title: string, to: { email: string; name?: string }): Promise<ReceivedMessage> {
  const { newsletter, edition } = await renderFor(lang, 3, { title, from: `"${title.replace(/["\\]/g, '\\$&')}" <brief@example.org>` });
  await sendOne(transport, newsletter, edition, { ...to, list: 'daily' });
  const m = sink.messages.find((x) => x.rcpt[0] === to.email.toLowerCase());
  if (!m) throw new Error(`no message reached ${to.email}`);
  return m;
}

/** One encoded-word's bytes (RFC 2047, UTF-8, B or Q). */
function wordBytes(w: string): Buffer {
  const m = /^=\?UTF-8\?([BQ])\?([^?]*)\?=$/i.exec(w);
  if (!m) throw new Error(`not an encoded-word: ${w}`);
  if (m[1]!.toUpperCase() === 'B') return Buffer.from(m[2]!, 'base64');
  return Buffer.from(m[2]!.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

/** Encoded-words separated by white space, decoded and joined as RFC 2047 §6.2 says. */
const decodeWords = (s: string) => s.trim().split(/\s+/).map((w) => wordBytes(w).toString('utf8')).join('');

type ListHeader = { id?: { id?: string; name?: string } };
const listOf = (p: Awaited<ReturnType<ReceivedMessage['parse']>>) => p.headers.get('list') as ListHeader | undefined;

describe('List-Id', () => {
  it('keeps <label.domain> in ASCII and the Georgian title as a decodable phrase', async () => {
    const m = await deliver('ka', 'კავკასიის დღიური მიმოხილვა', { email: 'ka@example.net' });
    const raw = m.header('List-Id')!;
    // The id itself is never inside an encoded-word.
    expect(raw).toMatch(/^(=\?UTF-8\?[BQ]\?[^?\s]+\?= ?)+ <daily\.example\.org>$/);
    const list = listOf(await m.parse());
    expect(list?.id?.id).toBe('daily.example.org');
    // mailparser leaves a List-Id phrase as sent; decoding its words gives the title back whole.
    expect(decodeWords(list!.id!.name!)).toBe('კავკასიის დღიური მიმოხილვა');
  });

  it('quotes an ASCII title with specials so it parses whole', async () => {
    const title = 'Brief: Georgia, Armenia (beta) @ Tbilisi';
    const m = await deliver('en', title, { email: 'punct@example.net' });
    expect(m.header('List-Id')).toBe('"Brief: Georgia, Armenia (beta) @ Tbilisi" <daily.example.org>');
    const p = await m.parse();
    expect(listOf(p)?.id).toEqual({ id: 'daily.example.org', name: title });
    // The From display name, same title, parses whole too.
    expect(p.from?.value[0]).toEqual({ name: title, address: 'brief@example.org' });
  });

  it('leaves a plain title bare and escapes quotes and backslashes in a quoted one', () => {
    expect(listIdHeader('The Daily Brief', 'daily', 'example.org')).toBe('The Daily Brief <daily.example.org>');
    expect(listIdHeader('Say "hi" \\ bye', 'daily', 'example.org')).toBe('"Say \\"hi\\" \\\\ bye" <daily.example.org>');
    expect(listIdHeader('Brief', 'daily', 'ბრიფი.ge')).toBe('Brief <daily.xn--b1aew5a2b.ge>'.replace('xn--b1aew5a2b', new URL('http://ბრიფი.ge').hostname.split('.')[0]!));
  });
});

describe('display names in non-Latin scripts', () => {
  it('sends a Georgian or Armenian name as one encoded-word that decodes without a stray space', async () => {
    for (const [lang, name, email] of [
      ['ka', 'ნინო ბერიძე', 'nino@example.net'],
      ['hy', 'Անի Հակոբյան', 'ani@example.net'],
    ] as const) {
      const m = await deliver(lang, lang === 'ka' ? 'დღიური ბრიფი' : 'Կովկասյան ամփոփում', { email, name });
      const to = m.header('To')!;
      expect(to).toMatch(/^=\?UTF-8\?[BQ]\?[^?\s]+\?= <[^>]+>$/);
      expect(to.split(' ')[0]!.length).toBeLessThanOrEqual(75);
      const p = await m.parse();
      expect(p.to && 'value' in p.to ? p.to.value[0] : undefined).toEqual({ name, address: email });
      // The From name (the newsletter's title) is one word too.
      expect(m.header('From')).toMatch(/^=\?UTF-8\?[BQ]\?[^?\s]+\?= <brief@example\.org>$/);
    }
  });

  it('splits a name too long for one word only between characters, every word within 75', () => {
    const long = 'ნინო ბერიძე-კაპანაძე-მამედოვა-პეტროსიანი ☃️👩🏽‍💻';
    const encoded = encodePhrase(long);
    const words = encoded.split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) {
      expect(w.length).toBeLessThanOrEqual(75);
      const bytes = wordBytes(w);
      // Each word holds whole UTF-8 characters: decoding it alone round-trips.
      expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(true);
    }
    const decoded = decodeWords(encoded);
    expect(decoded).toBe(long);
    // The emoji with its modifier and joiner stays in one word.
    expect(words.some((w) => wordBytes(w).toString('utf8').includes('👩🏽‍💻'))).toBe(true);
  });

  it('sends a long Georgian name through SMTP and mailparser reads it back whole', async () => {
    const name = 'ნინო ბერიძე-კაპანაძე-მამედოვა-პეტროსიანი';
    const m = await deliver('ka', 'კავკასიის დღიური', { email: 'long@example.net', name });
    const p = await m.parse();
    expect(p.to && 'value' in p.to ? p.to.value[0] : undefined).toEqual({ name, address: 'long@example.net' });
    // Folded lines stay within 78 characters.
    const fields = m.head.split(/\r?\n(?![ \t])/).filter((f) => /^(To|From|List-Id|Subject):/.test(f));
    expect(fields).toHaveLength(4);
    for (const line of fields.flatMap((f) => f.split(/\r?\n/))) expect(line.length, line).toBeLessThanOrEqual(78);
  });
});
