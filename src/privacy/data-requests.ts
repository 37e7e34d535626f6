import { parseLedgerEntry } from '../delivery/edition-store.js';
import type { RedisClient as Redis } from '../redis/connect.js';
import type { BriefConfig } from '../config/schema.js';
import { BriefError } from '../errors.js';
import type { Keys } from '../keys.js';
import { fromDomain, messageIdFor } from '../delivery/build-message.js';
import { recipientHash } from '../delivery/verp.js';
import { parseEditionId } from '../edition/index.js';
import {
  normaliseAddress,
  type ConsentRecord,
  type ConsentStore,
  type SubscriberStatus,
  type SubscriberStore,
  type SuppressionEntry,
} from '../subscribers/index.js';
import type { MailTicket, SignupOffer } from '../signup/signup-types.js';

export interface DataRequestDeps {
  config: BriefConfig;
  redis: Redis;
  keys: Keys;
  subscribers: SubscriberStore;
  consent: ConsentStore;
}

/** Everything stored about one address (`brief subscribers show`, `GET /api/subscribers/ADDR`). */
export interface AddressReport {
  email: string;
  lists: Array<{
    list: string;
    status: SubscriberStatus;
    name?: string;
    attributes: Record<string, string>;
    createdAt: string;
    updatedAt: string;
    consent: ConsentRecord | null;
  }>;
  /** Signups waiting for their confirmation (the consent as given on the form). */
  pendingSignups: Array<{ newsletter: string; lists: string[]; expires: string; consent: ConsentRecord }>;
  suppression: SuppressionEntry | null;
  /** A keyed hash of the address is on the forgotten list: imports do not add it. */
  forgotten: boolean;
  /** Soft bounces counted toward suppression (edition ids). */
  softBounces: string[];
  /** The editions it was in, with the ledger's outcome and the Message-ID it was sent with. */
  editions: Array<{ edition: string; outcome: string; detail?: string; messageId: string }>;
}

const OUTCOMES: Record<string, string> = { i: 'sending', t: 'retrying', s: 'sent', f: 'failed', x: 'suppressed', k: 'skipped' };

/** Subject access and erasure: what is stored about an address, and forgetting it everywhere. */
export class DataRequests {
  constructor(private readonly deps: DataRequestDeps) {}

  private address(raw: string): string {
    const email = normaliseAddress(raw);
    if (!email) throw new BriefError('EINPUT', `${JSON.stringify(String(raw).slice(0, 300))} is not a valid email address`);
    return email;
  }

  /** Every edition id the config's newsletters have (newest first per newsletter). */
  private async editionIds(): Promise<string[]> {
    const out: string[] = [];
    for (const n of this.deps.config.newsletters) out.push(...(await this.deps.redis.zrevrange(this.deps.keys.newsletterEditions(n.id), 0, -1)));
    return out;
  }

  private async scanHash<T extends { email: string }>(key: string, email: string): Promise<Array<[string, T]>> {
    const found: Array<[string, T]> = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.deps.redis.hscan(key, cursor, 'COUNT', 500);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const v = JSON.parse(flat[i + 1]!) as T;
        if (v.email === email) found.push([flat[i]!, v]);
      }
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  async show(raw: string): Promise<AddressReport> {
    const email = this.address(raw);
    const { redis, keys, subscribers, consent, config } = this.deps;
    const lists: AddressReport['lists'] = [];
    for (const list of await subscribers.lists()) {
      const s = await subscribers.get(list, email);
      if (!s) continue;
      lists.push({
        list,
        status: s.status,
        ...(s.name ? { name: s.name } : {}),
        attributes: { ...s.attributes },
        createdAt: new Date(s.createdAt).toISOString(),
        updatedAt: new Date(s.updatedAt).toISOString(),
        consent: await consent.get(list, email),
      });
    }
    const offers = await this.scanHash<SignupOffer>(keys.signupOffers(), email);
    const editions: AddressReport['editions'] = [];
    for (const id of await this.editionIds()) {
      const entry = await redis.hget(keys.editionLedger(id), email);
      if (!entry) continue;
      const parsed = parseLedgerEntry(entry)!;
      const kind = parsed.kind;
      const detail = [parsed.detail, ...(parsed.events ?? [])].filter(Boolean).join(' ') || undefined;
      const { newsletter } = parseEditionId(id);
      const n = config.newsletters.find((x) => x.id === newsletter);
      editions.push({
        edition: id,
        outcome: OUTCOMES[kind] ?? kind,
        ...(detail ? { detail } : {}),
        messageId: `<${messageIdFor(id, email, fromDomain(n?.from ?? ''))}>`,
      });
    }
    return {
      email,
      lists,
      pendingSignups: offers.map(([, o]) => ({ newsletter: o.newsletter, lists: o.lists, expires: new Date(o.expires).toISOString(), consent: o.consent })),
      suppression: await subscribers.suppression(email),
      forgotten: await subscribers.isForgotten(email),
      softBounces: await redis.zrange(keys.softBounces(email), 0, -1),
      editions,
    };
  }

