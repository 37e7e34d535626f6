import type { RedisClient } from '../redis/connect.js';
import { createHmac, randomBytes } from 'node:crypto';
import { BriefError } from '../errors.js';
import type { Keys } from '../keys.js';
import { casCommand, type CasSwap } from './cas-script.js';
import { ReplicaWait } from '../redis/replicas.js';
import { cleanLine, cleanName, MAX_ATTRIBUTE } from './clean-text.js';
import { assertListId } from './list-id.js';
import { normaliseAddress } from './normalise-address.js';
import { attributeMap, packRecord, statusOfRecord, unpackRecord, type SubscriberRecord } from './pack-record.js';
import {
  SUBSCRIBER_STATUSES,
  type AddResult,
  type StatusCounts,
  type Subscriber,
  type SubscriberStatus,
  type SuppressionEntry,
} from './types.js';

export interface SubscriberStoreOptions {
  /** A connected ioredis client; the store defines its Lua script on it. */
  redis: RedisClient;
  /** The key layout (src/keys.ts). */
  keys: Keys;
  /** The clock for createdAt/updatedAt. @defaultValue `Date.now` */
  now?: () => number;
  /**
   * How many times a compare-and-set is retried when concurrent writers keep changing the
   * same records, before giving up with an error. @defaultValue 20
   */
  maxRetries?: number;
}

/** The most addresses one command carries; longer calls are split (each part atomic on its own). */
const MAX_BATCH = 5000;

/** One subscriber to add or update (see `SubscriberStore.upsertMany`). */
export interface SubscriberInput {
  /** Any case, surrounding spaces allowed; must pass `normaliseAddress`. */
  address: string;
  /** Replaces the stored name when non-empty after cleaning; otherwise the stored name stays. */
  name?: string;
  /** Merged over the stored attributes; empty values are ignored (they do not erase). */
  attributes?: Record<string, string>;
  /**
   * The status the source asks for. `active` never re-activates an address that is
   * unsubscribed, bounced or complained unless `resubscribe`; the other statuses always
   * apply (recording an opt-out is always allowed). @defaultValue "active"
   */
  status?: SubscriberStatus;
}

export interface UpsertOptions {
  /**
   * Re-activate unsubscribed, bounced and complained addresses, and lift the global
   * suppression of the given addresses: the operator states that they opted in again.
   * @defaultValue false
   */
  resubscribe?: boolean;
}

/** A planned write, with the position of the input it was decided for. */
interface Swap extends CasSwap {
  index: number;
}

/**
 * Lists, their subscribers and the global suppression list, in Redis (see src/keys.ts).
 * Every write of a record goes through one compare-and-set Lua script (cas-script.ts), so a
 * list's per-status counters always equal what its members hash holds.
 */
export class SubscriberStore {
  readonly redis: RedisClient;
  readonly keys: Keys;
  private readonly now: () => number;
  private readonly maxRetries: number;
  private readonly cas: ReturnType<typeof casCommand>;
  private readonly replicas: ReplicaWait;
  private hashKeyValue: Promise<string> | undefined;

  constructor(opts: SubscriberStoreOptions) {
    if (!opts || typeof opts.redis?.hmget !== 'function') {
      throw new TypeError('SubscriberStore: option "redis" must be an ioredis client');
    }
    if (typeof opts.keys?.listMembers !== 'function') {
      throw new TypeError('SubscriberStore: option "keys" must come from makeKeys()');
    }
    if (opts.now !== undefined && typeof opts.now !== 'function') {
      throw new TypeError('SubscriberStore: option "now" must be a function returning epoch milliseconds');
    }
    const maxRetries = opts.maxRetries ?? 20;
    if (!Number.isInteger(maxRetries) || maxRetries < 1) {
      throw new TypeError(`SubscriberStore: option "maxRetries" must be a positive integer, got ${String(opts.maxRetries)}`);
    }
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.now = opts.now ?? Date.now;
    this.maxRetries = maxRetries;
    this.cas = casCommand(opts.redis);
    this.replicas = new ReplicaWait(opts.redis);
  }

