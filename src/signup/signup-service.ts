import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RedisClient as Redis } from '../redis/connect.js';
import type { BriefConfig, NewsletterConfig } from '../config/schema.js';
import { getNewsletter } from '../config/load.js';
import { BriefError } from '../errors.js';
import type { Keys } from '../keys.js';
import type { Logger } from '../logger.js';
import { HttpError } from '../http/http-error.js';
import { CONFIRM_TOKEN_TTL_MS, verifyConfirmToken, type ConfirmPayload } from '../delivery/tokens.js';
import { TRANSACTIONAL_JOB, type TransactionalJobData } from '../delivery/queues.js';
import { cleanLine, normaliseAddress, type ConsentRecord, type ConsentStore, type SubscriberStore } from '../subscribers/index.js';
import { wordingVersion, type MailTicket, type SignupOffer } from './signup-types.js';

/** Signups one client address may send per window, cluster-wide. */
export const SIGNUP_CLIENT_LIMIT = 20;
export const SIGNUP_CLIENT_WINDOW_S = 3600;
/** Signups (so confirmation emails) per address per window, whoever sends them. */
export const SIGNUP_ADDRESS_LIMIT = 3;
export const SIGNUP_ADDRESS_WINDOW_S = 86_400;
/** Pending subscriptions that never confirm are deleted after this long. */
export const PENDING_TTL_MS = 30 * 86_400_000;

export interface SignupInput {
  email: string;
  name?: string;
  /** The lists ticked; may be omitted when the newsletter has one list. */
  lists?: string[];
  /** The client's IP address (stored per `signup.storeIp`). */
  client: string;
  userAgent?: string;
  /** The wording version the form carried (`brief form` prints it), if any. */
  wording?: string;
}

export interface SignupServiceDeps {
  config: BriefConfig;
  redis: Redis;
  keys: Keys;
  subscribers: SubscriberStore;
  consent: ConsentStore;
  transactional: Queue<TransactionalJobData>;
  secret: () => Promise<string>;
  logger: Logger;
  now?: () => number;
}

export type ConfirmCheck =
  | { state: 'ok'; payload: ConfirmPayload; offer: SignupOffer }
  | { state: 'expired' | 'used' | 'bad' };

export type ConfirmResult = { state: 'confirmed'; offer: SignupOffer; lists: string[] } | { state: 'expired' | 'used' | 'bad' };

/**
 * Signup forms and double opt-in. Every signup answers the same whatever the address's
 * state (new, pending, active, unsubscribed, suppressed), so the form cannot be used to
 * learn who is subscribed; what differs is only what happens behind it.
 */
