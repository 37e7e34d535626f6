import type { App } from '../wiring.js';
import { parseEditionId } from '../edition/index.js';
import { normaliseAddress } from '../subscribers/normalise-address.js';
import { leaveNewsletter } from '../http/subscriptions.js';
import { messageIdFor, fromDomain } from '../delivery/build-message.js';
import { readVerpAddress } from '../delivery/verp.js';
import { classifyBounce } from './bounce-class.js';
import type { InboundMessage } from './read-message.js';
import { COMPLAINT_ALERT, COMPLAINT_WARN } from './complaint-rate.js';

/**
 * What came back about one recipient, from whichever door (a DSN or ARF report to `brief
 * inbound`, a mailto unsubscribe, an ESP webhook), and the one place that acts on it.
 */
export type EventKind = 'hard' | 'soft' | 'complaint' | 'unsubscribe';

export interface InboundEvent {
  kind: EventKind;
  email: string;
  /** The edition the message belonged to, when the report says (VERP, Message-ID, metadata). */
  editionId?: string;
  /** The newsletter (a mailto unsubscribe knows it from the mailbox, not from an edition). */
  newsletter?: string;
  /** Status code, feedback type or the provider's bounce type: kept on the ledger entry. */
  detail: string;
  /** dsn, bounce, arf, mailto, ses, postmark, sendgrid or mailgun. */
  source: string;
  /** The provider's id of the event: what makes an event that names no edition count once. */
  eventId?: string;
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'unknown-address';


type Deps = App;

/** The edition and recipient of a VERP address of ours, checked and resolved; null otherwise. */
export async function resolveVerp(app: Pick<App, 'config' | 'verp' | 'secret'>, address: string): Promise<{ editionId: string; email: string } | null> {
  const domain = app.config.bounces.domain;
  if (!domain) return null;
  const t = readVerpAddress(await app.secret(), domain, address);
  return t ? app.verp.resolve(t) : null;
}

/**
 * The edition of one of our Message-IDs (`EDITION.HASH@domain`, src/delivery/build-message.ts)
 * when it is the one we made for `email`, else undefined: ESPs echo the Message-ID, and the
 * hash proves the pair without a lookup.
 */
export function editionOfMessageId(config: App['config'], messageId: string | undefined, email: string): string | undefined {
  const m = /^<?([^<>\s]+)\.([A-Za-z0-9_-]{22})@([^<>\s]+?)>?$/.exec((messageId ?? '').trim());
  if (!m) return undefined;
  const editionId = m[1]!;
  try {
    const { newsletter } = parseEditionId(editionId);
    const n = config.newsletters.find((x) => x.id === newsletter);
    if (!n) return undefined;
    return messageIdFor(editionId, email, fromDomain(n.from)) === `${editionId}.${m[2]}@${m[3]}` ? editionId : undefined;
  } catch {
    return undefined;
  }
}

/** The events a message sent to a VERP address of ours means, for its recipient. */
export function eventsOfBounceMessage(msg: InboundMessage, who: { editionId: string; email: string }): InboundEvent[] {
  const base = { email: who.email, editionId: who.editionId };
  if (msg.type === 'dsn') {
    // The VERP address names the recipient; Final-Recipient may be rewritten by forwarding.
    // A report of several recipients is read for the worst of its failed ones.
    let worst: InboundEvent | null = null;
    for (const r of msg.recipients) {
      if (r.action !== 'failed') continue; // delayed, delivered, relayed, expanded: not a bounce
      const c = classifyBounce(r.status, r.diagnostic);
      if (!c) continue;
      if (!worst || (worst.kind === 'soft' && c.kind === 'hard')) worst = { ...base, kind: c.kind, detail: c.status, source: 'dsn' };
    }
    return worst ? [worst] : [];
  }
  if (msg.type === 'arf') return [{ ...base, kind: 'complaint', detail: msg.feedbackType, source: 'arf' }];
  if (msg.type === 'bounce') {
    const c = classifyBounce(undefined, msg.text);
    return c ? [{ ...base, kind: c.kind, detail: c.status, source: 'bounce' }] : [];
  }
  return []; // auto-replies and people's replies to the return path change nothing
}

export class InboundHandler {
  constructor(private readonly app: Deps) {}

  private newsletterOf(ev: InboundEvent): string | undefined {
    if (ev.newsletter) return ev.newsletter;
    if (!ev.editionId) return undefined;
    try {
      return parseEditionId(ev.editionId).newsletter;
    } catch {
      return undefined;
    }
  }

  /** Lists the event acts on: the newsletter's, or (no edition known) every list holding the address. */
  private async listsFor(newsletter: string | undefined, email: string): Promise<string[]> {
    const n = this.app.config.newsletters.find((x) => x.id === newsletter);
    if (n) return n.lists;
    const all = await this.app.subscribers.lists();
    const found: string[] = [];
    for (const l of all) if (await this.app.subscribers.get(l, email)) found.push(l);
    return found;
  }

