import { createHash } from 'node:crypto';
import { wrap as b64Wrap } from 'nodemailer/lib/base64';
import type { RedisClient as Redis } from '../redis/connect.js';
import type { BriefConfig, NewsletterConfig } from '../config/schema.js';
import { getNewsletter } from '../config/load.js';
import type { Keys } from '../keys.js';
import type { Logger } from '../logger.js';
import { PermanentSendError, TemporarySendError } from '../errors.js';
import { stringsFor } from '../i18n/index.js';
import { compileMjml } from '../render/compile-mjml.js';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet } from '../render/template-set.js';
import { wrapText } from '../render/wrap-text.js';
import type { MimeParts } from '../render/mime-parts.js';
import { fromDomain } from '../delivery/build-message.js';
import { makeConfirmToken, makeToken } from '../delivery/tokens.js';
import type { MailTransport, OutgoingMessage } from '../delivery/transport.js';
import type { SubscriberStore } from '../subscribers/index.js';
import { classifySendError } from '../delivery/classify-error.js';
import type { TransactionalJobData } from '../delivery/queues.js';
import { parseEditionId } from '../edition/index.js';
import { listLabels, type SignupOffer, type MailTicket } from './signup-types.js';

export interface TransactionalMailerDeps {
  config: BriefConfig;
  redis: Redis;
  keys: Keys;
  subscribers: SubscriberStore;
  transport: () => MailTransport;
  secret: () => Promise<string>;
  publicUrl: string;
  logger: Logger;
  /** @defaultValue the templates shipped with the package */
  templatesDir?: string;
}

/** Finished MIME parts of a small, one-recipient message (base64: no per-edition encoding to share). */
export function plainParts(text: string, html: string): MimeParts {
  const part = (type: string, body: string) =>
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
    b64Wrap(Buffer.from(body.replace(/\r\n|\r|\n/g, '\r\n'), 'utf8').toString('base64'), 76);
  return { text: part('text/plain', text), html: part('text/html', html) };
}

/** Removes the recipient's address from a relay's reply before it reaches a job's failure (kept in Redis). */
export function redactAddress(text: string, email: string): string {
  return email ? text.split(email).join('<recipient>') : text;
}

/**
 * Confirmation and welcome emails: one recipient each, sent from the `transactional`
 * queue (its own workers, so they never wait behind a million-recipient send), through the
 * same transport as editions and with the same failure classes: 4xx retries with backoff,
 * 5xx suppresses the address. No List-Unsubscribe (nothing to leave yet) and no tracking.
 */
export class TransactionalMailer {
  constructor(private readonly deps: TransactionalMailerDeps) {}

  /** Sends the email a job names; returns what happened ("sent", "gone", "suppressed"). */
  async run(job: TransactionalJobData): Promise<string> {
    const { redis, keys } = this.deps;
    if (job.kind === 'confirm') {
      const raw = await redis.hget(keys.signupOffers(), job.id);
      if (!raw) return 'gone'; // confirmed, purged or forgotten meanwhile
      const offer = JSON.parse(raw) as SignupOffer;
      return this.deliver(offer.email, offer.lists, offer.newsletter, 'confirm', offer);
    }
    const raw = await redis.hget(keys.mailTickets(), job.id);
    if (!raw) return 'gone';
    const ticket = JSON.parse(raw) as MailTicket;
    const out = await this.deliver(ticket.email, ticket.lists, ticket.newsletter, 'welcome');
    await redis.hdel(keys.mailTickets(), job.id);
    return out;
  }