export class SignupService {
  private readonly now: () => number;
  constructor(private readonly deps: SignupServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Checks and counts one attempt against the per-client and per-address limits (fixed
   * windows in Redis, shared by every server): over either, 429 with Retry-After. Keys
   * name keyed hashes, never the address itself.
   */
  async throttle(client: string, email: string | null): Promise<void> {
    const checks: Array<[string, number, number]> = [
      [this.deps.keys.signupLimit('client', await this.deps.subscribers.keyedHash(`client\n${client}`)), SIGNUP_CLIENT_LIMIT, SIGNUP_CLIENT_WINDOW_S],
    ];
    if (email) {
      checks.push([this.deps.keys.signupLimit('address', await this.deps.subscribers.keyedHash(`address\n${email}`)), SIGNUP_ADDRESS_LIMIT, SIGNUP_ADDRESS_WINDOW_S]);
    }
    for (const [key, limit, window] of checks) {
      const [[, count], , [, ttl]] = (await this.deps.redis.multi().incr(key).expire(key, window, 'NX').ttl(key).exec()) as [
        [null, number],
        [null, number],
        [null, number],
      ];
      if (count > limit) {
        const retry = Math.max(1, ttl > 0 ? ttl : window);
        throw new HttpError(429, 'ETHROTTLED', `too many signups: try again in ${retry} s`, { 'retry-after': String(retry) });
      }
    }
  }

  /** Which of the newsletter's lists a form asked for; EINPUT when none (with several to choose from). */
  chosenLists(n: NewsletterConfig, asked: readonly string[] | undefined): string[] {
    if (n.lists.length === 1 && (!asked || asked.length === 0)) return [...n.lists];
    const chosen = n.lists.filter((l) => asked?.includes(l));
    if (chosen.length === 0) throw new BriefError('EINPUT', `list: choose one or more of ${n.lists.join(', ')}`);
    return chosen;
  }

  /**
   * One signup. Validates, counts against the limits, then acts by the address's state;
   * the caller answers the same in every case. Returns what was done, for logs and tests
   * only (never for the answer).
   */
  async signup(newsletterId: string, input: SignupInput): Promise<'offered' | 'activated' | 'nothing'> {
    const n = getNewsletter(this.deps.config, newsletterId);
    const email = normaliseAddress(input.email ?? '');
    if (!email) throw new BriefError('EINPUT', 'email: not a valid email address');
    const lists = this.chosenLists(n, input.lists);
    await this.throttle(input.client, email);
    const { subscribers } = this.deps;
    if (await subscribers.isSuppressed(email)) return 'nothing';
    const records = await Promise.all(lists.map((l) => subscribers.get(l, email)));
    // Active lists stay as they are; bounced and complained ones only an operator restarts.
    const targets = lists.filter((_, i) => {
      const s = records[i]?.status;
      return s === undefined || s === 'pending' || s === 'unsubscribed';
    });
    if (targets.length === 0) return 'nothing';
    const name = input.name ? cleanLine(input.name, 200) : '';
    const at = this.now();
    const consent: ConsentRecord = {
      source: `form:${n.id}`,
      at: new Date(at).toISOString(),
      ...(await this.client(n, input.client)),
      ...(input.userAgent ? { userAgent: cleanLine(input.userAgent, 300) } : {}),
      wording: input.wording && /^sha256:[0-9a-f]{16}$/.test(input.wording) ? input.wording : wordingVersion(n),
    };

    if (!n.signup.doubleOptIn) {
      // Consent was given elsewhere (README): new and pending addresses become active at
      // once; an unsubscribed one is not re-activated by a form anyone can fill in.
      const now = targets.filter((l) => records[lists.indexOf(l)]?.status !== 'unsubscribed');
      const done: string[] = [];
      for (const l of now) {
        if ((await subscribers.confirm(l, email, name || undefined)) === 'activated') {
          done.push(l);
          await this.deps.consent.put(l, email, { ...consent, confirmedAt: consent.at });
          await this.deps.redis.zrem(this.deps.keys.pendingSince(), `${l}\t${email}`);
        }
      }
      if (done.length) await this.welcome(n, email, done);
      return done.length ? 'activated' : 'nothing';
    }

    // New addresses wait as pending (never mailed by an edition) until they confirm.
    const fresh = targets.filter((l) => records[lists.indexOf(l)] === null);
    for (const l of fresh) {
      await subscribers.upsertMany(l, [{ address: email, name: name || undefined, status: 'pending' }]);
      await this.deps.redis.zadd(this.deps.keys.pendingSince(), at, `${l}\t${email}`);
    }
    const nonce = randomBytes(16).toString('base64url');
    const offer: SignupOffer = {
      nonce,
      newsletter: n.id,
      email,
      ...(name ? { name } : {}),
      lists: targets,
      expires: at + CONFIRM_TOKEN_TTL_MS,
      consent,
    };
    await this.deps.redis
      .multi()
      .hset(this.deps.keys.signupOffers(), nonce, JSON.stringify(offer))
      .zadd(this.deps.keys.signupOfferTimes(), at, nonce)
      .exec();
    await this.deps.transactional.add(TRANSACTIONAL_JOB, { kind: 'confirm', id: nonce }, { jobId: `confirm-${nonce}` });
    this.deps.logger.info({ newsletter: n.id, lists: targets.length }, 'signup: confirmation queued');
    return 'offered';
  }

  private async client(n: NewsletterConfig, ip: string): Promise<{ client?: string }> {
    if (!ip || n.signup.storeIp === 'none') return {};
    if (n.signup.storeIp === 'full') return { client: ip };
    return { client: `hash:${await this.deps.subscribers.keyedHash(`ip\n${ip}`)}` };
  }

  /** What a confirmation link is, without changing anything (the GET of /confirm/TOKEN). */
  async check(token: string): Promise<ConfirmCheck> {
    let payload: ConfirmPayload;
    try {
      payload = verifyConfirmToken(await this.deps.secret(), token);
    } catch (err) {
      if (err instanceof BriefError && err.code === 'ETOKEN') return { state: 'bad' };
      throw err;
    }
    if (!this.deps.config.newsletters.some((n) => n.id === payload.newsletter)) return { state: 'bad' };
    if ((await this.deps.redis.exists(this.deps.keys.confirmUsed(payload.nonce))) === 1) return { state: 'used' };
    if (this.now() > payload.expires) return { state: 'expired' };
    const raw = await this.deps.redis.hget(this.deps.keys.signupOffers(), payload.nonce);
    if (!raw) return { state: 'expired' }; // purged, or the address was forgotten
    const offer = JSON.parse(raw) as SignupOffer;
    if (offer.email !== payload.email || offer.newsletter !== payload.newsletter) return { state: 'bad' };
    return { state: 'ok', payload, offer };
  }

  /** The POST of /confirm/TOKEN: the address becomes active on the lists it chose. Once. */
  async confirm(token: string): Promise<ConfirmResult> {
    const c = await this.check(token);
    if (c.state !== 'ok') return c;
    const { redis, keys, subscribers } = this.deps;
    // Single use, cluster-wide: of two clicks only one sets the marker.
    const first = await redis.set(keys.confirmUsed(c.payload.nonce), '1', 'PX', CONFIRM_TOKEN_TTL_MS + 86_400_000, 'NX');
    if (first !== 'OK') return { state: 'used' };
    const offer = c.offer;
    await redis.multi().hdel(keys.signupOffers(), offer.nonce).zrem(keys.signupOfferTimes(), offer.nonce).exec();
    const n = getNewsletter(this.deps.config, offer.newsletter);
    const activated: string[] = [];
    // A suppressed address (a bounce since the signup) is not activated; the page is the same.
    if (!(await subscribers.isSuppressed(offer.email))) {
      await subscribers.unforget(offer.email);
      const confirmedAt = new Date(this.now()).toISOString();
      for (const l of offer.lists) {
        const outcome = await subscribers.confirm(l, offer.email, offer.name);
        if (outcome === 'refused') continue;
        await this.deps.consent.put(l, offer.email, { ...offer.consent, confirmedAt });
        await redis.zrem(keys.pendingSince(), `${l}\t${offer.email}`);
        if (outcome === 'activated') activated.push(l);
      }
      if (activated.length) await this.welcome(n, offer.email, activated);
    }
    this.deps.logger.info({ newsletter: n.id, lists: activated.length }, 'signup confirmed');
    return { state: 'confirmed', offer, lists: offer.lists };
  }

  private async welcome(n: NewsletterConfig, email: string, lists: string[]): Promise<void> {
    if (!n.signup.welcome) return;
    const id = randomBytes(12).toString('base64url');
    const ticket: MailTicket = { newsletter: n.id, email, lists, at: this.now() };
    await this.deps.redis.hset(this.deps.keys.mailTickets(), id, JSON.stringify(ticket));
    await this.deps.transactional.add(TRANSACTIONAL_JOB, { kind: 'welcome', id }, { jobId: `welcome-${id}` });
  }

  /**
   * Deletes pending subscriptions older than 30 days (and their consent), signups whose
   * link expired, and welcome tickets that never went out. Idempotent; run hourly.
   */
  async purge(): Promise<{ pending: number; offers: number }> {
    const { redis, keys, subscribers } = this.deps;
    const now = this.now();
    let pending = 0;
    for (;;) {
      const due = await redis.zrangebyscore(keys.pendingSince(), '-inf', now - PENDING_TTL_MS, 'LIMIT', 0, 500);
      if (due.length === 0) break;
      for (const member of due) {
        const tab = member.indexOf('\t');
        const list = member.slice(0, tab);
        const email = member.slice(tab + 1);
        const s = await subscribers.get(list, email).catch(() => null);
        if (s?.status === 'pending') {
          await subscribers.remove(list, email);
          await this.deps.consent.remove(list, email);
          pending++;
        }
        await redis.zrem(keys.pendingSince(), member);
      }
    }
    const stale = await redis.zrangebyscore(keys.signupOfferTimes(), '-inf', now - CONFIRM_TOKEN_TTL_MS - 86_400_000);
    if (stale.length) {
      await redis.multi().hdel(keys.signupOffers(), ...stale).zrem(keys.signupOfferTimes(), ...stale).exec();
    }
    const tickets = await redis.hgetall(keys.mailTickets());
    const old = Object.entries(tickets)
      .filter(([, v]) => (JSON.parse(v) as MailTicket).at < now - CONFIRM_TOKEN_TTL_MS)
      .map(([k]) => k);
    if (old.length) await redis.hdel(keys.mailTickets(), ...old);
    if (pending || stale.length) this.deps.logger.info({ pending, offers: stale.length }, 'purged stale signups');
    return { pending, offers: stale.length };
  }
}