  /** Acts on one event, once: a repeated report (same message and recipient) is a duplicate. */
  async apply(ev: InboundEvent): Promise<ApplyOutcome> {
    const email = normaliseAddress(ev.email);
    if (!email) return 'unknown-address';
    const { editions, subscribers, metrics, logger, config } = this.app;
    let newsletter = this.newsletterOf(ev);
    const lists = await this.listsFor(newsletter, email);
    newsletter ??= config.newsletters.find((n) => n.lists.some((l) => lists.includes(l)))?.id ?? 'unknown';
    const counter = ev.kind === 'complaint' ? 'complaints' : ev.kind === 'unsubscribe' ? '' : 'bounces';
    const key = `${ev.kind}|${email}`;
    if (ev.editionId && (await editions.state(ev.editionId))) {
      if (!(await editions.recordInbound(ev.editionId, email, key, `${ev.kind}:${ev.detail}`.slice(0, 80), counter))) return 'duplicate';
    } else {
      const set = await this.app.redis.hsetnx(this.app.keys.inboundEvents(), `${key}|${ev.source}|${ev.eventId ?? ''}`, String(Date.now()));
      if (set === 0) return 'duplicate';
    }
    const log = { newsletter, edition: ev.editionId, kind: ev.kind, detail: ev.detail, source: ev.source };

    if (ev.kind === 'hard' || ev.kind === 'soft') {
      metrics.incr(ev.kind === 'hard' ? 'bounces_hard' : 'bounces_soft', newsletter);
      let suppress = ev.kind === 'hard';
      let reason = `bounce ${ev.detail} (${ev.source})`;
      if (ev.kind === 'soft') {
        const b = config.bounces;
        const now = Date.now();
        const k = this.app.keys.softBounces(email);
        const windowMs = b.softWindowDays * 86_400_000;
        const res = await this.app.redis
          .multi()
          .zadd(k, now, ev.editionId ?? `${ev.source}:${ev.eventId ?? now}`)
          .zremrangebyscore(k, '-inf', now - windowMs)
          .zcard(k)
          .pexpire(k, windowMs)
          .exec();
        const count = Number(res?.[2]?.[1] ?? 0);
        if (count >= b.softLimit) {
          suppress = true;
          reason = `${count} soft bounces in ${b.softWindowDays} days, last ${ev.detail} (${ev.source})`;
        }
      }
      if (suppress) {
        if (await subscribers.suppress(email, reason)) metrics.incr('suppressed', newsletter);
        for (const l of lists) {
          const s = await subscribers.get(l, email);
          if (s?.status === 'active') await subscribers.setStatus(l, email, 'bounced');
        }
      }
      logger.info({ ...log, suppressed: suppress }, 'bounce');
      return 'applied';
    }
    if (ev.kind === 'complaint') {
      metrics.incr('complaints', newsletter);
      for (const l of lists) {
        const s = await subscribers.get(l, email);
        if (s && s.status !== 'complained') await subscribers.setStatus(l, email, 'complained');
      }
      await subscribers.suppress(email, `complained (${ev.detail}, ${ev.source})`);
      logger.info(log, 'complaint');
      if (ev.editionId) await this.complaintRate(ev.editionId);
      return 'applied';
    }
    // A mailto unsubscribe is a one-click one: the newsletter stops reaching the address.
    const first = config.newsletters.find((n) => n.id === newsletter);
    if (first) await leaveNewsletter(this.app, { list: first.lists[0]!, email, edition: ev.editionId ?? '' }, logger);
    return 'applied';
  }

  /** Logs a warning when an edition's complaint rate passes 0.1%, an alert at 0.3% (once each). */
  private async complaintRate(editionId: string): Promise<void> {
    const s = await this.app.editions.get(editionId);
    if (!s || s.sent === 0) return;
    const before = (s.complaints - 1) / s.sent;
    const line = { edition: editionId, complaints: s.complaints, sent: s.sent, complaintRate: s.complaintRate };
    if (before < COMPLAINT_ALERT && s.complaintRate >= COMPLAINT_ALERT) {
      this.app.logger.error(line, `ALERT: complaint rate of ${editionId} is ${(s.complaintRate * 100).toFixed(2)}%, above 0.3% (mailbox providers block senders above it)`);
    } else if (before < COMPLAINT_WARN && s.complaintRate >= COMPLAINT_WARN) {
      this.app.logger.warn(line, `complaint rate of ${editionId} is ${(s.complaintRate * 100).toFixed(2)}%, above 0.1% (Gmail's guidance)`);
    }
  }
}
