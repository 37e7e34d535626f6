import { createHmac, createPublicKey, createVerify, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { BouncesConfig } from '../config/schema.js';
import { BriefError } from '../errors.js';
import { classifyBounce } from './bounce-class.js';
import type { EventKind } from './inbound-handler.js';

/**
 * ESP webhooks: how each provider proves a request is its own, and what its events mean in
 * our words. Pure (the SES signing certificate is handed in), so each is tested with
 * requests signed by the test's own keys.
 */

/** One recipient's event as a provider reports it, before the edition is looked up. */
export interface ProviderEvent {
  kind: EventKind;
  email: string;
  detail: string;
  eventId?: string;
  /** Our Message-ID, when the provider echoes it (SendGrid, Mailgun, SES). */
  messageId?: string;
  /** The envelope sender we used (SES `mail.source`): a VERP address names the edition. */
  returnPath?: string;
  /** An edition id the sender put in the provider's metadata (`edition`). */
  edition?: string;
}

export type WebhookSecrets = {
  postmark?: { username: string; password: string };
  sendgrid?: { publicKey: string };
  mailgun?: { signingKey: string };
  ses?: { topicArns: string[]; certificateFile?: string };
};

/** `env:NAME` values read from the environment; an unset one is a one-line config error. */
export function resolveWebhookSecrets(cfg: BouncesConfig['webhooks'], environment: NodeJS.ProcessEnv): WebhookSecrets {
  const read = (field: string, v: string): string => {
    const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(v);
    if (!m) return v;
    const value = environment[m[1]!];
    if (!value) throw new BriefError('ECONFIG', `bounces.webhooks.${field}: environment variable ${m[1]} is unset`);
    return value;
  };
  const out: WebhookSecrets = {};
  if (cfg.postmark) out.postmark = { username: read('postmark.username', cfg.postmark.username), password: read('postmark.password', cfg.postmark.password) };
  if (cfg.sendgrid) out.sendgrid = { publicKey: read('sendgrid.publicKey', cfg.sendgrid.publicKey) };
  if (cfg.mailgun) out.mailgun = { signingKey: read('mailgun.signingKey', cfg.mailgun.signingKey) };
  if (cfg.ses) out.ses = { ...cfg.ses };
  return out;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

// ---- Postmark: HTTP Basic auth on the webhook URL -------------------------------------

export function postmarkAuthorised(secrets: NonNullable<WebhookSecrets['postmark']>, authorization: string | undefined): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  // Both compared, whatever the first says, so the time does not tell which was wrong.
  const i = given.indexOf(':');
  const user = sameText(i < 0 ? given : given.slice(0, i), secrets.username);
  const pass = sameText(i < 0 ? '' : given.slice(i + 1), secrets.password);
  return user && pass;
}

const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const POSTMARK_SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'Blocked', 'SMTPApiError', 'SpamNotification']);

export function postmarkEvents(body: unknown): ProviderEvent[] {
  const b = obj(body);
  const email = str(b.Email) ?? str(b.Recipient);
  if (!email) return [];
  const metadata = obj(b.Metadata);
  const base = { email, eventId: String(b.ID ?? b.MessageID ?? ''), edition: str(metadata.edition) };
  if (b.RecordType === 'SpamComplaint' || b.Type === 'SpamComplaint') return [{ ...base, kind: 'complaint', detail: 'abuse' }];
  if (b.RecordType !== 'Bounce') return [];
  const type = String(b.Type ?? '');
  if (POSTMARK_HARD.has(type)) return [{ ...base, kind: 'hard', detail: type }];
  if (POSTMARK_SOFT.has(type)) return [{ ...base, kind: 'soft', detail: type }];
  return []; // AutoResponder, Unsubscribe (Postmark's own), OpenRelayTest, …: not a bounce
}

// ---- SendGrid: ECDSA (P-256, SHA-256) over timestamp + raw body ------------------------