  /**
   * Resolves once the list's primary has passed the writes made so far to a replica (at
   * once without replicas): an unsubscribe confirmed to a reader must outlive a failover.
   */
  async replicated(list: string): Promise<void> {
    assertListId(list);
    await this.replicas.after(this.keys.listMembers(list));
  }

  /**
   * Adds an address to a list, or updates its name and attributes.
   * @throws BriefError EINPUT when the address or list id is not valid.
   */
  async add(
    list: string,
    address: string,
    opts: { name?: string; attributes?: Record<string, string>; resubscribe?: boolean } = {},
  ): Promise<AddResult> {
    const [result] = await this.upsertMany(
      list,
      [{ address, name: opts.name, attributes: opts.attributes }],
      { resubscribe: opts.resubscribe },
    );
    return result as AddResult;
  }

  /**
   * Adds or updates many subscribers in one round of reads and one Lua call (imports send
   * 1,000 at a time; more than 5,000 are split into parts, each atomic on its own).
   * Results are in the order of `inputs`.
   * @throws BriefError EINPUT when an address or the list id is not valid (nothing is written).
   */
  async upsertMany(list: string, inputs: readonly SubscriberInput[], opts: UpsertOptions = {}): Promise<AddResult[]> {
    assertListId(list);
    if (inputs.length > MAX_BATCH) {
      // Bounded commands: a huge argument list would stall Redis and overflow the JS stack.
      // Every address is checked first, so a bad one still means nothing is written.
      for (const input of inputs) if (!normaliseAddress(input.address)) throw invalidAddress(input.address);
      const results: AddResult[] = [];
      for (let i = 0; i < inputs.length; i += MAX_BATCH) {
        results.push(...(await this.upsertMany(list, inputs.slice(i, i + MAX_BATCH), opts)));
      }
      return results;
    }
    const resubscribe = opts.resubscribe === true;
    const addresses = inputs.map((input) => {
      const address = normaliseAddress(input.address);
      if (!address) throw invalidAddress(input.address);
      return address;
    });
    if (addresses.length === 0) return [];
    const clean = inputs.map(cleanInput);
    const members = this.keys.listMembers(list);
    const counts = this.keys.listCounts(list);

    // Suppression lives in another Cluster slot, so it is read here rather than in the
    // script. An address suppressed between this read and the write still gets through;
    // send batches re-check suppression right before sending (suppressedMany).
    const [suppressed, forgotten, firstRead] = await Promise.all([
      this.suppressedNormal(addresses),
      this.forgottenNormal(addresses),
      this.redis.hmget(members, ...addresses),
      this.redis.sadd(this.keys.lists(), list),
    ]);
    const results: AddResult[] = new Array<AddResult>(inputs.length);
    let pending = addresses.map((_, i) => i);
    let current: (string | null)[] = firstRead;
    for (let retries = 0; ; ) {
      const swaps: Swap[] = [];
      const deferred: number[] = [];
      const inRound = new Set<string>();
      pending.forEach((index, k) => {
        const address = addresses[index] as string;
        // One swap per address per round (the script relies on it); a repeat is decided
        // in the next round, on the record the first one wrote.
        if (inRound.has(address)) {
          deferred.push(index);
          return;
        }
        inRound.add(address);
        const expected = current[k] ?? null;
        // A forgotten address is never re-added as active by an import or an operator, not even
        // with resubscribe: only a confirmed signup (new consent) lifts it (see `unforget`).
        const decision =
          forgotten[index] === true && (clean[index] as CleanInput).status === 'active'
            ? { result: 'suppressed' as const, next: expected }
            : decide(expected, clean[index] as CleanInput, suppressed[index] === true, resubscribe, this.now());
        results[index] = decision.result;
        if (decision.next !== expected) swaps.push({ index, address, expected: expected ?? '', next: decision.next ?? '' });
      });
      const conflicted = await this.applySwaps(members, counts, swaps);
      if (conflicted.length > 0 && ++retries > this.maxRetries) {
        throw new Error(`SubscriberStore: records on list "${list}" kept changing; gave up after ${this.maxRetries} retries`);
      }
      pending = [...conflicted, ...deferred].sort((a, b) => a - b);
      if (pending.length === 0) break;
      current = await this.redis.hmget(members, ...pending.map((i) => addresses[i] as string));
    }

    if (resubscribe) {
      // Only for rows asking to be active: a row recording an opt-out lifts nothing.
      const lift = addresses.filter((_, i) => suppressed[i] === true && clean[i]?.status === 'active' && results[i] !== 'suppressed');
      if (lift.length > 0) await this.unsuppressMany(lift);
    }
    return results;
  }

