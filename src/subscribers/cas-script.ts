import type { RedisClient } from '../redis/connect.js';

/**
 * The one Lua script that writes subscriber records: a batch of compare-and-set swaps on
 * ONE list's members hash, keeping that list's counters in step in the same atomic step.
 *
 * The decisions (merge a re-import, never re-activate an unsubscribed address…) are made in
 * TypeScript on records read with HMGET; the script applies a swap only if the record is
 * still the one the decision was made on. A conflict — say an unsubscribe landing between
 * the read and the write — is handed back, and the caller decides again on the new record.
 * So an import can never undo an unsubscribe that happened while it ran, and the counters
 * are derived from the records actually written (the first character of a record is its
 * status), never from what the caller believed.
 *
 * KEYS[1] = listMembers(list), KEYS[2] = listCounts(list): one hash tag, one Cluster slot.
 * The suppression keys live in another slot, so they are checked by separate commands.
 *
 * ARGV[1] is the whole batch as one string — `address GS expected GS next RS` per swap —
 * because ioredis spends more time encoding 3,000 separate arguments than Redis spends on
 * the batch. Addresses, packed records and so the batch never contain GS (U+001D) or RS
 * (U+001E): addresses are printable ASCII, names are cleaned of control characters and
 * attributes are JSON. `expected` "" means "absent", `next` "" means "delete". The
 * addresses of one call are distinct (the caller defers repeats to its next round), so
 * one HMGET before and one HSET/HDEL after are equivalent to swapping one by one.
 *
 * ARGV[2] is the number of swaps, so a malformed batch fails instead of shifting positions.
 * Returns the 1-based positions of the swaps that conflicted and were not applied.
 */
export const CAS_LUA = `
local members, counts = KEYS[1], KEYS[2]
local names = { a = 'active', u = 'unsubscribed', b = 'bounced', c = 'complained', p = 'pending' }
local addresses, expected, nextv = {}, {}, {}
for a, e, n in string.gmatch(ARGV[1], '([^\\29\\30]+)\\29([^\\29\\30]*)\\29([^\\29\\30]*)\\30') do
  local i = #addresses + 1
  addresses[i], expected[i], nextv[i] = a, e, n
  -- Validate before writing anything: a script that fails half-way keeps its earlier writes.
  if n ~= '' and not names[string.sub(n, 1, 1)] then
    return redis.error_reply('ERR subscriber record with unknown status for ' .. a)
  end
end
if #addresses ~= tonumber(ARGV[2]) then
  return redis.error_reply('ERR malformed subscriber batch: ' .. #addresses .. ' swaps parsed, ' .. ARGV[2] .. ' sent')
end
local current = {}
for from = 1, #addresses, 1000 do
  local to = math.min(from + 999, #addresses)
  local values = redis.call('HMGET', members, unpack(addresses, from, to))
  for k = 1, to - from + 1 do current[from + k - 1] = values[k] or '' end
end
local sets, dels, conflicts, delta = {}, {}, {}, {}
for i = 1, #addresses do
  local cur, n = current[i], nextv[i]
  if cur ~= expected[i] then
    conflicts[#conflicts + 1] = i
  elseif cur ~= n then
    if n == '' then
      dels[#dels + 1] = addresses[i]
    else
      sets[#sets + 1] = addresses[i]
      sets[#sets + 1] = n
    end
    local was, now = names[string.sub(cur, 1, 1)], names[string.sub(n, 1, 1)]
    if was ~= now then
      if was then delta[was] = (delta[was] or 0) - 1 end
      if now then delta[now] = (delta[now] or 0) + 1 end
    end
  end
end
for from = 1, #sets, 1000 do
  redis.call('HSET', members, unpack(sets, from, math.min(from + 999, #sets)))
end
for from = 1, #dels, 1000 do
  redis.call('HDEL', members, unpack(dels, from, math.min(from + 999, #dels)))
end
for status, d in pairs(delta) do
  if d ~= 0 then redis.call('HINCRBY', counts, status, d) end
end
return conflicts
`;

/** Separators of the batch string (see above). */
const GS = '\u001d';
const RS = '\u001e';

export interface CasSwap {
  address: string;
  /** The record the decision was made on; "" for absent. */
  expected: string;
  /** The record to store; "" to delete. */
  next: string;
}

const COMMAND = 'briefSubscribersCas';

type RawCas = (members: string, counts: string, batch: string, size: number) => Promise<number[]>;

/**
 * Defines the script on the connection (once) and returns a caller that takes swaps with
 * distinct addresses and resolves to the 1-based positions of those that conflicted.
 */
export function casCommand(redis: RedisClient): (members: string, counts: string, swaps: readonly CasSwap[]) => Promise<number[]> {
  const r = redis as RedisClient & Record<string, unknown>;
  if (typeof r[COMMAND] !== 'function') {
    redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: CAS_LUA });
  }
  const fn = r[COMMAND] as RawCas;
  return (members, counts, swaps) => {
    // join() builds one flat string; `+=` would build a rope that the socket write flattens.
    const parts: string[] = new Array<string>(swaps.length);
    for (let i = 0; i < swaps.length; i++) {
      const s = swaps[i] as CasSwap;
      parts[i] = s.address + GS + s.expected + GS + s.next;
    }
    return fn.call(redis, members, counts, parts.join(RS) + RS, swaps.length);
  };
}