export function sendgridVerified(secrets: NonNullable<WebhookSecrets['sendgrid']>, rawBody: string, signature: string | undefined, timestamp: string | undefined): boolean {
  if (!signature || !timestamp) return false;
  try {
    const key = /BEGIN PUBLIC KEY/.test(secrets.publicKey)
      ? createPublicKey(secrets.publicKey)
      : createPublicKey({ key: Buffer.from(secrets.publicKey.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    return verifySignature('sha256', Buffer.from(timestamp + rawBody, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function sendgridEvents(body: unknown): ProviderEvent[] {
  if (!Array.isArray(body)) return [];
  const out: ProviderEvent[] = [];
  for (const raw of body) {
    const e = obj(raw);
    const email = str(e.email);
    if (!email) continue;
    const base = { email, eventId: str(e.sg_event_id), messageId: str(e['smtp-id']), edition: str(e.edition) };
    if (e.event === 'spamreport') out.push({ ...base, kind: 'complaint', detail: 'abuse' });
    else if (e.event === 'bounce') {
      // type "blocked" is a refusal of the message (reputation, content), not of the address.
      const c = e.type === 'blocked' ? { kind: 'soft' as const, status: str(e.status) ?? '5.7.1' } : classifyBounce(str(e.status), str(e.reason));
      if (c) out.push({ ...base, kind: c.kind, detail: c.status });
    }
  }
  return out;
}

// ---- Mailgun: HMAC-SHA256 of timestamp + token with the webhook signing key ------------

/** Mailgun's signed timestamps older (or newer) than this are refused: a replayed request. */
export const MAILGUN_MAX_AGE_S = 15 * 60;

export function mailgunVerified(secrets: NonNullable<WebhookSecrets['mailgun']>, body: unknown, nowMs = Date.now()): boolean {
  const s = obj(obj(body).signature);
  const timestamp = str(s.timestamp) ?? (typeof s.timestamp === 'number' ? String(s.timestamp) : undefined);
  const token = str(s.token);
  const signature = str(s.signature);
  if (!timestamp || !token || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAILGUN_MAX_AGE_S) return false;
  const want = createHmac('sha256', secrets.signingKey).update(timestamp + token).digest('hex');
  return sameText(want, signature.toLowerCase());
}

export function mailgunEvents(body: unknown): ProviderEvent[] {
  const d = obj(obj(body)['event-data']);
  const email = str(d.recipient);
  if (!email) return [];
  const headers = obj(obj(d.message).headers);
  const base = { email, eventId: str(d.id), messageId: str(headers['message-id']), edition: str(obj(d['user-variables']).edition) };
  if (d.event === 'complained') return [{ ...base, kind: 'complaint', detail: 'abuse' }];
  if (d.event !== 'failed') return [];
  const ds = obj(d['delivery-status']);
  const diag = [ds['enhanced-code'], ds.code, ds.message, ds.description].filter((x) => x !== undefined && x !== '').join(' ');
  if (d.severity === 'temporary') return [{ ...base, kind: 'soft', detail: classifyBounce(undefined, diag)?.status.replace(/^5/, '4') ?? '4.0.0' }];
  const c = classifyBounce(str(ds['enhanced-code']), diag);
  return c ? [{ ...base, kind: c.kind, detail: c.status }] : [];
}

// ---- Amazon SES through SNS: RSA signature with the topic's signing certificate --------

/** SNS signs with certificates served from its own hosts only; any other URL is refused. */
export function isSnsUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(u.hostname) && !u.port;
  } catch {
    return false;
  }
}

/** The string SNS signs (its documented field order; Subject only when present). */
export function snsStringToSign(m: Record<string, unknown>): string | null {
  const fields =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', ...(m.Subject !== undefined && m.Subject !== null ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
      : m.Type === 'SubscriptionConfirmation' || m.Type === 'UnsubscribeConfirmation'
        ? ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
        : null;
  if (!fields) return null;
  let out = '';
  for (const f of fields) {
    if (typeof m[f] !== 'string') return null;
    out += `${f}\n${m[f] as string}\n`;
  }
  return out;
}

export function snsVerified(m: Record<string, unknown>, certificatePem: string): boolean {
  const text = snsStringToSign(m);
  const signature = str(m.Signature);
  if (!text || !signature) return false;
  const algorithm = m.SignatureVersion === '2' ? 'RSA-SHA256' : m.SignatureVersion === '1' ? 'RSA-SHA1' : null;
  if (!algorithm) return false;
  try {
    return createVerify(algorithm).update(text, 'utf8').verify(certificatePem, signature, 'base64');
  } catch {
    return false;
  }
}

export function sesEvents(notification: unknown): ProviderEvent[] {
  const n = obj(notification);
  const type = n.notificationType ?? n.eventType;
  const mail = obj(n.mail);
  const common = obj(mail.commonHeaders);
  const base = { returnPath: str(mail.source), messageId: str(common.messageId) };
  if (type === 'Bounce') {
    const b = obj(n.bounce);
    const recipients = Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients.map(obj) : [];
    return recipients.flatMap((r): ProviderEvent[] => {
      const email = str(r.emailAddress);
      if (!email) return [];
      const ev = { ...base, email, eventId: str(b.feedbackId) };
      if (b.bounceType === 'Permanent') {
        const c = classifyBounce(str(r.status) ?? '5.0.0', str(r.diagnosticCode));
        return [{ ...ev, kind: c?.kind ?? 'hard', detail: c?.status ?? '5.0.0' }];
      }
      return [{ ...ev, kind: 'soft', detail: str(r.status) ?? String(b.bounceSubType ?? 'Transient') }];
    });
  }
  if (type === 'Complaint') {
    const c = obj(n.complaint);
    const recipients = Array.isArray(c.complainedRecipients) ? c.complainedRecipients.map(obj) : [];
    return recipients.flatMap((r): ProviderEvent[] => {
      const email = str(r.emailAddress);
      return email ? [{ ...base, email, kind: 'complaint', detail: str(c.complaintFeedbackType) ?? 'abuse', eventId: str(c.feedbackId) }] : [];
    });
  }
  return [];
}
