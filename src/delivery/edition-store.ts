import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { ReplicaWait } from '../redis/replicas.js';
import type { RenderedEdition } from '../render/types.js';
import { clipWarning, htmlPartBytes } from '../render/part-size.js';

/**
 * `awaiting-approval`: compiled for review, waits for an approver (newsletters with
 * `approval: "required"`); `held`: an editor stopped the scheduled send until released.
 */
export const EDITION_STATES = ['scheduled', 'awaiting-approval', 'held', 'sending', 'paused', 'cancelled', 'sent', 'failed'] as const;
export type EditionState = (typeof EDITION_STATES)[number];

/** The JSON of `brief edition ID status --json` and `GET /api/editions/ID`. */
export interface EditionStatus {
  id: string;
  newsletter: string;
  date: string;
  state: EditionState;
  /** Recipients in the snapshot (grows while the snapshot is taken). */
  total: number;
  sent: number;
  failed: number;
  suppressed: number;
  skipped: number;
  /** Bounces read after the relay accepted (DSNs, ESP webhooks), hard and soft; each message+recipient once. */
  bounces: number;
  /** Complaints (ARF reports, ESP webhooks); each message+recipient once. */
  complaints: number;
  /** complaints / sent (0 before anything was sent). Gmail asks for below 0.001, blocks above 0.003. */
  complaintRate: number;
  /** Batches in the snapshot; null until the snapshot is complete. */
  batches: number | null;
  batchesDone: number;
  subject: string | null;
  articles: number;
  error: string | null;
  /** Sources that failed while the others were read: the edition went out without them. */
  feedErrors: Array<{ source: string; error: string }>;
  /** Bytes of the larger variant's HTML part as sent (encoded), from the freeze; null before it. */
  htmlPartBytes: number | null;
  /** Set when the HTML part is within 10% of Gmail's 102 KB clip (render/part-size.ts). */
  sizeWarning: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** When it was compiled for approval (state awaiting-approval). */
  awaitingSince?: string | null;
  /** When, and by whom, it was approved. */
  approvedAt?: string | null;
  approvedBy?: string | null;
  /** When it was held, and the state a release returns it to. */
  heldAt?: string | null;
  heldFrom?: EditionState | null;
  /** The window's cut-off when it was frozen before its occurrence (ISO); null: the occurrence. */
  cutoff?: string | null;
}

/**
 * Ledger entries are `kind:batch[:detail]`, and since the edition report `kind:batch:detail`
 * then TAB attempts TAB epoch-ms TAB SMTP reply (see LedgerExtra; entries of older versions,
 * without them, still read). `i` sending (SMTP acceptance not yet recorded),
 * `t` temporary failure (will retry); final kinds: `s` sent, `f` failed, `x` suppressed by a
 * 5xx, `k` skipped (unsubscribed or suppressed after the snapshot). A final entry is never
 * overwritten, which is what makes a retried or duplicated batch harmless. What came back
 * later (src/inbound) is appended as `|event:detail` (`s:0|hard:5.1.1|complaint:abuse`);
 * outcomes recorded afterwards keep that tail.
 */
export type LedgerKind = 'i' | 't' | 's' | 'f' | 'x' | 'k';
/** What the report shows of an outcome besides its kind: kept after the entry's TAB. */
export interface LedgerExtra {
  /** Attempts of the batch that recorded it (1 on the first). */
  attempts: number;
  /** Epoch ms when it was recorded. */
  at: number;
  /** The SMTP reply (or the error), one line, at most MAX_REPLY characters. */
  reply: string;
}

/** Replies are cut here: they name the relay's queue id, not a novel. */
export const MAX_REPLY = 160;

export interface LedgerEntry extends Partial<LedgerExtra> {
  kind: LedgerKind;
  batch: number;
  detail: string;
  /** What came back later (src/inbound), oldest first: `hard:5.1.1`, `complaint:abuse`. */
  events?: string[];
}

/** Reads a ledger value of any version. */
export function parseLedgerEntry(v: string | null | undefined): LedgerEntry | null {
  if (!v) return null;
  // The inbound tail (`|event:detail…`) comes after everything else; replies never hold a '|'.
  const bar = v.indexOf('|');
  const events = bar < 0 ? [] : v.slice(bar + 1).split('|');
  if (bar >= 0) v = v.slice(0, bar);
  const [head = '', attempts, at, ...reply] = v.split('\t');
  const [kind, batch, ...detail] = head.split(':');
  const entry: LedgerEntry = { kind: kind as LedgerKind, batch: Number(batch), detail: detail.join(':') };
  if (attempts !== undefined) {
    entry.attempts = Number(attempts);
    entry.at = Number(at);
    entry.reply = reply.join(' ');
  }
  if (events.length) entry.events = events;
  return entry;
}

