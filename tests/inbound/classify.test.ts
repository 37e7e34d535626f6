import { describe, expect, it } from 'vitest';
import { classifyBounce, findStatus } from '../../src/inbound/bounce-class.js';
import { readMessage, readDeliveryStatus } from '../../src/inbound/read-message.js';
import { eventsOfBounceMessage } from '../../src/inbound/inbound-handler.js';
import { fixture } from './fixtures.js';
import { complaintNotice, formatStatusLine } from '../../src/cli/edition-commands.js';

const who = { editionId: 'daily-2025-09-05', email: 'reader@example.net' };
const values = { VERP: 'bounces+aaaaaaaabbbbbbbbbbbbcccccccccccccccc@bounces.example.org', RCPT: who.email, MSGID: 'daily-2025-09-05.x@example.org', MAILBOX: 'unsubscribe@example.org' };

describe('classifyBounce', () => {
  it.each([
    ['5.1.1', undefined, 'hard', '5.1.1'],
    ['5.1.10', undefined, 'hard', '5.1.10'],
    ['5.2.1', undefined, 'hard', '5.2.1'],
    ['5.2.2', undefined, 'soft', '5.2.2'],
    ['5.3.4', undefined, 'soft', '5.3.4'],
    ['4.2.2', undefined, 'soft', '4.2.2'],
    ['4.4.7', undefined, 'soft', '4.4.7'],
    ['5.0.0', 'smtp; 550 5.1.1 <a@b.c>... User unknown', 'hard', '5.1.1'],
    ['5.0.0', 'smtp; 552 5.2.2 Mailbox full', 'soft', '5.2.2'],
    [undefined, 'smtp; 550 Requested action not taken: mailbox unavailable', 'hard', '5.0.0'],
    [undefined, 'smtp; 452 Insufficient system storage', 'soft', '4.0.0'],
    [undefined, 'retry timeout exceeded', 'soft', '4.0.0'],
  ])('%s / %s → %s', (status, diag, kind, code) => {
    expect(classifyBounce(status, diag)).toEqual({ kind, status: code });
  });

  it('2.x.x is no bounce, and statuses are read inside text', () => {
    expect(classifyBounce('2.0.0')).toBeNull();
    expect(findStatus('Sorry, no mailbox here by that name. (#5.1.1)')).toBe('5.1.1');
    expect(findStatus('nothing here')).toBeUndefined();
  });
});

describe('readDeliveryStatus', () => {
  it('reads each recipient group, unfolding continued lines', () => {
    const r = readDeliveryStatus('Reporting-MTA: dns; a.example\n\nFinal-Recipient: rfc822; A@Example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 no\n  such user\n\nFinal-Recipient: rfc822;b@example.net\nAction: Delayed\nStatus: 4.4.1\n');
    expect(r).toEqual([
      { finalRecipient: 'a@example.net', originalRecipient: undefined, action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 no such user' },
      { finalRecipient: 'b@example.net', originalRecipient: undefined, action: 'delayed', status: '4.4.1', diagnostic: undefined },
    ]);
  });
});

describe('reports of the big providers and the RFCs, read as events', () => {
  it.each([
    ['rfc3464-failed.eml', 'dsn', [{ kind: 'hard', detail: '5.1.1', source: 'dsn' }]],
    ['postfix-mailbox-full.eml', 'dsn', [{ kind: 'soft', detail: '5.2.2', source: 'dsn' }]],
    ['gmail-failure.eml', 'dsn', [{ kind: 'hard', detail: '5.1.1', source: 'dsn' }]],
    ['outlook-undeliverable.eml', 'dsn', [{ kind: 'hard', detail: '5.1.10', source: 'dsn' }]],
    ['delayed.eml', 'dsn', []],
    ['qmail-no-mailbox.eml', 'bounce', [{ kind: 'hard', detail: '5.1.1', source: 'bounce' }]],
    ['exim-retry-timeout.eml', 'bounce', [{ kind: 'soft', detail: '4.0.0', source: 'bounce' }]],
    ['arf-abuse.eml', 'arf', [{ kind: 'complaint', detail: 'abuse', source: 'arf' }]],
    ['vacation.eml', 'auto-reply', []],
  ])('%s', async (name, type, events) => {
    const msg = await readMessage(fixture(name, values));
    expect(msg.type).toBe(type);
    expect(eventsOfBounceMessage(msg, who)).toEqual(events.map((e) => ({ ...e, ...who })));
  });

  it('an ARF report names the original message, its return path and recipient', async () => {
    const msg = await readMessage(fixture('arf-abuse.eml', values));
    expect(msg).toMatchObject({ type: 'arf', feedbackType: 'abuse', originalRcptTo: who.email, messageIds: [values.MSGID], verp: [values.VERP] });
  });

  it('a mail to the unsubscribe mailbox is plain mail from the reader', async () => {
    expect(await readMessage(fixture('mailto-unsubscribe.eml', values))).toEqual({ type: 'mail', from: who.email, subject: 'unsubscribe' });
  });
});

describe('the complaint rate in `brief edition ID status`', () => {
  const base = { id: 'daily-2025-09-05', newsletter: 'daily', date: '2025-09-05', state: 'sent' as const, total: 2000, sent: 2000, failed: 0, suppressed: 0, skipped: 0, bounces: 3, batches: 4, batchesDone: 4, subject: null, articles: 3, error: null, createdAt: null, startedAt: null, finishedAt: null, feedErrors: [], htmlPartBytes: null, sizeWarning: null };
  it('is quiet below 0.1%, warns from 0.1%, alerts from 0.3%', () => {
    const at = (complaints: number) => ({ ...base, complaints, complaintRate: complaints / base.sent });
    expect(complaintNotice(at(1))).toBeNull();
    expect(complaintNotice(at(2))).toBe("warning: daily-2025-09-05: complaint rate 0.10% (2 of 2000) is above 0.1% (Gmail's guidance)");
    expect(complaintNotice(at(6))).toMatch(/^ALERT: daily-2025-09-05: complaint rate 0\.30% \(6 of 2000\) is above 0\.3%/);
    expect(formatStatusLine(at(6))).toMatch(/2000\/2000 sent, 0 failed, 0 suppressed, 0 skipped \(100%\); 3 bounced, 6 complained \(0\.30%\)$/);
  });
});
