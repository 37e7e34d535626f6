import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';
import { NO_CURATION, type Curation } from '../edition/curation.js';
import type { CompiledEdition } from '../compile-edition.js';

/** One editor action on an edition's curation; every field is optional. */
export interface CurationChange {
  exclude?: string[];
  /** Undoes an exclude. */
  include?: string[];
  /** The lead's article id, or null to go back to the default lead. */
  lead?: string | null;
  pick?: string[];
  unpick?: string[];
  /** One section's order (article ids, first to last). */
  order?: { section: string; ids: string[] };
  /** The intro note; null or "" removes it. */
  note?: string | null;
  /** Article ids the editor saw while curating (no longer shown as new). */
  known?: string[];
}

/**
 * The editor's curation of each edition, in one Redis hash per edition (the edition's
 * slot): it survives restarts, and any process compiling the edition reads the same.
 */
export class CurationStore {
  constructor(private readonly deps: { redis: RedisClient; keys: Keys }) {}

  async read(editionId: string): Promise<Curation> {
    const h = await this.deps.redis.hgetall(this.deps.keys.editionCuration(editionId));
    return parseCuration(h);
  }

  async update(editionId: string, change: CurationChange, now = Date.now()): Promise<Curation> {
    const key = this.deps.keys.editionCuration(editionId);
    const set: string[] = ['savedAt', String(now)];
    const del: string[] = [];
    for (const id of change.exclude ?? []) set.push(`x:${id}`, '1');
    for (const id of change.include ?? []) del.push(`x:${id}`);
    for (const id of change.pick ?? []) set.push(`p:${id}`, '1');
    for (const id of change.unpick ?? []) set.push(`p:${id}`, '0');
    for (const id of change.known ?? []) set.push(`k:${id}`, '1');
    if (change.lead !== undefined) {
      if (change.lead) set.push('lead', change.lead);
      else del.push('lead');
    }
    if (change.note !== undefined) {
      if (change.note && change.note.trim()) set.push('note', change.note);
      else del.push('note');
    }
    if (change.order) set.push(`o:${change.order.section}`, JSON.stringify(change.order.ids));
    // One key: the MULTI is atomic on a single server and on Cluster alike.
    const multi = this.deps.redis.multi();
    if (del.length) multi.hdel(key, ...del);
    multi.hset(key, ...set);
    multi.hgetall(key);
    const res = await multi.exec();
    const last = res?.[res.length - 1];
    if (!last || last[0]) throw last?.[0] ?? new Error('curation update failed');
    return parseCuration(last[1] as Record<string, string>);
  }
}

export function parseCuration(h: Record<string, string>): Curation {
  if (Object.keys(h).length === 0) return NO_CURATION;
  const excluded = new Set<string>();
  const known = new Set<string>();
  const picks = new Map<string, boolean>();
  const order: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(h)) {
    if (field.startsWith('x:')) excluded.add(field.slice(2));
    else if (field.startsWith('k:')) known.add(field.slice(2));
    else if (field.startsWith('p:')) picks.set(field.slice(2), value === '1');
    else if (field.startsWith('o:')) {
      try {
        const ids = JSON.parse(value) as unknown;
        if (Array.isArray(ids)) order[field.slice(2)] = ids.filter((x): x is string => typeof x === 'string');
      } catch {
        // A hand-edited or damaged order is ignored: the section goes newest first.
      }
    }
  }
  const savedAt = Number(h.savedAt);
  return {
    excluded,
    known,
    picks,
    order,
    lead: h.lead || null,
    note: h.note || null,
    savedAt: Number.isFinite(savedAt) ? savedAt : null,
  };
}

/** The curation of an edition as the API and `brief edition ID curate --json` show it. */
export function curationJson(c: CompiledEdition) {
  return {
    edition: c.editionId,
    window: { start: c.window.start, end: c.window.end },
    lead: c.content.lead.id,
    note: c.curation.note,
    excluded: [...c.curation.excluded],
    picks: c.content.picks.map((a) => a.id),
    sections: c.content.sections.map((s) => ({ title: s.title, articles: s.articles.map((a) => a.id) })),
    articles: c.candidates,
    savedAt: c.curation.savedAt === null ? null : new Date(c.curation.savedAt).toISOString(),
  };
}

/** A curation change in a line for the audit log: what was done to which article ids (no note text). */
export function curationDetail(c: CurationChange): string {
  const parts: string[] = [];
  const list = (name: string, ids: string[] | undefined) => {
    if (ids?.length) parts.push(`${name} ${ids.slice(0, 5).join(' ')}${ids.length > 5 ? ` (+${ids.length - 5})` : ''}`);
  };
  list('exclude', c.exclude);
  list('include', c.include);
  if (c.lead !== undefined) parts.push(c.lead ? `lead ${c.lead}` : 'lead default');
  list('pick', c.pick);
  list('unpick', c.unpick);
  if (c.order) parts.push(`order in ${c.order.section}`);
  if (c.note !== undefined) parts.push(c.note ? `note (${[...c.note].length} characters)` : 'note removed');
  return parts.join('; ') || 'no change';
}
