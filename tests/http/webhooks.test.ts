import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, createSign, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { buildHttpServer } from '../../src/http/server.js';
import { verpAddress } from '../../src/delivery/verp.js';
import { resolveWebhookSecrets, isSnsUrl } from '../../src/inbound/webhooks.js';

const SECRET = 'test-secret-0123456789abcdef';
const DOMAIN = 'bounces.example.org';
const EDITION = `daily-${FIXTURE_DATE}`;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-bounces';
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem';
const FIX = path.resolve(import.meta.dirname, '../fixtures/webhooks');
const snsKey = readFileSync(path.join(FIX, 'sns-test.key'), 'utf8');
const readers = Array.from({ length: 9 }, (_, i) => `reader${i}@example.net`);
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const MAILGUN_KEY = 'key-mailgun-signing-0123456789';

/** Signs an SNS message as SNS does (SignatureVersion 2: SHA256withRSA over the documented fields). */
function snsSigned(m: Record<string, string>, key = snsKey): Record<string, string> {
  const fields = m.Type === 'Notification' ? ['Message', 'MessageId', ...(m.Subject ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = fields.map((f) => `${f}\n${m[f]}\n`).join('');
  return { ...m, SignatureVersion: '2', SigningCertURL: CERT_URL, Signature: createSign('RSA-SHA256').update(text).sign(key, 'base64') };
}

function mailgunSigned(eventData: Record<string, unknown>, at = Math.floor(Date.now() / 1000), key = MAILGUN_KEY) {
  const token = `tok${Math.random().toString(36).slice(2)}`;
  return { signature: { timestamp: String(at), token, signature: createHmac('sha256', key).update(`${at}${token}`).digest('hex') }, 'event-data': eventData };
}

describe('ESP webhooks, signed with the test\'s own keys', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: FastifyInstance;
  const fetched: string[] = [];
  const msgId = new Map<string, string>();

  beforeAll(async () => {
    process.env.TEST_WEBHOOK_PM_PASSWORD = 'pm-password-from-env';
    process.env.TEST_WEBHOOK_MG_KEY = MAILGUN_KEY;
    sink = new SmtpSink();
    t = await testApp({
      smtpUrl: await sink.start(),
      config: {
        bounces: {
          domain: DOMAIN,
          webhooks: {
            postmark: { username: 'postmark', password: 'env:TEST_WEBHOOK_PM_PASSWORD' },
            sendgrid: { publicKey: sendgridKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
            mailgun: { signingKey: 'env:TEST_WEBHOOK_MG_KEY' },
            ses: { topicArns: [TOPIC], certificateFile: path.join(FIX, 'sns-test.pem') },
          },
        },
      },
    });
    for (const r of readers) await t.app.subscribers.add('daily', r);
    const worker = await t.app.startWorkers();
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await t.app.service.status(EDITION)).state === 'sent', 30_000, 'sent');
    await worker.close();
    for (const m of sink.messages) msgId.set(m.rcpt[0]!, m.messageId);
    http = buildHttpServer(t.app, {
      webhookFetch: async (url) => {
        fetched.push(url);
        return { ok: true, status: 200, text: async () => '<ConfirmSubscriptionResponse/>' };
      },
    });
    await http.ready();
  });
  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
    await sink?.stop();
  });

  const post = (provider: string, body: unknown, headers: Record<string, string> = {}) =>
    http.inject({ method: 'POST', url: `/webhooks/${provider}`, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const status = async (r: string) => (await t.app.subscribers.get('daily', r))?.status;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('Postmark: Basic auth (password from env:NAME); a hard bounce suppresses, a spam complaint complains', async () => {
    // With the Postmark webhook configured, each message names its edition in Postmark's metadata.
    expect(sink.messages.map((m) => m.header('X-PM-Metadata-edition'))).toEqual(sink.messages.map(() => EDITION));
    const bounce = { RecordType: 'Bounce', ID: 4323372036854775807, Type: 'HardBounce', TypeCode: 1, Email: readers[0], Metadata: { edition: EDITION }, Details: 'smtp;550 5.1.1 unknown' };
    expect((await post('postmark', bounce)).statusCode).toBe(401);
    expect((await post('postmark', bounce, { authorization: basic('postmark', 'wrong') })).statusCode).toBe(401);
    expect(await status(readers[0]!)).toBe('active');
    const ok = await post('postmark', bounce, { authorization: basic('postmark', 'pm-password-from-env') });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await status(readers[0]!)).toBe('bounced');
    expect(await t.app.subscribers.isSuppressed(readers[0]!)).toBe(true);
    expect(await t.app.editions.ledger(EDITION, readers[0]!)).toMatch(/\|hard:HardBounce$/);
    // The same event again: nothing more.
    expect((await post('postmark', bounce, { authorization: basic('postmark', 'pm-password-from-env') })).json()).toMatchObject({ applied: 0 });
    const spam = { RecordType: 'SpamComplaint', ID: 42, Type: 'SpamComplaint', Email: readers[1], Metadata: { edition: EDITION } };
    await post('postmark', spam, { authorization: basic('postmark', 'pm-password-from-env') });
    expect(await status(readers[1]!)).toBe('complained');
  });

  it('SendGrid: ECDSA-signed Event Webhook; a tampered or unsigned batch is 401 and changes nothing', async () => {
    const events = [
      { email: readers[2], event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 unknown', sg_event_id: 'sg-1', 'smtp-id': msgId.get(readers[2]!), timestamp: 1757049123 },
      { email: readers[3], event: 'spamreport', sg_event_id: 'sg-2', 'smtp-id': msgId.get(readers[3]!) },
      { email: readers[3], event: 'delivered', sg_event_id: 'sg-3' },
    ];
    const payload = JSON.stringify(events);
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(ts + payload), sendgridKeys.privateKey).toString('base64');
    const h = { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': ts };
    expect((await post('sendgrid', payload)).statusCode).toBe(401);
    expect((await post('sendgrid', payload.replace('5.1.1', '4.2.2'), h)).statusCode).toBe(401);
    expect(await status(readers[2]!)).toBe('active');
    const ok = await post('sendgrid', payload, h);
    expect(ok.json()).toEqual({ ok: true, events: 2, applied: 2 });
    expect(await status(readers[2]!)).toBe('bounced');
    expect(await t.app.editions.ledger(EDITION, readers[2]!)).toMatch(/\|hard:5\.1\.1$/);
    expect(await status(readers[3]!)).toBe('complained');
  });

  it('Mailgun: HMAC-signed; a wrong or stale signature is 401', async () => {
    const data = { event: 'failed', severity: 'permanent', id: 'mg-1', recipient: readers[4], message: { headers: { 'message-id': msgId.get(readers[4]!)!.replace(/^<|>$/g, '') } }, 'delivery-status': { code: 550, message: '5.1.1 The email account does not exist', 'enhanced-code': '5.1.1' } };
    expect((await post('mailgun', mailgunSigned(data, undefined, 'another-key'))).statusCode).toBe(401);
    expect((await post('mailgun', mailgunSigned(data, Math.floor(Date.now() / 1000) - 3600))).statusCode).toBe(401);
    expect((await post('mailgun', { 'event-data': data })).statusCode).toBe(401);
    expect(await status(readers[4]!)).toBe('active');
    expect((await post('mailgun', mailgunSigned(data))).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await status(readers[4]!)).toBe('bounced');
    expect(await t.app.editions.ledger(EDITION, readers[4]!)).toMatch(/\|hard:5\.1\.1$/);
    const complained = { event: 'complained', id: 'mg-2', recipient: readers[5], message: { headers: { 'message-id': 'x@y' } } };
    await post('mailgun', mailgunSigned(complained));
    expect(await status(readers[5]!)).toBe('complained');
  });

  it('SES through SNS: confirms a signed subscription at an SNS host only; verifies each notification', async () => {
    const confirm = { Type: 'SubscriptionConfirmation', MessageId: 'm-1', Token: 'tok', TopicArn: TOPIC, Message: 'You have chosen to subscribe', SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok', Timestamp: new Date().toISOString() };
    expect((await post('ses', snsSigned(confirm), { 'content-type': 'text/plain; charset=UTF-8' })).json()).toEqual({ ok: true, confirmed: true });
    expect(fetched).toEqual([confirm.SubscribeURL]);
    // Signed, but the confirmation URL is not SNS's: refused, nothing fetched.
    expect((await post('ses', snsSigned({ ...confirm, SubscribeURL: 'https://attacker.example/confirm' }))).statusCode).toBe(401);
    // A certificate URL off SNS's hosts is refused whatever the signature.
    expect((await post('ses', { ...snsSigned(confirm), SigningCertURL: 'https://sns.eu-west-1.amazonaws.com.attacker.example/c.pem' })).statusCode).toBe(401);
    expect((await post('ses', snsSigned({ ...confirm, TopicArn: 'arn:aws:sns:eu-west-1:1:other' }))).statusCode).toBe(401);
    expect(fetched).toHaveLength(1);

    const bounce = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', feedbackId: 'fb-1', bouncedRecipients: [{ emailAddress: readers[6], status: '5.1.1', action: 'failed', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
      mail: { source: verpAddress(SECRET, DOMAIN, EDITION, readers[6]!), messageId: 'ses-1', destination: [readers[6]] },
    };
    const note = { Type: 'Notification', MessageId: 'm-2', TopicArn: TOPIC, Message: JSON.stringify(bounce), Timestamp: new Date().toISOString() };
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await post('ses', snsSigned(note, other))).statusCode).toBe(401);
    const forged = snsSigned(note);
    expect((await post('ses', { ...forged, Message: forged.Message!.replace('Permanent', 'Transient') })).statusCode).toBe(401);
    expect(await status(readers[6]!)).toBe('active');
    expect((await post('ses', snsSigned(note))).json()).toEqual({ ok: true, events: 1, applied: 1 });
    expect(await status(readers[6]!)).toBe('bounced');
    expect(await t.app.editions.ledger(EDITION, readers[6]!)).toMatch(/\|hard:5\.1\.1$/);

    const complaint = { notificationType: 'Complaint', complaint: { feedbackId: 'fb-2', complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: readers[7] }] }, mail: { source: verpAddress(SECRET, DOMAIN, EDITION, readers[7]!), commonHeaders: { messageId: msgId.get(readers[7]!) } } };
    await post('ses', snsSigned({ ...note, MessageId: 'm-3', Message: JSON.stringify(complaint), Subject: 'Amazon SES Email Event Notification' }));
    expect(await status(readers[7]!)).toBe('complained');
    const s = await t.app.service.status(EDITION);
    // Mailgun's complaint named a Message-ID not ours: the address is handled, the edition not counted.
    expect(s).toMatchObject({ bounces: 4, complaints: 3 });
  });

  it('a provider that is not configured answers 404', async () => {
    const t2 = await testApp();
    try {
      const h2 = buildHttpServer(t2.app);
      for (const p of ['ses', 'postmark', 'sendgrid', 'mailgun']) {
        expect((await h2.inject({ method: 'POST', url: `/webhooks/${p}`, payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
      }
      await h2.close();
    } finally {
      await t2.cleanup();
    }
  });
});

describe('webhook settings', () => {
  it('read env:NAME secrets, and name the field and variable when one is unset', () => {
    expect(resolveWebhookSecrets({ mailgun: { signingKey: 'env:MG' } }, { MG: 'k' })).toEqual({ mailgun: { signingKey: 'k' } });
    expect(resolveWebhookSecrets({ mailgun: { signingKey: 'literal-key' } }, {})).toEqual({ mailgun: { signingKey: 'literal-key' } });
    expect(() => resolveWebhookSecrets({ postmark: { username: 'u', password: 'env:PM_PASS' } }, {})).toThrow(
      'bounces.webhooks.postmark.password: environment variable PM_PASS is unset',
    );
  });

  it('take SNS certificate URLs from SNS hosts over https only', () => {
    expect(isSnsUrl('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem')).toBe(true);
    expect(isSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe(true);
    expect(isSnsUrl('http://sns.us-east-1.amazonaws.com/x.pem')).toBe(false);
    expect(isSnsUrl('https://sns.us-east-1.amazonaws.com.evil.example/x.pem')).toBe(false);
    expect(isSnsUrl('https://evil.example/sns.us-east-1.amazonaws.com/x.pem')).toBe(false);
    expect(isSnsUrl('https://sns.us-east-1.amazonaws.com:8443/x.pem')).toBe(false);
  });
});