  /** Deletes an address from a list. Returns false when it was not on the list. */
  async remove(list: string, address: string): Promise<boolean> {
    let removed = false;
    await this.mutateOne(list, address, (current) => {
      removed = current !== null;
      return null;
    });
    return removed;
  }

  /**
   * Sets the status of an address already on the list (unsubscribe, bounce, complaint, or
   * back to active). Idempotent. Returns the previous status, or null when the address is
   * not on the list (nothing is created).
   */
  async setStatus(list: string, address: string, status: SubscriberStatus): Promise<SubscriberStatus | null> {
    if (!(SUBSCRIBER_STATUSES as readonly string[]).includes(status)) {
      throw new BriefError('EINPUT', `${JSON.stringify(status)} is not a subscriber status (${SUBSCRIBER_STATUSES.join(', ')})`);
    }
    let previous: SubscriberStatus | null = null;
    await this.mutateOne(list, address, (current, email) => {
      if (current === null) {
        previous = null;
        return null;
      }
      const record = unpackRecord(email, current);
      previous = record.status;
      if (record.status === status) return current;
      return packRecord({ ...withoutEmail(record), status, updatedAt: this.now() });
    });
    return previous;
  }

  async get(list: string, address: string): Promise<Subscriber | null> {
    assertListId(list);
    const email = normaliseAddress(address);
    if (!email) return null;
    const packed = await this.redis.hget(this.keys.listMembers(list), email);
    return packed === null ? null : unpackRecord(email, packed);
  }

  /**
   * The current status of each address on the list (null: not on the list, or not a valid
   * address), in order. One HMGET: a send batch re-checks its recipients with it.
   */
  async statusMany(list: string, addresses: readonly string[]): Promise<(SubscriberStatus | null)[]> {
    const { normal, packed } = await this.readMany(list, addresses);
    return packed.map((p, i) => (p === null || normal[i] === null ? null : statusOfRecord(p)));
  }

  /**
   * The whole record of each address (null: not on the list, or not a valid address), in
   * order: what a send batch needs to personalise its messages, in one HMGET.
   */
  async getMany(list: string, addresses: readonly string[]): Promise<(Subscriber | null)[]> {
    const { normal, packed } = await this.readMany(list, addresses);
    return packed.map((p, i) => {
      const email = normal[i];
      return p === null || !email ? null : unpackRecord(email, p);
    });
  }

  private async readMany(list: string, addresses: readonly string[]): Promise<{ normal: (string | null)[]; packed: (string | null)[] }> {
    assertListId(list);
    const normal = addresses.map((a) => normaliseAddress(a));
    const key = this.keys.listMembers(list);
    const packed: (string | null)[] = [];
    for (let i = 0; i < normal.length; i += MAX_BATCH) {
      // An invalid address is looked up as "" — never a field — to keep one round trip.
      packed.push(...(await this.redis.hmget(key, ...normal.slice(i, i + MAX_BATCH).map((a) => a ?? ''))));
    }
    return { normal, packed };
  }

  async countActive(list: string): Promise<number> {
    assertListId(list);
    return Number((await this.redis.hget(this.keys.listCounts(list), 'active')) ?? 0);
  }

  async counts(list: string): Promise<StatusCounts> {
    assertListId(list);
    const raw = await this.redis.hgetall(this.keys.listCounts(list));
    return {
      active: Number(raw.active ?? 0),
      unsubscribed: Number(raw.unsubscribed ?? 0),
      bounced: Number(raw.bounced ?? 0),
      complained: Number(raw.complained ?? 0),
      pending: Number(raw.pending ?? 0),
    };
  }

