/**
 * Issue 12, item 7: DKIM oversigns From, Subject, Date, To, Message-ID, List-Id,
 * List-Unsubscribe and List-Unsubscribe-Post, so a copy of any of them prepended on the way
 * breaks the signature. Messages go through the real SMTP transport to a real smtp-server
 * and are checked by an independent verifier (mailauth).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { createSmtpTransport } from '../../src/delivery/smtp-transport.js';
import { OVERSIGNED_HEADERS } from '../../src/delivery/dkim-sign.js';
import { renderFor, sendOne } from './mail-helpers.js';

let sink: SmtpSink;
let dir: string;
beforeAll(async () => {
  sink = new SmtpSink();
  await sink.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'brief-dkim-'));
});
afterAll(async () => {
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A DNS that knows one selector's key record. */
function resolverFor(type: 'rsa' | 'ed25519', publicKey: KeyObject) {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 8463: an Ed25519 record holds the bare 32-byte key, RSA the SubjectPublicKeyInfo.
  const p = (type === 'ed25519' ? der.subarray(der.length - 32) : der).toString('base64');
  return async (name: string, rr: string) => {
    if (name === 'brief._domainkey.example.org' && rr === 'TXT') return [[`v=DKIM1; k=${type}; p=${p}`]];
    throw Object.assign(new Error(`no ${rr} record for ${name}`), { code: 'ENOTFOUND' });
  };
}

async function signedMessage(type: 'rsa' | 'ed25519', email: string) {
  const { privateKey, publicKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const file = path.join(dir, `${type}.pem`);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const transport = createSmtpTransport({
    url: sink.url,
    poolSize: 1,
    dkim: { domainName: 'example.org', keySelector: 'brief', privateKeyFile: file, privateKeyPath: file },
  });
  try {
    const { newsletter, edition } = await renderFor('ka', 3, { unsubscribeMailbox: 'unsubscribe@example.org' });
    await sendOne(transport, newsletter, edition, { email, name: 'ნინო ბერიძე', list: 'daily' });
  } finally {
    await transport.close();
  }
  const m = sink.messages.find((x) => x.rcpt[0] === email)!;
  return { raw: m.raw!, resolver: resolverFor(type, publicKey) };
}

async function verdict(raw: string, resolver: ReturnType<typeof resolverFor>): Promise<string> {
  const r = await dkimVerify(Buffer.from(raw), { resolver: resolver as never });
  return r.results.map((x) => x.status.result).join(',');
}

describe('DKIM', () => {
  it('verifies as sent, and fails once any oversigned header is prepended a second time', async () => {
    const { raw, resolver } = await signedMessage('rsa', 'rsa@example.net');
    expect(await verdict(raw, resolver)).toBe('pass');

    const sig = /^DKIM-Signature:((?:.*)(?:\r\n[ \t].*)*)/m.exec(raw)![1]!.replace(/\r\n[ \t]*/g, ' ');
    const h = /(?:^|;)\s*h=([^;]+)/.exec(sig)![1]!.replace(/\s/g, '').toLowerCase().split(':');
    const occurrences = (name: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).split(/\r\n(?![ \t])/).filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)).length;
    for (const name of OVERSIGNED_HEADERS) {
      expect(occurrences(name), name).toBe(1);
      expect(h.filter((x) => x === name.toLowerCase()), name).toHaveLength(2);
    }

    const spoofs: Record<string, string> = {
      Subject: 'Subject: Your account is suspended',
      From: 'From: Support <support@example.org>',
      To: 'To: someone@example.net',
      Date: 'Date: Thu, 01 Jan 2026 00:00:00 +0000',
      'Message-ID': 'Message-ID: <spoof@example.org>',
      'List-Id': 'List-Id: Other <other.example.org>',
      'List-Unsubscribe': 'List-Unsubscribe: <https://evil.example.com/u>',
      'List-Unsubscribe-Post': 'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    };
    expect(Object.keys(spoofs).sort()).toEqual([...OVERSIGNED_HEADERS].sort());
    for (const [name, line] of Object.entries(spoofs)) {
      // Prepended before the signature, as a relay on the way would add it.
      expect(await verdict(`${line}\r\n${raw}`, resolver), name).toBe('fail');
      // And after it, just above the original header.
      const at = raw.search(new RegExp(`^${name}:`, 'im'));
      expect(await verdict(raw.slice(0, at) + `${line}\r\n` + raw.slice(at), resolver), `${name} (below)`).toBe('fail');
    }
    // A changed body does not pass either (mailauth: "neutral", body hash did not verify).
    const changed = raw.replace(/\r\n\r\n([A-Za-z0-9+/]{10})/, '\r\n\r\nAAAAAAAAAA');
    expect(changed).not.toBe(raw);
    expect(await verdict(changed, resolver)).toMatch(/^(fail|neutral)$/);
  });

  it('signs with an Ed25519 key as well (RFC 8463)', async () => {
    const { raw, resolver } = await signedMessage('ed25519', 'ed@example.net');
    expect(raw).toMatch(/a=ed25519-sha256/);
    expect(await verdict(raw, resolver)).toBe('pass');
    expect(await verdict(`Subject: spoof\r\n${raw}`, resolver)).toBe('fail');
  });
});