function ledgerValue(kind: LedgerKind, batch: number, detail: string, extra?: LedgerExtra): string {
  // With extras, the detail is always present (maybe empty): the claim script reads the
  // batch of an entry as what follows the kind up to the next ':'.
  if (!extra) return detail ? `${kind}:${batch}:${detail}` : `${kind}:${batch}`;
  // No '|' in a reply: it starts the inbound tail.
  const reply = extra.reply.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\|/g, '/').trim().slice(0, MAX_REPLY);
  return `${kind}:${batch}:${detail}\t${extra.attempts}\t${extra.at}\t${reply}`;
}

const COUNTER: Partial<Record<LedgerKind, keyof EditionStatus>> = { s: 'sent', f: 'failed', x: 'suppressed', k: 'skipped' };

/** What `claim` says about each recipient of a chunk. */
export const CLAIM_SEND = 1;
export const CLAIM_DONE = 0;
export const CLAIM_OTHER = 2;

const FINAL = `local function final(v) if not v then return false end local c = string.sub(v,1,1) return c=='s' or c=='f' or c=='x' or c=='k' end`;

// Claims the recipients of one chunk for batch ARGV[1], run ARGV[2]: 1 = send it, 0 = already
// final, 2 = another batch owns it (a duplicate in the snapshot). An entry this batch owned
// before a crash ("i:N", "t:N") is claimed again: that is the re-send window DESIGN.md allows.
// Returns -1 instead when another run has taken the batch over (KEYS[2]): this run stops.
const claimScript = new LuaScript(
  'claim',
  `${FINAL}
if ARGV[2] ~= '' and redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
local out = {}
local me = ARGV[1]
for i = 3, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if final(v) then out[#out+1] = 0
  elseif v and string.match(v, '^[it]:([^:|]+)') ~= me then out[#out+1] = 2
  else redis.call('HSET', KEYS[1], ARGV[i], 'i:' .. me .. (string.match(v or '', '|.*$') or '')) out[#out+1] = 1 end
end
return out`,
);

// Records one outcome; final outcomes count once, however often they are recorded. Adds 2
// to the answer when run ARGV[5] no longer owns batch ARGV[4] (KEYS[3]): the outcome is
// still recorded (it happened), and the run stops.
const markScript = new LuaScript(
  'mark',
  `${FINAL}
local lost = 0
if ARGV[5] ~= '' and redis.call('HGET', KEYS[3], ARGV[4]) ~= ARGV[5] then lost = 2 end
local v = redis.call('HGET', KEYS[1], ARGV[1])
if final(v) then return lost end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. (string.match(v or '', '|.*$') or ''))
if ARGV[3] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[3], 1) end
return 1 + lost`,
);

// Records one inbound event (bounce, complaint, unsubscribe by mail) of one recipient once:
// KEYS[1] the edition's event hash, KEYS[2] its ledger, KEYS[3] its meta. ARGV[1] the event
// key, ARGV[2] the address, ARGV[3] the ledger tail, ARGV[4] when (ms), ARGV[5] the counter
// ('' for none). Returns 0 when the event was recorded before.
const inboundScript = new LuaScript(
  'inbound-event',
  `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[4]) == 0 then return 0 end
local v = redis.call('HGET', KEYS[2], ARGV[2])
if v then redis.call('HSET', KEYS[2], ARGV[2], v .. '|' .. ARGV[3]) end
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[5], 1) end
return 1`,
);

// Compare-and-set of the state: ARGV[1] new state, ARGV[2] now (ISO), ARGV[3] timestamp
// field to set ('' for none), ARGV[4..] states it may move from. Returns the state after.
const transitionScript = new LuaScript(
  'transition',
  `local cur = redis.call('HGET', KEYS[1], 'state')
if not cur then return false end
for i = 4, #ARGV do
  if cur == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[1])
    if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], ARGV[2]) end
    return ARGV[1]
  end
end
return cur`,
);

