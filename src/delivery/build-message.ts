import { createHash } from 'node:crypto';
import type { NewsletterConfig } from '../config/schema.js';
import type { CompiledVariant } from '../render/types.js';
import { personaliseParts } from '../render/mime-parts.js';
import type { OutgoingMessage } from './transport.js';
import { makeToken } from './tokens.js';
import { verpAddress } from './verp.js';
import { listIdHeader } from './header-words.js';

export interface Recipient {
  email: string;
  name?: string;
  list: string;
}

export interface MessageContext {
  newsletter: NewsletterConfig;
  editionId: string;
  /** The web archive page of the edition ("view in browser"). */
  archiveUrl: string;
  publicUrl: string;
  secret: string;
  /** The bounce domain (config `bounces.domain`): envelope senders become VERP addresses. */
  bounceDomain?: string;
  /** Add the ESP metadata headers (`bounces.webhooks.postmark` is set). */
  espMetadata?: boolean;
  /** Prefix for test sends, e.g. "[TEST] ". */
  subjectPrefix?: string;
}

/** The domain of the From address, for Message-IDs and List-Id. */
export function fromDomain(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return (m?.[1] ?? 'localhost').toLowerCase();
}

/**
 * Stable per edition and recipient: a re-send after a crash carries the same Message-ID,
 * so receiving systems and people can tell it is the same message.
 */
export function messageIdFor(editionId: string, email: string, domain: string): string {
  const h = createHash('sha256').update(`${editionId}\n${email}`).digest('base64url').slice(0, 22);
  return `${editionId}.${h}@${domain}`;
}

export function unsubscribeUrl(ctx: Pick<MessageContext, 'publicUrl' | 'secret' | 'editionId'>, r: Recipient): string {
  return `${ctx.publicUrl}/u/${makeToken(ctx.secret, { action: 'unsubscribe', list: r.list, email: r.email, edition: ctx.editionId })}`;
}

export function buildMessage(ctx: MessageContext, variant: CompiledVariant, r: Recipient): OutgoingMessage {
  const domain = fromDomain(ctx.newsletter.from);
  const unsub = unsubscribeUrl(ctx, r);
  const prefs = `${ctx.publicUrl}/p/${makeToken(ctx.secret, { action: 'preferences', list: r.list, email: r.email, edition: ctx.editionId })}`;
  const parts = personaliseParts(variant, {
    name: r.name ?? '',
    email: r.email,
    unsubscribeUrl: unsub,
    preferencesUrl: prefs,
    viewInBrowserUrl: ctx.archiveUrl,
  });
  const envelopeFrom = ctx.bounceDomain ? verpAddress(ctx.secret, ctx.bounceDomain, ctx.editionId, r.email) : undefined;
  // With a bounce domain the mailto subject carries the signed VERP token, so `brief inbound`
  // knows whom a mailto unsubscribe is for even when it comes from another address.
  const mailtoSubject = envelopeFrom ? `unsubscribe%20${envelopeFrom.slice('bounces+'.length, envelopeFrom.indexOf('@'))}` : 'unsubscribe';
  const listUnsubscribe = ctx.newsletter.unsubscribeMailbox
    ? `<${unsub}>, <mailto:${ctx.newsletter.unsubscribeMailbox}?subject=${mailtoSubject}>`
    : `<${unsub}>`;
  return {
    from: ctx.newsletter.from,
    replyTo: ctx.newsletter.replyTo,
    to: { name: r.name || undefined, address: r.email },
    subject: (ctx.subjectPrefix ?? '') + variant.subject,
    parts,
    messageId: messageIdFor(ctx.editionId, r.email, domain),
    date: new Date(),
    envelopeFrom,
    headers: {
      'List-Unsubscribe': listUnsubscribe,
      // RFC 8058: a POST with this body unsubscribes, so mail clients can offer one click.
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 2919: the title as a phrase (quoted or encoded-words), the id never encoded.
      'List-Id': listIdHeader(ctx.newsletter.title, ctx.newsletter.id, domain),
      // Postmark echoes X-PM-Metadata-* in its bounce and complaint webhooks (the edition).
      ...(ctx.espMetadata ? { 'X-PM-Metadata-edition': ctx.editionId } : {}),
    },
  };
}