  /** Every list ever created (by an add or an import), sorted. */
  async lists(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.lists())).sort();
  }

  async hasList(list: string): Promise<boolean> {
    assertListId(list);
    return (await this.redis.sismember(this.keys.lists(), list)) === 1;
  }

  /**
   * One step of a walk over a list (HSCAN): start with cursor "0", stop when the returned
   * cursor is "0". Like HSCAN, a walk returns every subscriber present for its whole
   * duration at least once — and may return one twice, so callers that must not see an
   * address twice (exports, the delivery snapshot) de-duplicate.
   */
  async scan(list: string, cursor: string, count: number): Promise<{ cursor: string; subscribers: Subscriber[] }> {
    assertListId(list);
    const [next, flat] = await this.redis.hscan(this.keys.listMembers(list), cursor, 'COUNT', count);
    const subscribers: Subscriber[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      subscribers.push(unpackRecord(flat[i] as string, flat[i + 1] as string));
    }
    return { cursor: next, subscribers };
  }

  /**
   * Puts an address on the global suppression list (hard bounce, complaint, operator).
   * Returns false when it was already suppressed (the first reason is kept).
   * @throws BriefError EINPUT when the address is not valid.
   */
  async suppress(address: string, reason: string): Promise<boolean> {
    const email = normaliseAddress(address);
    if (!email) throw invalidAddress(address);
    const entry: SuppressionEntry = { reason: cleanLine(reason, MAX_ATTRIBUTE), at: this.now() };
    // Both keys share the {supp} hash tag, so this MULTI is valid on Cluster.
    const res = await this.redis
      .multi()
      .sadd(this.keys.suppression(), email)
      .hsetnx(this.keys.suppressionReasons(), email, JSON.stringify(entry))
      .exec();
    return res?.[0]?.[1] === 1;
  }

  /** Lifts a suppression. Returns false when the address was not suppressed. */
  async unsuppress(address: string): Promise<boolean> {
    const email = normaliseAddress(address);
    if (!email) return false;
    return (await this.unsuppressMany([email])) > 0;
  }

  async isSuppressed(address: string): Promise<boolean> {
    const email = normaliseAddress(address);
    if (!email) return false;
    return (await this.redis.sismember(this.keys.suppression(), email)) === 1;
  }

  /** Why and when an address was suppressed, or null. */
  async suppression(address: string): Promise<SuppressionEntry | null> {
    const email = normaliseAddress(address);
    if (!email) return null;
    const raw = await this.redis.hget(this.keys.suppressionReasons(), email);
    return raw === null ? null : (JSON.parse(raw) as SuppressionEntry);
  }

  /**
   * How many addresses of the list are on the global suppression list, whatever their status
   * on the list. Walks the suppression set (SSCAN), which is small beside the lists: bounces
   * and complaints, not readers.
   */
  async countSuppressedOn(list: string): Promise<number> {
    assertListId(list);
    let n = 0;
    let cursor = '0';
    do {
      const [next, page] = await this.redis.sscan(this.keys.suppression(), cursor, 'COUNT', 1000);
      cursor = next;
      if (page.length) n += (await this.redis.hmget(this.keys.listMembers(list), ...page)).filter((v) => v !== null).length;
    } while (cursor !== '0');
    return n;
  }

  /** For each address, whether it is suppressed (one SMISMEMBER); invalid addresses are not. */
  async suppressedMany(addresses: readonly string[]): Promise<boolean[]> {
    return this.suppressedNormal(addresses.map((a) => normaliseAddress(a) ?? ''));
  }

  /** suppressedMany for addresses already normalised ("" for invalid ones). */
  private async suppressedNormal(addresses: readonly string[]): Promise<boolean[]> {
    const flags: number[] = [];
    for (let i = 0; i < addresses.length; i += MAX_BATCH) {
      flags.push(...(await this.redis.smismember(this.keys.suppression(), ...addresses.slice(i, i + MAX_BATCH))));
    }
    return flags.map((f, i) => f === 1 && addresses[i] !== '');
  }

  private async unsuppressMany(addresses: string[]): Promise<number> {
    const res = await this.redis
      .multi()
      .srem(this.keys.suppression(), ...addresses)
      .hdel(this.keys.suppressionReasons(), ...addresses)
      .exec();
    return Number(res?.[0]?.[1] ?? 0);
  }

  /**
   * A keyed hash of an address (HMAC-SHA256 with a random key kept in Redis, made on first
   * use): what is kept of a forgotten address, and how client addresses are stored with
   * `signup.storeIp: "hash"`. Not BRIEF_SECRET, so rotating the link secret does not undo a
   * forget.
   */
  async keyedHash(value: string): Promise<string> {
    this.hashKeyValue ??= (async () => {
      await this.redis.set(this.keys.hashKey(), randomBytes(32).toString('base64url'), 'NX');
      const k = await this.redis.get(this.keys.hashKey());
      if (!k) throw new Error('SubscriberStore: could not keep the hash key in Redis');
      return k;
    })().catch((err: unknown) => {
      this.hashKeyValue = undefined;
      throw err;
    });
    const key = await this.hashKeyValue;
    return createHmac('sha256', key).update(value).digest('base64url').slice(0, 32);
  }

  /**
   * How the audit log names a subscriber: `address #` and a short keyed hash, never the
   * address, so that a forget leaves nothing readable there (the hash is what forget keeps).
   */
  async auditName(email: string): Promise<string> {
    return `address #${(await this.keyedHash(email)).slice(0, 12)}`;
  }

  /** Several addresses for the audit log: `to 2 addresses: address #…, address #…`. */
  async auditNames(emails: string[]): Promise<string> {
    const names = await Promise.all(emails.map((e) => this.auditName(e.trim().toLowerCase())));
    return `to ${emails.length} address${emails.length === 1 ? '' : 'es'}: ${names.join(', ')}`;
  }

  /** Keeps only a keyed hash of the address, so an import cannot add it again without new consent. */
  async rememberForgotten(email: string): Promise<void> {
    await this.redis.sadd(this.keys.forgotten(), await this.keyedHash(email));
  }

  /** A confirmed signup is new consent: the address may be on lists again. */
  async unforget(email: string): Promise<boolean> {
    return (await this.redis.srem(this.keys.forgotten(), await this.keyedHash(email))) === 1;
  }

  async isForgotten(email: string): Promise<boolean> {
    const [f] = await this.forgottenNormal([email]);
    return f === true;
  }

  private async forgottenNormal(addresses: readonly string[]): Promise<boolean[]> {
    if ((await this.redis.scard(this.keys.forgotten())) === 0) return addresses.map(() => false);
    const hashes = await Promise.all(addresses.map((a) => (a ? this.keyedHash(a) : Promise.resolve(''))));
    const flags: number[] = [];
    for (let i = 0; i < hashes.length; i += MAX_BATCH) {
      flags.push(...(await this.redis.smismember(this.keys.forgotten(), ...hashes.slice(i, i + MAX_BATCH))));
    }
    return flags.map((f, i) => f === 1 && addresses[i] !== '');
  }

  /**
   * A confirmed signup on one list: a pending or unsubscribed address (or one not on the
   * list) becomes active; an active one stays; a bounced or complained one is refused (only
   * an operator lifts those). The caller checks suppression first.
   */
  async confirm(list: string, address: string, name?: string): Promise<'activated' | 'already' | 'refused'> {
    let outcome: 'activated' | 'already' | 'refused' = 'refused';
    const now = this.now();
    await this.mutateOne(list, address, (current, email) => {
      if (!normaliseAddress(email)) {
        outcome = 'refused';
        return current;
      }
      if (current === null) {
        outcome = 'activated';
        const clean = name ? cleanName(name) : '';
        return packRecord({ status: 'active', attributes: attributeMap(), createdAt: now, updatedAt: now, ...(clean ? { name: clean } : {}) });
      }
      const record = withoutEmail(unpackRecord(email, current));
      if (record.status === 'active') {
        outcome = 'already';
        return current;
      }
      if (record.status === 'bounced' || record.status === 'complained') {
        outcome = 'refused';
        return current;
      }
      outcome = 'activated';
      return packRecord({ ...record, status: 'active', updatedAt: now });
    });
    if ((outcome as string) === 'activated') await this.redis.sadd(this.keys.lists(), list);
    return outcome;
  }

  /** Runs the swaps; returns the indexes of the inputs whose swap conflicted, to decide again. */
  private async applySwaps(members: string, counts: string, swaps: Swap[]): Promise<number[]> {
    if (swaps.length === 0) return [];
    const conflicts = await this.cas(members, counts, swaps);
    return conflicts.map((position) => (swaps[position - 1] as Swap).index);
  }

  /** Read-decide-swap on one record until the swap lands; `change` returns the next record (null: delete). */
  private async mutateOne(
    list: string,
    address: string,
    change: (current: string | null, email: string) => string | null,
  ): Promise<void> {
    assertListId(list);
    const email = normaliseAddress(address);
    if (!email) {
      change(null, address);
      return;
    }
    const members = this.keys.listMembers(list);
    const counts = this.keys.listCounts(list);
    for (let attempt = 0; ; attempt++) {
      if (attempt > this.maxRetries) {
        throw new Error(`SubscriberStore: ${email} on list "${list}" kept changing; gave up after ${this.maxRetries} retries`);
      }
      const current = await this.redis.hget(members, email);
      const next = change(current, email);
      if (next === current) return;
      const conflicts = await this.applySwaps(members, counts, [{ index: 0, address: email, expected: current ?? '', next: next ?? '' }]);
      if (conflicts.length === 0) return;
    }
  }
}