// Appends one page of the recipient snapshot and moves the cursor in the same step, so a
// crash either keeps the page and its cursor or neither. The page is appended only if the
// cursor is still where the page was read from (ARGV[6], ARGV[7]): two runs of prepare at
// once (a resume during the snapshot, a job taken over while its worker still ran) would
// otherwise both append it, and every recipient of it would be in two batches. Returns the
// batches it closed, or false when another run got there first.
const appendScript = new LuaScript(
  'append',
  `local meta, seen = KEYS[1], KEYS[2]
local bprefix, size, useSeen = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local at = redis.call('HMGET', meta, 'snapshotDone', 'snapList', 'snapCursor')
if at[1] == '1' or (at[2] or '0') ~= ARGV[6] or (at[3] or '0') ~= ARGV[7] then return false end
local openB = tonumber(redis.call('HGET', meta, 'openBatch') or '0')
local openC = tonumber(redis.call('HGET', meta, 'openCount') or '0')
local added, closed = 0, {}
for i = 8, #ARGV, 2 do
  local email, entry = ARGV[i], ARGV[i+1]
  if (not useSeen) or redis.call('SADD', seen, email) == 1 then
    redis.call('RPUSH', bprefix .. openB, entry)
    openC = openC + 1
    added = added + 1
    if openC >= size then closed[#closed+1] = openB openB = openB + 1 openC = 0 end
  end
end
redis.call('HSET', meta, 'openBatch', openB, 'openCount', openC, 'snapList', ARGV[4], 'snapCursor', ARGV[5])
redis.call('HINCRBY', meta, 'total', added)
return closed`,
);

// Ends the snapshot: the open batch (if any) is closed; if every batch is already done,
// the edition is sent. Returns {batches, state}.
const finishSnapshotScript = new LuaScript(
  'finish-snapshot',
  `local meta, done, seen = KEYS[1], KEYS[2], KEYS[3]
if redis.call('HGET', meta, 'snapshotDone') == '1' then
  return {tonumber(redis.call('HGET', meta, 'batches')), redis.call('HGET', meta, 'state')}
end
local openB = tonumber(redis.call('HGET', meta, 'openBatch') or '0')
local openC = tonumber(redis.call('HGET', meta, 'openCount') or '0')
local batches = openB
if openC > 0 then batches = openB + 1 end
redis.call('HSET', meta, 'snapshotDone', '1', 'batches', batches)
redis.call('DEL', seen)
local state = redis.call('HGET', meta, 'state')
if redis.call('SCARD', done) >= batches and state == 'sending' then
  redis.call('HSET', meta, 'state', 'sent', 'finishedAt', ARGV[1])
  state = 'sent'
end
return {batches, state}`,
);

// Marks batch ARGV[1] finished; when every batch is, a sending edition becomes sent.
const batchDoneScript = new LuaScript(
  'batch-done',
  `local meta, done = KEYS[1], KEYS[2]
redis.call('SADD', done, ARGV[1])
local state = redis.call('HGET', meta, 'state')
if redis.call('HGET', meta, 'snapshotDone') == '1' then
  local batches = tonumber(redis.call('HGET', meta, 'batches'))
  if redis.call('SCARD', done) >= batches and state == 'sending' then
    redis.call('HSET', meta, 'state', 'sent', 'finishedAt', ARGV[2])
    state = 'sent'
  end
end
return state`,
);

// A batch that finds the edition paused parks itself, unless a resume came in between.
const parkScript = new LuaScript(
  'park',
  `if redis.call('HGET', KEYS[1], 'state') ~= 'paused' then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1`,
);

// Resume: paused -> sending, and hand back the parked batches to enqueue again.
const resumeScript = new LuaScript(
  'resume',
  `if redis.call('HGET', KEYS[1], 'state') ~= 'paused' then return false end
redis.call('HSET', KEYS[1], 'state', 'sending', 'resumedAt', ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'resumes', 1)
local parked = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
table.insert(parked, 1, tostring(n))
return parked`,
);

// Cancel: parked batches will never run, so they count as done.
const cancelScript = new LuaScript(
  'cancel',
  `local cur = redis.call('HGET', KEYS[1], 'state')
if cur ~= 'scheduled' and cur ~= 'sending' and cur ~= 'paused' and cur ~= 'awaiting-approval' and cur ~= 'held' then return cur or false end
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finishedAt', ARGV[1])
local parked = redis.call('SMEMBERS', KEYS[2])
if #parked > 0 then redis.call('SADD', KEYS[3], unpack(parked)) end
redis.call('DEL', KEYS[2])
return 'cancelled'`,
);

