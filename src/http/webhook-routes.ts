import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../wiring.js';
import { resolveConfigPath } from '../config/load.js';
import { BriefError } from '../errors.js';
import { jsonErrorHandler } from './http-error.js';
import { InboundHandler, editionOfMessageId, resolveVerp, type InboundEvent } from '../inbound/inbound-handler.js';
import {
  isSnsUrl,
  mailgunEvents,
  mailgunVerified,
  postmarkAuthorised,
  postmarkEvents,
  sendgridEvents,
  sendgridVerified,
  sesEvents,
  snsVerified,
  type ProviderEvent,
} from '../inbound/webhooks.js';

/** ESPs post batches (SendGrid up to a few thousand events, SES notifications with headers). */
export const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024;

export interface WebhookRouteOptions {
  app: App;
  /** How SNS certificates are fetched and subscriptions confirmed. @defaultValue global fetch */
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;
}

type Provider = 'ses' | 'postmark' | 'sendgrid' | 'mailgun';

/**
 * POST /webhooks/{ses,postmark,sendgrid,mailgun}: bounces and complaints reported by an ESP,
 * handled as a DSN or ARF report to `brief inbound` is. A request that does not prove it is
 * the provider's gets 401 and changes nothing; a provider not configured is 404.
 */
export async function webhookRoutes(f: FastifyInstance, opts: WebhookRouteOptions): Promise<void> {
  const { app } = opts;
  f.setErrorHandler(jsonErrorHandler());
  const doFetch = opts.fetch ?? ((url: string) => fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) }));
  const secrets = app.webhookSecrets();
  const handler = new InboundHandler(app);
  const log = app.logger.child({ component: 'webhooks' });
  let sesCertificate: string | undefined;
  if (secrets.ses?.certificateFile) {
    const file = resolveConfigPath(app.config, secrets.ses.certificateFile);
    try {
      sesCertificate = readFileSync(file, 'utf8');
    } catch (err) {
      throw new BriefError('ECONFIG', `bounces.webhooks.ses.certificateFile: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  const certificates = new Map<string, string>();
  const certificateFor = async (url: string): Promise<string | null> => {
    if (sesCertificate) return sesCertificate;
    const kept = certificates.get(url);
    if (kept) return kept;
    const res = await doFetch(url);
    if (!res.ok) return null;
    const pem = await res.text();
    if (!pem.includes('BEGIN CERTIFICATE')) return null;
    if (certificates.size > 20) certificates.clear();
    certificates.set(url, pem);
    return pem;
  };

  // Signatures are over the bytes as sent: every body is kept as text and parsed here.
  f.removeAllContentTypeParsers();
  f.addContentTypeParser('*', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

  const refuse = (reply: FastifyReply, provider: Provider, why: string) => {
    log.warn({ provider, why }, 'webhook refused');
    return reply.code(401).send({ error: { code: 'EAUTH', message: `${provider} webhook: ${why}` } });
  };
  const parse = (raw: unknown): unknown => {
    try {
      return JSON.parse(typeof raw === 'string' ? raw : '');
    } catch {
      return undefined;
    }
  };

  /** Our edition of a provider's event, when the event proves it. */
  const editionOf = async (e: ProviderEvent): Promise<string | undefined> => {
    const email = e.email.toLowerCase();
    if (e.returnPath) {
      const who = await resolveVerp(app, e.returnPath);
      if (who && who.email === email) return who.editionId;
    }
    const byId = editionOfMessageId(app.config, e.messageId, email);
    if (byId) return byId;
    if (e.edition && (await app.editions.ledger(e.edition, email))) return e.edition;
    return undefined;
  };

  const applyAll = async (provider: Provider, events: ProviderEvent[]) => {
    let applied = 0;
    for (const e of events) {
      const ev: InboundEvent = { kind: e.kind, email: e.email, detail: e.detail, source: provider, eventId: e.eventId, editionId: await editionOf(e) };
      if ((await handler.apply(ev)) === 'applied') applied++;
    }
    return { ok: true, events: events.length, applied };
  };

  const route = (provider: Provider, fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    f.post(`/webhooks/${provider}`, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (req, reply) => {
      if (!secrets[provider]) return reply.code(404).send({ error: { code: 'ENOTFOUND', message: `the ${provider} webhook is not configured (bounces.webhooks.${provider})` } });
      return fn(req, reply);
    });

  route('postmark', async (req, reply) => {
    if (!postmarkAuthorised(secrets.postmark!, req.headers.authorization)) return refuse(reply, 'postmark', 'wrong or missing Basic credentials');
    const body = parse(req.body);
    if (body === undefined) return reply.code(400).send({ error: { code: 'EINPUT', message: 'postmark webhook: the body is not JSON' } });
    return applyAll('postmark', postmarkEvents(body));
  });

  route('sendgrid', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const sig = req.headers['x-twilio-email-event-webhook-signature'];
    const ts = req.headers['x-twilio-email-event-webhook-timestamp'];
    if (!sendgridVerified(secrets.sendgrid!, raw, typeof sig === 'string' ? sig : undefined, typeof ts === 'string' ? ts : undefined)) {
      return refuse(reply, 'sendgrid', 'missing or wrong signature');
    }
    const body = parse(raw);
    if (body === undefined) return reply.code(400).send({ error: { code: 'EINPUT', message: 'sendgrid webhook: the body is not JSON' } });
    return applyAll('sendgrid', sendgridEvents(body));
  });

  route('mailgun', async (req, reply) => {
    const body = parse(req.body);
    if (!mailgunVerified(secrets.mailgun!, body)) return refuse(reply, 'mailgun', 'missing, wrong or stale signature');
    return applyAll('mailgun', mailgunEvents(body));
  });

  route('ses', async (req, reply) => {
    const m = parse(req.body) as Record<string, unknown> | undefined;
    if (!m || typeof m !== 'object') return refuse(reply, 'ses', 'not an SNS message');
    if (typeof m.TopicArn !== 'string' || !secrets.ses!.topicArns.includes(m.TopicArn)) return refuse(reply, 'ses', 'topic not in bounces.webhooks.ses.topicArns');
    if (!isSnsUrl(m.SigningCertURL as string | undefined)) return refuse(reply, 'ses', 'SigningCertURL is not an https URL of an SNS host');
    const pem = await certificateFor(m.SigningCertURL as string);
    if (!pem || !snsVerified(m, pem)) return refuse(reply, 'ses', 'wrong signature');
    if (m.Type === 'SubscriptionConfirmation') {
      if (!isSnsUrl(m.SubscribeURL as string | undefined)) return refuse(reply, 'ses', 'SubscribeURL is not an https URL of an SNS host');
      const res = await doFetch(m.SubscribeURL as string);
      if (!res.ok) return reply.code(502).send({ error: { code: 'EINTERNAL', message: `ses webhook: confirming the subscription answered ${res.status}` } });
      log.info({ topic: m.TopicArn }, 'SNS subscription confirmed');
      return { ok: true, confirmed: true };
    }
    if (m.Type !== 'Notification') return { ok: true, events: 0, applied: 0 };
    return applyAll('ses', sesEvents(parse(m.Message)));
  });
}
