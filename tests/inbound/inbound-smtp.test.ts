import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import path from 'node:path';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { startInboundServer, InboundHandler, type InboundServer } from '../../src/inbound/index.js';
import { verpAddress } from '../../src/delivery/verp.js';
import { readMetricsSnapshot, renderMetrics } from '../../src/http/metrics.js';
import { fixture } from './fixtures.js';

const SECRET = 'test-secret-0123456789abcdef';
const DOMAIN = 'bounces.example.org';
const MAILBOX = 'unsubscribe@example.org';
const EDITION = `daily-${FIXTURE_DATE}`;
const readers = Array.from({ length: 9 }, (_, i) => `reader${i}@example.net`);

/** Delivers a raw message to `brief inbound` as a bouncing MTA does (null sender). */
async function deliver(port: number, to: string, raw: string, from = ''): Promise<void> {
  const tr = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await tr.sendMail({ envelope: { from, to: [to] }, raw });
  } finally {
    tr.close();
  }
}

async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { responseCode?: number }).responseCode;
  }
}

describe('brief inbound: DSNs, ARF complaints and mailto unsubscribes over real SMTP', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let inbound: InboundServer;
  const logs: Array<{ level: number; msg: string }> = [];
  const msgId = new Map<string, string>();
  const verp = (email: string) => verpAddress(SECRET, DOMAIN, EDITION, email);
  const values = (email: string) => ({ VERP: verp(email), RCPT: email, MSGID: msgId.get(email)!, MAILBOX });

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({
      smtpUrl: await sink.start(),
      config: { bounces: { domain: DOMAIN, softLimit: 2, maxMessageBytes: 10_000 } },
      newsletter: { unsubscribeMailbox: MAILBOX },
    });
    t.app.logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
          cb();
        },
      }),
    );
    for (const r of readers) await t.app.subscribers.add('daily', r);
    const worker = await t.app.startWorkers();
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await t.app.service.status(EDITION)).state === 'sent', 30_000, 'sent');
    await worker.close();
    for (const m of sink.messages) msgId.set(m.rcpt[0]!, m.messageId.replace(/^<|>$/g, ''));
    inbound = await startInboundServer(t.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await inbound?.close();
    await t?.cleanup();
    await sink?.stop();
  });

  it('refuses every recipient but our VERP addresses and the unsubscribe mailbox (never a relay)', async () => {
    const raw = fixture('vacation.eml', values(readers[7]!));
    expect(await refusal(deliver(inbound.port, 'someone@example.com', raw))).toBe(550);
    expect(await refusal(deliver(inbound.port, `postmaster@${DOMAIN}`, raw))).toBe(550);
    const forged = verp(readers[7]!).replace(/^(bounces\+.{30})(.)/, (_, a: string, c: string) => a + (c === 'a' ? 'b' : 'a'));
    expect(await refusal(deliver(inbound.port, forged, raw))).toBe(550);
    // Signed but never sent: not in the index.
    expect(await refusal(deliver(inbound.port, verpAddress(SECRET, DOMAIN, EDITION, 'stranger@example.net'), raw))).toBe(550);
    expect(await refusal(deliver(inbound.port, verp(readers[7]!), raw))).toBeUndefined();
  });

  it('refuses a message over bounces.maxMessageBytes with 552', async () => {
    const big = `${fixture('vacation.eml', values(readers[7]!))}\r\n${'x'.repeat(76).concat('\r\n').repeat(200)}`;
    expect(await refusal(deliver(inbound.port, verp(readers[7]!), big))).toBe(552);
  });

  it('a hard bounce (RFC 3464 DSN) suppresses at once, once, and is on the ledger entry', async () => {
    const r = readers[0]!;
    const raw = fixture('rfc3464-failed.eml', values(r));
    await deliver(inbound.port, verp(r), raw);
    await deliver(inbound.port, verp(r), raw); // the MTA sends it again: counted once
    expect(await t.app.subscribers.isSuppressed(r)).toBe(true);
    expect((await t.app.subscribers.get('daily', r))?.status).toBe('bounced');
    expect(await t.app.editions.ledger(EDITION, r)).toMatch(/^s:\d+(:[^|]*)?\|hard:5\.1\.1$/);
    const s = await t.app.service.status(EDITION);
    expect(s.bounces).toBe(1);
  });

  it('Gmail and Exchange DSNs, and a qmail notice, are hard bounces too', async () => {
    await deliver(inbound.port, verp(readers[5]!), fixture('gmail-failure.eml', values(readers[5]!)));
    await deliver(inbound.port, verp(readers[6]!), fixture('outlook-undeliverable.eml', values(readers[6]!)));
    await deliver(inbound.port, verp(readers[7]!), fixture('qmail-no-mailbox.eml', values(readers[7]!)));
    for (const r of readers.slice(5, 8)) expect(await t.app.subscribers.isSuppressed(r)).toBe(true);
    expect(await t.app.editions.ledger(EDITION, readers[6]!)).toMatch(/\|hard:5\.1\.10$/);
  });

  it('a soft bounce is counted; bounces.softLimit of them in the window suppress', async () => {
    const r = readers[1]!;
    await deliver(inbound.port, verp(r), fixture('delayed.eml', values(r))); // delayed: not a bounce
    expect(await t.app.editions.ledger(EDITION, r)).toMatch(/^s:\d+(:[^|]*)?$/);
    await deliver(inbound.port, verp(r), fixture('postfix-mailbox-full.eml', values(r)));
    expect(await t.app.subscribers.isSuppressed(r)).toBe(false);
    expect(await t.app.editions.ledger(EDITION, r)).toMatch(/\|soft:5\.2\.2$/);
    expect(await t.app.redis.zcard(t.app.keys.softBounces(r))).toBe(1);
    // A second soft bounce, of another message (an ESP event naming no edition).
    await new InboundHandler(t.app).apply({ kind: 'soft', email: r, detail: '4.2.2', source: 'mailgun', eventId: 'ev-1' });
    expect(await t.app.subscribers.isSuppressed(r)).toBe(true);
    expect((await t.app.subscribers.suppression(r))?.reason).toMatch(/^2 soft bounces in 30 days/);
  });

  it('an ARF complaint unsubscribes and suppresses as complained, and the rate is alerted', async () => {
    const r = readers[2]!;
    await deliver(inbound.port, verp(r), fixture('arf-abuse.eml', values(r)));
    expect((await t.app.subscribers.get('daily', r))?.status).toBe('complained');
    expect(await t.app.subscribers.isSuppressed(r)).toBe(true);
    expect(await t.app.editions.ledger(EDITION, r)).toMatch(/\|complaint:abuse$/);
    const s = await t.app.service.status(EDITION);
    expect(s.complaints).toBe(1);
    expect(s.complaintRate).toBeCloseTo(1 / readers.length);
    expect(logs.some((l) => l.level === 50 && /^ALERT: complaint rate of daily-2025-09-05 is 11\.11%/.test(l.msg))).toBe(true);
    // No address in the logs.
    expect(JSON.stringify(logs)).not.toContain('@example.net');
  });

  it('an ARF report to the unsubscribe mailbox finds the recipient through the return path it quotes', async () => {
    const r = readers[3]!;
    await deliver(inbound.port, MAILBOX, fixture('arf-redacted-to-mailbox.eml', values(r)), 'feedback@arf.mail.example.com');
    expect((await t.app.subscribers.get('daily', r))?.status).toBe('complained');
    expect((await t.app.service.status(EDITION)).complaints).toBe(2);
  });

  it('a mailto unsubscribe leaves the newsletter as one-click does; an auto-reply changes nothing', async () => {
    const r = readers[4]!;
    await deliver(inbound.port, verp(r), fixture('vacation.eml', values(r)), r);
    expect((await t.app.subscribers.get('daily', r))?.status).toBe('active');
    await deliver(inbound.port, MAILBOX, fixture('mailto-unsubscribe.eml', values(r)), r);
    expect((await t.app.subscribers.get('daily', r))?.status).toBe('unsubscribed');
    expect(await t.app.subscribers.isSuppressed(r)).toBe(false);
  });

  it('a mailto unsubscribe carrying the signed token of our List-Unsubscribe is for that recipient, whoever sends it', async () => {
    const r = readers[8]!;
    const head = sink.messages.find((m) => m.rcpt[0] === r)!.header('List-Unsubscribe')!;
    const subject = decodeURIComponent(/mailto:[^?]+\?subject=([^>]+)>/.exec(head)![1]!);
    expect(subject).toMatch(/^unsubscribe [a-z2-7]{36}$/);
    const raw = `From: Forwarded <someone.else@example.com>\r\nTo: ${MAILBOX}\r\nSubject: ${subject}\r\n\r\n`;
    await deliver(inbound.port, MAILBOX, raw, 'someone.else@example.com');
    expect((await t.app.subscribers.get('daily', r))?.status).toBe('unsubscribed');
    expect(await t.app.editions.ledger(EDITION, r)).toMatch(/\|unsubscribe:mailto$/);
  });

  it('offers STARTTLS with bounces.tls, and not without', async () => {
    const plain = nodemailer.createTransport({ host: '127.0.0.1', port: inbound.port, secure: false, requireTLS: true });
    await expect(plain.verify()).rejects.toThrow(/STARTTLS/);
    plain.close();
    const fix = path.resolve(import.meta.dirname, '../fixtures/inbound');
    const t2 = await testApp({ config: { bounces: { domain: DOMAIN, tls: { certFile: path.join(fix, 'tls-test.pem'), keyFile: path.join(fix, 'tls-test.key') } } } });
    const secured = await startInboundServer(t2.app, { port: 0, host: '127.0.0.1' });
    try {
      // requireTLS: verify() succeeds only after a STARTTLS handshake with the configured certificate.
      const tr = nodemailer.createTransport({ host: '127.0.0.1', port: secured.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      await expect(tr.verify()).resolves.toBe(true);
      tr.close();
    } finally {
      await secured.close();
      await t2.cleanup();
    }
  });

  it('shows in /metrics', async () => {
    await waitFor(async () => (await t.app.metrics.read()).some((c) => c.name === 'complaints' && c.value === 2), 5000, 'metrics');
    const { text } = await renderMetrics(await readMetricsSnapshot(t.app));
    expect(text).toContain('brief_bounces_total{newsletter="daily",kind="hard"} 4');
    expect(text).toContain('brief_bounces_total{newsletter="daily",kind="soft"} 2');
    expect(text).toContain('brief_complaints_total{newsletter="daily"} 2');
  });
});