// Hold: an upcoming edition (scheduled or awaiting approval) stops where it is; the state
// itself is the hold, so the move to sending (from scheduled only) cannot happen while held,
// whichever process tries, and it survives any restart. ARGV[1] now (ISO).
const holdScript = new LuaScript(
  'hold',
  `local cur = redis.call('HGET', KEYS[1], 'state')
if cur ~= 'scheduled' and cur ~= 'awaiting-approval' then return '!' .. (cur or '') end
redis.call('HSET', KEYS[1], 'state', 'held', 'heldFrom', cur, 'heldAt', ARGV[1])
return 'held'`,
);

// Release: back to the state the hold stopped. Returns that state, or the current one
// prefixed with '!' when the edition was not held.
const releaseScript = new LuaScript(
  'release',
  `local cur = redis.call('HGET', KEYS[1], 'state')
if cur ~= 'held' then return '!' .. (cur or '') end
local back = redis.call('HGET', KEYS[1], 'heldFrom') or 'scheduled'
redis.call('HSET', KEYS[1], 'state', back)
redis.call('HDEL', KEYS[1], 'heldFrom', 'heldAt')
return back`,
);

// Approve: awaiting-approval -> scheduled, approved (ARGV[1] now, ARGV[2] who). The content
// is frozen just before, so a scheduled edition that is approved is ready to send.
const approveScript = new LuaScript(
  'approve',
  `local cur = redis.call('HGET', KEYS[1], 'state')
if cur ~= 'awaiting-approval' then return cur or false end
redis.call('HSET', KEYS[1], 'state', 'scheduled', 'approvedAt', ARGV[1], 'approvedBy', ARGV[2])
return 'scheduled'`,
);

// A failed edition that never froze content can be asked for again.
const retryScript = new LuaScript(
  'retry-unsent',
  `if redis.call('HGET', KEYS[1], 'state') ~= 'failed' or redis.call('HGET', KEYS[1], 'frozen') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'scheduled')
redis.call('HDEL', KEYS[1], 'error', 'finishedAt')
return 1`,
);

const num = (v: string | undefined) => (v ? Number(v) : 0);
const str = (v: string | undefined) => (v === undefined || v === '' ? null : v);

/** Edition state, frozen content, recipient snapshot and ledger, in Redis. */
export class EditionStore {
  private readonly redis: RedisClient;
  private readonly keys: Keys;

  private readonly replicas: ReplicaWait;

  constructor(deps: { redis: RedisClient; keys: Keys }) {
    this.redis = deps.redis;
    this.keys = deps.keys;
    this.replicas = new ReplicaWait(deps.redis);
  }

  /** Creates the edition as `scheduled` unless it exists; asking twice yields one edition. */
  async create(id: string, newsletter: string, date: string): Promise<{ created: boolean }> {
    const now = new Date().toISOString();
    const created = await this.redis.hsetnx(this.keys.edition(id), 'state', 'scheduled');
    if (created) {
      await this.redis.hset(this.keys.edition(id), { id, newsletter, date, createdAt: now, total: 0 });
      const score = Number(date.replace(/-/g, ''));
      await this.redis.zadd(this.keys.newsletterEditions(newsletter), score, id);
    }
    return { created: created === 1 };
  }

  async get(id: string): Promise<EditionStatus | null> {
    const [h, done] = await Promise.all([
      this.redis.hgetall(this.keys.edition(id)),
      this.redis.scard(this.keys.editionBatchesDone(id)),
    ]);
    if (!h.state) return null;
    return {
      id,
      newsletter: h.newsletter ?? '',
      date: h.date ?? '',
      state: h.state as EditionState,
      total: num(h.total),
      sent: num(h.sent),
      failed: num(h.failed),
      suppressed: num(h.suppressed),
      skipped: num(h.skipped),
      bounces: num(h.bounces),
      complaints: num(h.complaints),
      complaintRate: num(h.sent) === 0 ? 0 : num(h.complaints) / num(h.sent),
      batches: h.snapshotDone === '1' ? num(h.batches) : null,
      batchesDone: done,
      subject: str(h.subject),
      articles: num(h.articles),
      error: str(h.error),
      feedErrors: feedErrorsOf(h.feedErrors),
      htmlPartBytes: h.htmlPartBytes ? num(h.htmlPartBytes) : null,
      sizeWarning: h.htmlPartBytes ? clipWarning(num(h.htmlPartBytes)) : null,
      createdAt: str(h.createdAt),
      startedAt: str(h.startedAt),
      finishedAt: str(h.finishedAt),
      awaitingSince: str(h.awaitingSince),
      approvedAt: str(h.approvedAt),
      approvedBy: str(h.approvedBy),
      heldAt: str(h.heldAt),
      heldFrom: str(h.heldFrom) as EditionState | null,
      cutoff: h.cutoff ? new Date(Number(h.cutoff)).toISOString() : null,
    };
  }

