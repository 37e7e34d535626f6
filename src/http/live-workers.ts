/** A worker whose last heartbeat is older than this is taken for gone (it beats every 5 s). */
export const WORKER_FRESH_MS = 30_000;

/**
 * The workers whose heartbeat (the `workers` hash: id → JSON {host, pid, seen}) is fresh at
 * `now`. An entry that does not parse counts as gone rather than failing the caller.
 */
export function liveWorkers(heartbeats: Record<string, string>, now: number, maxAgeMs = WORKER_FRESH_MS): string[] {
  const live: string[] = [];
  for (const [id, raw] of Object.entries(heartbeats)) {
    let seen: unknown;
    try {
      seen = (JSON.parse(raw) as { seen?: unknown }).seen;
    } catch {
      continue;
    }
    if (typeof seen === 'number' && now - seen < maxAgeMs && seen - now < maxAgeMs) live.push(id);
  }
  return live;
}
