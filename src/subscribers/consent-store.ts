import type { RedisClient as Redis } from '../redis/connect.js';
import type { Keys } from '../keys.js';
import { assertListId } from './list-id.js';
import { normaliseAddress } from './normalise-address.js';

/**
 * How a subscription came to be: `form:NEWSLETTER` (the signup form, hosted or embedded),
 * `import:FILE` (a CSV import), `api` (the editor API) or `console` (`brief subscribers add`).
 */
export type ConsentSource = `form:${string}` | `import:${string}` | 'api' | 'console';

/** The consent record of one subscription (one address on one list). Times are ISO 8601, UTC. */
export interface ConsentRecord {
  source: ConsentSource;
  /** When consent was given (the form was sent, the file imported, the command run). */
  at: string;
  /** The client's IP address, or `hash:…` of it, per `signup.storeIp`; absent with "none". */
  client?: string;
  /** The browser's User-Agent header (cut at 300 characters). */
  userAgent?: string;
  /** The version of the form's wording the person agreed to (`sha256:…` of the texts shown). */
  wording?: string;
  /** When the address confirmed (double opt-in); equal to `at` when no confirmation was asked. */
  confirmedAt?: string;
}

/**
 * Consent records in Redis: one hash per list (`listConsent`, in the list's slot), address →
 * JSON. A record is replaced by the newest consent; forgetting an address deletes it.
 */
export class ConsentStore {
  constructor(private readonly deps: { redis: Redis; keys: Keys }) {}

  async put(list: string, email: string, record: ConsentRecord): Promise<void> {
    assertListId(list);
    const e = normaliseAddress(email);
    if (!e) return;
    await this.deps.redis.hset(this.deps.keys.listConsent(list), e, JSON.stringify(record));
  }

  /**
   * One record for many addresses of a list (an import chunk): one HSET, or with
   * `keepExisting` one HSETNX each (an import that only updates a subscriber keeps the
   * consent it was given).
   */
  async putMany(list: string, emails: readonly string[], record: ConsentRecord, opts: { keepExisting?: boolean } = {}): Promise<void> {
    assertListId(list);
    if (emails.length === 0) return;
    const key = this.deps.keys.listConsent(list);
    const value = JSON.stringify(record);
    if (opts.keepExisting) {
      const m = this.deps.redis.pipeline();
      for (const e of emails) m.hsetnx(key, e, value);
      await m.exec();
      return;
    }
    const flat: string[] = [];
    for (const e of emails) flat.push(e, value);
    await this.deps.redis.hset(key, ...flat);
  }

  async get(list: string, email: string): Promise<ConsentRecord | null> {
    assertListId(list);
    const e = normaliseAddress(email);
    if (!e) return null;
    const raw = await this.deps.redis.hget(this.deps.keys.listConsent(list), e);
    return raw === null ? null : (JSON.parse(raw) as ConsentRecord);
  }

  async remove(list: string, email: string): Promise<void> {
    assertListId(list);
    await this.deps.redis.hdel(this.deps.keys.listConsent(list), email);
  }
}