  /** Holds an upcoming edition; true when this call held it (false: held already, or not upcoming). */
  async hold(id: string): Promise<boolean> {
    return (await holdScript.run<string>(this.redis, [this.keys.edition(id)], [new Date().toISOString()])) === 'held';
  }

  /** Releases a held edition: the state it returned to, or null when it was not held. */
  async release(id: string): Promise<EditionState | null> {
    const r = await releaseScript.run<string>(this.redis, [this.keys.edition(id)], []);
    return r.startsWith('!') ? null : (r as EditionState);
  }

  /** awaiting-approval -> scheduled, marked approved; the state after (or why not). */
  async approve(id: string, by: string): Promise<EditionState | null> {
    return ((await approveScript.run<string | null>(this.redis, [this.keys.edition(id)], [new Date().toISOString(), by])) ?? null) as EditionState | null;
  }

  /** The window cut-offs of editions frozen before their occurrence (epoch ms), by edition id. */
  async cutoffs(ids: string[]): Promise<Array<number | null>> {
    const out = await Promise.all(ids.map((id) => this.redis.hget(this.keys.edition(id), 'cutoff')));
    return out.map((v) => (v ? Number(v) : null));
  }

  async state(id: string): Promise<EditionState | null> {
    return (await this.redis.hget(this.keys.edition(id), 'state')) as EditionState | null;
  }

  /** Edition ids of a newsletter, newest first. */
  async ids(newsletter: string, limit = 100): Promise<string[]> {
    return this.redis.zrevrange(this.keys.newsletterEditions(newsletter), 0, limit - 1);
  }

  /** Moves the state if it is one of `from`; returns the state after. */
  async transition(id: string, to: EditionState, from: EditionState[], stampField = ''): Promise<EditionState | null> {
    const r = await transitionScript.run<string | null>(this.redis, [this.keys.edition(id)], [
      to, new Date().toISOString(), stampField, ...from,
    ]);
    return (r ?? null) as EditionState | null;
  }

  /** Records why the last attempt failed, without changing the state (it will be tried again). */
  async noteError(id: string, error: string): Promise<void> {
    await this.redis.hset(this.keys.edition(id), { error });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.redis.hset(this.keys.edition(id), { error });
    await this.transition(id, 'failed', ['scheduled', 'sending'], 'finishedAt');
  }

  /**
   * Freezes what the edition sends: rendered variants, subject and article ids. The
   * articles join the newsletter's sent-articles ledger (first edition wins), so later
   * editions never repeat them even if a feed re-dates them.
   */
  async freeze(
    id: string,
    newsletter: string,
    rendered: RenderedEdition,
    articles: { count: number; keys: string[]; feedErrors?: Array<{ source: string; error: string }> },
    /** The window's end when it is before the occurrence (an early freeze), epoch ms. */
    cutoff?: number,
  ): Promise<void> {
    const articleKeys = articles.keys;
    const fields: Record<string, string> = {};
    for (const [name, v] of Object.entries(rendered.variants)) fields[name] = JSON.stringify(v);
    await this.redis.hset(this.keys.editionContent(id), fields);
    if (articleKeys.length) {
      const pipe = this.redis.pipeline();
      for (const k of articleKeys) pipe.hsetnx(this.keys.sentArticles(newsletter), k, id);
      await pipe.exec();
    }
    await this.redis.hset(this.keys.edition(id), {
      subject: rendered.subject,
      articles: String(articles.count),
      htmlPartBytes: String(htmlPartBytes(rendered)),
      error: '',
      ...(articles.feedErrors?.length ? { feedErrors: JSON.stringify(articles.feedErrors) } : {}),
      frozen: '1',
      ...(cutoff !== undefined ? { cutoff: String(cutoff) } : {}),
    });
  }