  /**
   * Erases the address from every record: list memberships (and so their attributes and
   * names), consent records, pending signups and welcome tickets, suppression, soft
   * bounces, and every edition's ledger, snapshot, VERP index and bounce events. What stays
   * is a keyed hash on the forgotten list, so a later import cannot re-add it without new
   * consent, and ledger entries under that hash, so edition counts still add up.
   * Returns how many records were touched.
   */
  async forget(raw: string): Promise<{ email: string; removed: number }> {
    const email = this.address(raw);
    const { redis, keys, subscribers, consent } = this.deps;
    let removed = 0;
    for (const list of await subscribers.lists()) {
      if (await subscribers.remove(list, email)) removed++;
      await consent.remove(list, email);
      await redis.zrem(keys.pendingSince(), `${list}\t${email}`);
    }
    for (const [nonce] of await this.scanHash<SignupOffer>(keys.signupOffers(), email)) {
      await redis.multi().hdel(keys.signupOffers(), nonce).zrem(keys.signupOfferTimes(), nonce).exec();
      removed++;
    }
    for (const [id] of await this.scanHash<MailTicket & { email: string }>(keys.mailTickets(), email)) {
      await redis.hdel(keys.mailTickets(), id);
      removed++;
    }
    const supp = await redis.multi().srem(keys.suppression(), email).hdel(keys.suppressionReasons(), email).exec();
    removed += Number(supp?.[0]?.[1] ?? 0);
    removed += await redis.del(keys.softBounces(email));
    await redis.del(keys.signupLimit('address', await subscribers.keyedHash(`address\n${email}`)));
    const hash = await subscribers.keyedHash(email);
    for (const id of await this.editionIds()) removed += await this.forgetInEdition(id, email, hash);
    await subscribers.rememberForgotten(email);
    return { email, removed };
  }

  private async forgetInEdition(id: string, email: string, hash: string): Promise<number> {
    const { redis, keys } = this.deps;
    let touched = 0;
    const entry = await redis.hget(keys.editionLedger(id), email);
    if (entry !== null) {
      // The entry stays (counts and re-runs rely on it) under the keyed hash, not the address.
      await redis.multi().hset(keys.editionLedger(id), `forgotten:${hash}`, entry).hdel(keys.editionLedger(id), email).exec();
      touched++;
    }
    // Snapshot batches hold `list TAB address`; the batch number is in the ledger entry, but
    // an address not reached yet has none, so every batch of the edition is looked at.
    const meta = await redis.hmget(keys.edition(id), 'batches', 'openBatch');
    const count = Math.max(Number(meta[0] ?? 0), Number(meta[1] ?? 0) + 1);
    const suffix = `\t${email}`;
    for (let b = 0; b < count; b++) {
      const entries = await redis.lrange(keys.editionBatch(id, b), 0, -1);
      for (const e of entries) {
        if (e.endsWith(suffix)) touched += await redis.lrem(keys.editionBatch(id, b), 0, e);
      }
    }
    touched += await redis.srem(keys.editionSeen(id), email);
    touched += await redis.hdel(keys.editionVerp(id), recipientHash(id, email));
    const events = (await redis.hkeys(keys.editionBounceEvents(id))).filter((k) => k.endsWith(`|${email}`));
    if (events.length) {
      // Kept under the hash, so a repeated DSN for the same recipient still counts once.
      const m = redis.multi();
      for (const k of events) m.hset(keys.editionBounceEvents(id), `${k.slice(0, k.indexOf('|'))}|forgotten:${hash}`, '1').hdel(keys.editionBounceEvents(id), k);
      await m.exec();
      touched += events.length;
    }
    return touched;
  }
}
