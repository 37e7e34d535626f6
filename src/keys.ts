import { createHash } from 'node:crypto';
/**
 * Every Redis key the project writes, in one place, under one prefix (`BRIEF_PREFIX`,
 * default "brief"). Hash tags (`{…}`) put the keys that one Lua script or MULTI touches in
 * one Redis Cluster slot: one list's keys together, one edition's keys together.
 * BullMQ's own keys live under `${prefix}:{q}` (see `queuePrefix`).
 */
export interface Keys {
  readonly prefix: string;
  /** BullMQ's `prefix` option: all queues in one slot, as BullMQ requires on Cluster. */
  queuePrefix(): string;

  /** Set of list ids ever created. */
  lists(): string;
  /** Hash: address (lower-case) -> packed subscriber record for this list. */
  listMembers(list: string): string;
  /** Hash: counters per status for this list (active, unsubscribed, bounced, complained). */
  listCounts(list: string): string;
  /** Set of suppressed addresses (lower-case), global. */
  suppression(): string;
  /** Hash: address -> reason + time of suppression. */
  suppressionReasons(): string;
  /** Set of keyed hashes of forgotten addresses (`brief subscribers forget`): never re-added without new consent. */
  forgotten(): string;
  /** String: the random key of those hashes (and of hashed client addresses), made on first use. */
  hashKey(): string;
  /** Hash: address -> consent record (JSON) of its subscription to this list. */
  listConsent(list: string): string;
  /** Sorted set: `list TAB address` of pending subscriptions, scored by signup time (ms). */
  pendingSince(): string;
  /** Hash: confirmation nonce -> the signup waiting for it (JSON: newsletter, address, lists, consent). */
  signupOffers(): string;
  /** Sorted set: confirmation nonce -> when it was offered (ms), for the purge. */
  signupOfferTimes(): string;
  /** String: set when a confirmation link was used (single use); expires after the link would. */
  confirmUsed(nonce: string): string;
  /** Hash: ticket id -> a transactional email to send (JSON); jobs carry only the id. */
  mailTickets(): string;
  /** Counter of signup attempts of one client or address (a keyed hash) in the current window. */
  signupLimit(kind: 'client' | 'address', hash: string): string;

  /** Sorted set of edition ids of a newsletter, scored by date (YYYYMMDD). */
  newsletterEditions(newsletter: string): string;
  /** Hash: article key (id or url) -> edition id that sent it. */
  sentArticles(newsletter: string): string;
  /** Hash: item id -> ms it was first seen, for a source whose items carry no date (src/compile-edition.ts). */
  firstSeen(newsletter: string, source: string): string;

  /** Hash: the edition's state, counts and timestamps. */
  edition(editionId: string): string;
  /** Hash: variant name -> frozen rendered variant (JSON). */
  editionContent(editionId: string): string;
  /** Hash: address -> ledger entry (sending/sent/failed/suppressed/skipped). */
  editionLedger(editionId: string): string;
  /** Hash: batch N -> the token of the run that owns it now (a take-over replaces it). */
  editionOwners(editionId: string): string;
  /** List: batch N of the recipient snapshot. */
  editionBatch(editionId: string, batch: number): string;
  /** Set of batch numbers that finished. */
  editionBatchesDone(editionId: string): string;
  /** Set of batch numbers that stopped because of a pause, to re-enqueue on resume. */
  editionBatchesParked(editionId: string): string;
  /** Set of addresses already in the snapshot (only used when an edition has several lists). */
  editionSeen(editionId: string): string;
  /** Hash: VERP recipient hash -> address, for this edition (src/delivery/verp.ts). */
  editionVerp(editionId: string): string;
  /** Hash: inbound event key (kind|address) -> 1, so a repeated DSN or webhook counts once. */
  editionBounceEvents(editionId: string): string;
  /**
   * Hash: the editor's curation of this edition (src/delivery/curation-store.ts): `x:ID`
   * excluded, `p:ID` pick (1) or not (0), `k:ID` seen, `o:SECTION` order (JSON), `lead`,
   * `note`, `savedAt`. One key, so every change is one atomic write.
   */
  editionCuration(editionId: string): string;
  /** Hash: VERP edition hash -> edition id. */
  verpEditions(): string;
  /** Hash: inbound event key -> ms, for events that name no edition (ESP webhooks without one). */
  inboundEvents(): string;
  /** Sorted set: this address's soft bounces (member = edition id, score = ms). */
  softBounces(email: string): string;