  /** failed → scheduled, only when nothing was frozen (so nothing was sent); true if it moved. */
  async retryUnsent(id: string): Promise<boolean> {
    const r = await retryScript.run<number>(this.redis, [this.keys.edition(id)], []);
    return r === 1;
  }

  async isFrozen(id: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.edition(id), 'frozen')) === '1';
  }

  async content(id: string): Promise<RenderedEdition | null> {
    const h = await this.redis.hgetall(this.keys.editionContent(id));
    if (!h.public || !h.member) return null;
    const pub = JSON.parse(h.public);
    return { editionId: id, subject: pub.subject, variants: { public: pub, member: JSON.parse(h.member) } };
  }

  /** Where the snapshot stopped: list index and HSCAN cursor, or done. */
  async snapshotPosition(id: string): Promise<{ done: boolean; list: number; cursor: string }> {
    const [done, list, cursor] = await this.redis.hmget(this.keys.edition(id), 'snapshotDone', 'snapList', 'snapCursor');
    return { done: done === '1', list: Number(list ?? 0), cursor: cursor ?? '0' };
  }

  /**
   * Appends recipients (email + batch entry) read at position `from` and records where the
   * scan goes on from. `dedupe` when the edition has several lists: an address on two lists
   * is sent once. Returns the batches it closed, or null (nothing appended) when the snapshot
   * is no longer at `from`: another run of prepare appended that page already.
   */
  async appendSnapshot(
    id: string,
    recipients: Array<{ email: string; entry: string }>,
    from: { list: number; cursor: string },
    next: { list: number; cursor: string },
    batchSize: number,
    dedupe: boolean,
  ): Promise<number[] | null> {
    const args: string[] = [];
    for (const r of recipients) args.push(r.email, r.entry);
    const batchPrefix = this.keys.editionBatch(id, 0).replace(/0$/, '');
    const closed = await appendScript.run<number[] | null>(
      this.redis,
      [this.keys.edition(id), this.keys.editionSeen(id)],
      [batchPrefix, batchSize, dedupe ? '1' : '0', next.list, next.cursor, String(from.list), from.cursor, ...args],
    );
    return closed === null ? null : closed.map(Number);
  }

  async finishSnapshot(id: string): Promise<{ batches: number; state: EditionState }> {
    const [batches, state] = await finishSnapshotScript.run<[number, string]>(
      this.redis,
      [this.keys.edition(id), this.keys.editionBatchesDone(id), this.keys.editionSeen(id)],
      [new Date().toISOString()],
    );
    return { batches: Number(batches), state: state as EditionState };
  }

  async batchEntries(id: string, batch: number): Promise<string[]> {
    return this.redis.lrange(this.keys.editionBatch(id, batch), 0, -1);
  }

  /**
   * Makes run `token` the owner of a batch: a run of a batch that another worker still runs
   * (its lock expired while it was stalled) takes it over, and the other run stops at its
   * next claim or recorded outcome.
   */
  async own(id: string, batch: number, token: string): Promise<void> {
    await this.redis.hset(this.keys.editionOwners(id), String(batch), token);
  }

  /**
   * Claims a chunk's recipients for `batch` (see CLAIM_*), or 'superseded' when run `token`
   * no longer owns the batch. Without a token, ownership is not checked.
   */
  async claim(id: string, batch: number, emails: string[], token = ''): Promise<number[] | 'superseded'> {
    if (emails.length === 0) return [];
    const r = await claimScript.run<number[] | number>(this.redis, [this.keys.editionLedger(id), this.keys.editionOwners(id)], [
      String(batch), token, ...emails,
    ]);
    return Array.isArray(r) ? r : 'superseded';
  }

  /**
   * Records an outcome. `changed`: the ledger changed (final outcomes count once);
   * `superseded`: run `token` no longer owns the batch (the outcome is recorded all the same).
   */
  async mark(
    id: string,
    email: string,
    kind: LedgerKind,
    batch: number,
    detail = '',
    token = '',
    extra?: LedgerExtra,
  ): Promise<{ changed: boolean; superseded: boolean }> {
    const value = ledgerValue(kind, batch, detail, extra);
    const r = await markScript.run<number>(
      this.redis,
      [this.keys.editionLedger(id), this.keys.edition(id), this.keys.editionOwners(id)],
      [email, value, (COUNTER[kind] as string | undefined) ?? '', String(batch), token],
    );
    return { changed: (r & 1) === 1, superseded: (r & 2) === 2 };
  }

  /**
   * Records what came back for one recipient (a bounce, a complaint, a mailto unsubscribe)
   * once per `event` key: on the ledger entry, and in the edition's counter `counter`.
   * Returns false when this event was recorded before (a repeated DSN or webhook).
   */
  async recordInbound(id: string, email: string, event: string, tail: string, counter: 'bounces' | 'complaints' | ''): Promise<boolean> {
    const r = await inboundScript.run<number>(
      this.redis,
      [this.keys.editionBounceEvents(id), this.keys.editionLedger(id), this.keys.edition(id)],
      [event, email, tail.replace(/[|\r\n]/g, ' '), String(Date.now()), counter],
    );
    return r === 1;
  }

  async ledger(id: string, email: string): Promise<string | null> {
    return this.redis.hget(this.keys.editionLedger(id), email);
  }

  /** The ledger values of many recipients, in order (null: nothing recorded yet). */
  async ledgerMany(id: string, emails: string[]): Promise<(string | null)[]> {
    if (emails.length === 0) return [];
    return this.redis.hmget(this.keys.editionLedger(id), ...emails);
  }

  /** One HSCAN page of the ledger: [cursor, address, value, address, value…]. */
  async scanLedger(id: string, cursor: string, count = 1000): Promise<{ cursor: string; entries: Array<[string, string]> }> {
    const [next, flat] = await this.redis.hscan(this.keys.editionLedger(id), cursor, 'COUNT', count);
    const entries: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i]!, flat[i + 1]!]);
    return { cursor: next, entries };
  }

  /** Batches in the snapshot so far (the open one included). */
  async batchCount(id: string): Promise<number> {
    const [done, batches, openBatch, openCount] = await this.redis.hmget(this.keys.edition(id), 'snapshotDone', 'batches', 'openBatch', 'openCount');
    if (done === '1') return Number(batches ?? 0);
    return Number(openBatch ?? 0) + (Number(openCount ?? 0) > 0 ? 1 : 0);
  }

  /** Part of a batch's entries (LRANGE start..stop, inclusive). */
  async batchRange(id: string, batch: number, start: number, stop: number): Promise<string[]> {
    return this.redis.lrange(this.keys.editionBatch(id, batch), start, stop);
  }

  async batchDone(id: string, batch: number): Promise<EditionState> {
    return (await batchDoneScript.run<string>(
      this.redis,
      [this.keys.edition(id), this.keys.editionBatchesDone(id)],
      [String(batch), new Date().toISOString()],
    )) as EditionState;
  }

  /**
   * Resolves once the replicas of the primary that holds this edition have every write made
   * so far (at most 2 s; at once when it has no replica; src/redis/replicas.ts). Call it before a job's
   * completion is recorded: on a Cluster the queues live on another primary, and with
   * asynchronous replication a primary that dies just after acknowledging a write loses it.
   * Without this, a batch job could stay completed while its outcomes and "batch done"
   * vanished with the edition's primary (the edition would never finish), or a snapshot
   * page vanish after its batch was enqueued (its recipients would be lost).
   */
  async replicated(id: string): Promise<void> {
    await this.replicas.after(this.keys.edition(id));
  }

  async park(id: string, batch: number): Promise<boolean> {
    const r = await parkScript.run<number>(this.redis, [this.keys.edition(id), this.keys.editionBatchesParked(id)], [
      String(batch),
    ]);
    return r === 1;
  }

  /** paused → sending; returns the resume number and the parked batches, or null if not paused. */
  async resume(id: string): Promise<{ resume: number; batches: number[] } | null> {
    const r = await resumeScript.run<string[] | null>(
      this.redis,
      [this.keys.edition(id), this.keys.editionBatchesParked(id)],
      [new Date().toISOString()],
    );
    if (!r) return null;
    const [n, ...batches] = r;
    return { resume: Number(n), batches: batches.map(Number).sort((a, b) => a - b) };
  }

  async cancel(id: string): Promise<EditionState | null> {
    const r = await cancelScript.run<string | null>(
      this.redis,
      [this.keys.edition(id), this.keys.editionBatchesParked(id), this.keys.editionBatchesDone(id)],
      [new Date().toISOString()],
    );
    return (r ?? null) as EditionState | null;
  }
}

function feedErrorsOf(v: string | undefined): Array<{ source: string; error: string }> {
  if (!v) return [];
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? (parsed as Array<{ source: string; error: string }>) : [];
  } catch {
    return [];
  }
}