  /**
   * Tells the approvers of an edition's newsletter that it awaits approval: a short note
   * with a link to its console page, one message per approver (no List-Unsubscribe: they
   * are staff, listed in the config). A retry may tell an approver twice, never nobody.
   */
  async approvalRequest(editionId: string): Promise<string> {
    const { newsletter: newsletterId, date } = parseEditionId(editionId);
    const n = getNewsletter(this.deps.config, newsletterId);
    const url = `${this.deps.publicUrl}/admin/editions/${encodeURIComponent(editionId)}`;
    const subject = `Approval needed: ${n.title}, ${date}`;
    const text = `The edition ${editionId} of ${n.title} awaits approval. It is not sent until someone approves it.\n\nReview and approve it here:\n${url}\n`;
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const html = `<!doctype html><html><body><p>The edition ${esc(editionId)} of ${esc(n.title)} awaits approval. It is not sent until someone approves it.</p><p><a href="${esc(url)}">Review and approve it</a></p></body></html>`;
    const domain = fromDomain(n.from);
    for (const approver of n.approvers) {
      const to = addressOf(approver);
      try {
        await this.deps.transport().send({
          from: n.from,
          to: { address: to },
          subject,
          parts: plainParts(text, html),
          messageId: `approval.${createHash('sha256').update(`${editionId}\n${to}`).digest('base64url').slice(0, 22)}@${domain}`,
          date: new Date(),
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (err) {
        const e = classifySendError(err);
        if (e instanceof PermanentSendError) {
          this.deps.logger.error({ editionId, code: e.responseCode }, 'approval request refused for an approver');
          continue;
        }
        throw new TemporarySendError(redactAddress(e.message, to), (e as TemporarySendError).responseCode);
      }
    }
    this.deps.logger.info({ editionId, approvers: n.approvers.length }, 'approval requested');
    return 'sent';
  }

  private async deliver(
    email: string,
    lists: string[],
    newsletterId: string,
    kind: 'confirm' | 'welcome',
    offer?: SignupOffer,
  ): Promise<string> {
    const { subscribers } = this.deps;
    // Suppressed (hard bounce, complaint) addresses get no email at all, whatever asked for it.
    if (await subscribers.isSuppressed(email)) return 'suppressed';
    const n = getNewsletter(this.deps.config, newsletterId);
    const secret = await this.deps.secret();
    const message = await this.compose(n, email, lists, kind, secret, offer);
    try {
      await this.deps.transport().send(message);
    } catch (err) {
      const e = classifySendError(err);
      if (e instanceof PermanentSendError) {
        await subscribers.suppress(email, `${e.responseCode} ${redactAddress(e.message, email)}`.slice(0, 200));
        for (const l of lists) {
          const s = await subscribers.get(l, email);
          if (s?.status === 'pending') await subscribers.setStatus(l, email, 'bounced');
        }
        this.deps.logger.warn({ newsletter: n.id, kind, code: e.responseCode }, 'transactional email refused: address suppressed');
        return 'suppressed';
      }
      // The job's failure is kept in Redis (and shown in the dashboard): no address in it.
      throw new TemporarySendError(redactAddress(e.message, email), (e as TemporarySendError).responseCode);
    }
    this.deps.logger.info({ newsletter: n.id, kind }, 'transactional email sent');
    return 'sent';
  }

  private async compose(
    n: NewsletterConfig,
    email: string,
    lists: string[],
    kind: 'confirm' | 'welcome',
    secret: string,
    offer?: SignupOffer,
  ): Promise<OutgoingMessage> {
    const templatesDir = this.deps.templatesDir ?? DEFAULT_TEMPLATES_DIR;
    const strings = stringsFor(n.locale, n.strings);
    const label = listLabels(n, lists);
    const subject = (kind === 'confirm' ? strings['email.confirm.subject'] : strings['email.welcome.subject']).replace('{title}', n.title);
    const data: Record<string, unknown> = {
      lang: n.locale,
      strings,
      title: n.title,
      label,
      subject,
      postalAddress: n.postalAddress ?? '',
    };
    if (kind === 'confirm' && offer) {
      data.confirmUrl = `${this.deps.publicUrl}/confirm/${makeConfirmToken(secret, { newsletter: n.id, email, nonce: offer.nonce, expires: offer.expires })}`;
    } else {
      data.preferencesUrl = `${this.deps.publicUrl}/p/${makeToken(secret, { action: 'preferences', list: lists[0] ?? n.lists[0]!, email, edition: '' })}`;
    }
    const t = await loadTemplateSet(templatesDir, kind);
    const html = await compileMjml(t.mjml(data as never), templatesDir, t.mjmlFile);
    const text = wrapText(t.text(data as never).replace(/\n{3,}/g, '\n\n').trim() + '\n');
    const domain = fromDomain(n.from);
    const ref = kind === 'confirm' ? offer!.nonce : `${lists.join(',')}\n${email}\n${Date.now()}`;
    return {
      from: n.from,
      replyTo: n.replyTo,
      to: { address: email },
      subject,
      parts: plainParts(text, html),
      messageId: `${kind}.${createHash('sha256').update(ref).digest('base64url').slice(0, 22)}@${domain}`,
      date: new Date(),
      headers: { 'Auto-Submitted': 'auto-generated' },
    };
  }
}

/** The address of a config mailbox (`Name <a@b>` or `a@b`). */
function addressOf(mailbox: string): string {
  const m = /<([^<>]+)>\s*$/.exec(mailbox);
  return (m ? m[1]! : mailbox).trim();
}