interface CleanInput {
  name: string;
  attributes: Record<string, string>;
  status: SubscriberStatus;
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(attributeMap());

function cleanInput(input: SubscriberInput): CleanInput {
  let attributes: Record<string, string> = NO_ATTRIBUTES;
  if (input.attributes) {
    for (const key of Object.keys(input.attributes)) {
      const value = input.attributes[key];
      const k = cleanLine(key, 100);
      const v = typeof value === 'string' ? cleanLine(value, MAX_ATTRIBUTE) : '';
      if (!k || !v) continue;
      if (attributes === NO_ATTRIBUTES) attributes = attributeMap();
      attributes[k] = v;
    }
  }
  const status = input.status ?? 'active';
  if (status !== 'active' && !(SUBSCRIBER_STATUSES as readonly string[]).includes(status)) {
    throw new BriefError('EINPUT', `${JSON.stringify(status)} is not a subscriber status (${SUBSCRIBER_STATUSES.join(', ')})`);
  }
  return { name: input.name ? cleanName(input.name) : '', attributes, status };
}

/**
 * The rules of adding, as one pure function of the stored record: what to report and what
 * to store next (`next === current` means "no write").
 */
function decide(
  current: string | null,
  input: CleanInput,
  suppressed: boolean,
  resubscribe: boolean,
  now: number,
): { result: AddResult; next: string | null } {
  const wantsActive = input.status === 'active';
  if (current === null) {
    if (wantsActive && suppressed && !resubscribe) return { result: 'suppressed', next: null };
    const record: SubscriberRecord = { status: input.status, attributes: input.attributes, createdAt: now, updatedAt: now };
    if (input.name) record.name = input.name;
    return { result: 'added', next: packRecord(record) };
  }
  const old = withoutEmail(unpackRecord('', current));
  // Pending is no opt-out: an import (the operator has consent from elsewhere) activates it.
  if (wantsActive && old.status !== 'active' && old.status !== 'pending' && !resubscribe) return { result: 'kept-unsubscribed', next: current };
  if (wantsActive && (old.status === 'active' || old.status === 'pending') && suppressed && !resubscribe) return { result: 'suppressed', next: current };
  const merged: SubscriberRecord = {
    ...old,
    status: input.status,
    attributes: Object.assign(attributeMap(), old.attributes, input.attributes),
  };
  if (input.name) merged.name = input.name;
  if (packRecord(merged) === packRecord(old)) {
    // Lifting a suppression is a change even when the record stays the same.
    return { result: wantsActive && suppressed && resubscribe ? 'updated' : 'unchanged', next: current };
  }
  return { result: 'updated', next: packRecord({ ...merged, updatedAt: now }) };
}

function withoutEmail(s: Subscriber): SubscriberRecord {
  const { email: _email, ...record } = s;
  return record;
}

function invalidAddress(raw: string): BriefError {
  return new BriefError('EINPUT', `${JSON.stringify(String(raw).slice(0, 300))} is not a valid email address`);
}