  /** String: the global rate limiter's state (GCRA theoretical arrival time). */
  rateLimiter(): string;
  /** Hash: worker id -> last heartbeat (ms). */
  workers(): string;
  /** Hash: metric counters (cluster-wide), field = metric|labels. */
  metrics(): string;
  /** String: the secret kept for the outbox default when BRIEF_SECRET is unset. */
  localSecret(): string;
  /** Fingerprint of the BRIEF_SECRET the processes on this Redis sign links with. */
  secretFingerprint(): string;
  /** Failed admin logins of one client address, in the current throttle window. */
  authFailures(client: string): string;
  /** Hash: one editor console session (by the SHA-256 of its cookie value), with a TTL. */
  consoleSession(idHash: string): string;
  /** String: the addresses an editor last sent a test to (per user). */
  consoleTestTo(user: string): string;
  /** String: the console password made for the outbox default when BRIEF_ADMIN_TOKEN is unset. */
  localAdminToken(): string;

  /** Hash: console user address (lower-case) -> account record (JSON: role, scrypt hash, link nonce). */
  users(): string;
  /** String: the address a one-time sign-in link was made for, with the link's TTL (same slot as users()). */
  signInLink(nonce: string): string;
  /** Stream: the audit log (who did what, when, from where), capped (src/audit). */
  auditLog(): string;
}

export function makeKeys(prefix = 'brief'): Keys {
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new Error(`BRIEF_PREFIX: "${prefix}" may hold only letters, digits, ".", "_" and "-"`);
  }
  const p = prefix;
  return {
    prefix: p,
    queuePrefix: () => `${p}:{q}`,
    lists: () => `${p}:lists`,
    listMembers: (list) => `${p}:{list:${list}}:members`,
    listCounts: (list) => `${p}:{list:${list}}:counts`,
    suppression: () => `${p}:{supp}:set`,
    suppressionReasons: () => `${p}:{supp}:reasons`,
    forgotten: () => `${p}:{supp}:forgotten`,
    hashKey: () => `${p}:{supp}:hash-key`,
    listConsent: (list) => `${p}:{list:${list}}:consent`,
    pendingSince: () => `${p}:pending-since`,
    signupOffers: () => `${p}:{signup}:offers`,
    signupOfferTimes: () => `${p}:{signup}:offer-times`,
    confirmUsed: (nonce) => `${p}:confirm-used:${nonce}`,
    mailTickets: () => `${p}:{signup}:tickets`,
    signupLimit: (kind, hash) => `${p}:signup-limit:${kind}:${hash}`,
    newsletterEditions: (n) => `${p}:{nl:${n}}:editions`,
    sentArticles: (n) => `${p}:{nl:${n}}:sent-articles`,
    firstSeen: (n, source) => `${p}:{nl:${n}}:first-seen:${createHash('sha256').update(source).digest('hex').slice(0, 16)}`,
    edition: (id) => `${p}:{ed:${id}}:meta`,
    editionContent: (id) => `${p}:{ed:${id}}:content`,
    editionLedger: (id) => `${p}:{ed:${id}}:ledger`,
    editionOwners: (id) => `${p}:{ed:${id}}:owners`,
    editionBatch: (id, n) => `${p}:{ed:${id}}:batch:${n}`,
    editionBatchesDone: (id) => `${p}:{ed:${id}}:done`,
    editionBatchesParked: (id) => `${p}:{ed:${id}}:parked`,
    editionSeen: (id) => `${p}:{ed:${id}}:seen`,
    editionVerp: (id) => `${p}:{ed:${id}}:verp`,
    editionBounceEvents: (id) => `${p}:{ed:${id}}:bounce-events`,
    editionCuration: (id) => `${p}:{ed:${id}}:curation`,
    verpEditions: () => `${p}:verp-editions`,
    inboundEvents: () => `${p}:inbound-events`,
    softBounces: (email) => `${p}:soft-bounces:${email}`,
    rateLimiter: () => `${p}:rate`,
    workers: () => `${p}:workers`,
    metrics: () => `${p}:metrics`,
    localSecret: () => `${p}:local-secret`,
    secretFingerprint: () => `${p}:secret-fingerprint`,
    authFailures: (client) => `${p}:auth-failures:${client}`,
    consoleSession: (idHash) => `${p}:console-session:${idHash}`,
    consoleTestTo: (user) => `${p}:console-test-to:${user}`,
    localAdminToken: () => `${p}:local-admin-token`,
    users: () => `${p}:{users}:accounts`,
    signInLink: (nonce) => `${p}:{users}:sign-in:${nonce}`,
    auditLog: () => `${p}:{audit}:log`,
  };
}
