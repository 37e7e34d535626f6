import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';

/** What the audit log records; other words are kept as given (a newer process's actions). */
export const AUDIT_ACTIONS = [
  'login', 'login-failed', 'logout',
  'test-send', 'send', 'pause', 'resume', 'cancel',
  'curate', 'approve', 'hold', 'release',
  'user-add', 'user-remove', 'user-reset', 'password-set',
  'import', 'subscriber-add', 'subscriber-remove', 'forget',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One thing someone did. */
export interface AuditInput {
  /** Who: a user's address, "token" (BRIEF_ADMIN_TOKEN), `cli:OSUSER`, or what a failed login gave. */
  actor: string;
  action: AuditAction;
  /** What it was done to: an edition id, a list, an address. */
  target?: string;
  /** A short line of detail ("12 recipients", "role editor"). */
  detail?: string;
  /** From where: the client's IP address, or "cli". */
  ip?: string;
}

export interface AuditEntry extends Required<AuditInput> {
  /** The stream entry id (ms-seq), unique and ordered. */
  id: string;
  /** ISO time of the action. */
  at: string;
}

/** Entries kept (roughly: the trim is `MAXLEN ~`). @defaultValue 100000 */
export const AUDIT_MAX_ENTRIES = 100_000;

/**
 * A field as stored: at most `n` characters (whole code points), control and bidi-override
 * characters as "?", so that a typed-in value cannot rewrite a terminal that runs
 * `brief audit` or reorder a line on Activity (the page escapes HTML besides).
 */
const cut = (s: string | undefined, n: number) =>
  Array.from(s ?? '').slice(0, n).join('').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');

/**
 * The audit log: a capped Redis stream (`XADD MAXLEN ~`), one entry per action, the oldest
 * trimmed first. One key, so every command touches one Cluster slot. The entry id is the
 * time, so `--since` is a range read, not a scan.
 */
export class AuditLog {
  constructor(private readonly deps: { redis: RedisClient; keys: Pick<Keys, 'auditLog'>; maxEntries?: number }) {}

  /** Records one action now. */
  async record(e: AuditInput): Promise<string> {
    const max = this.deps.maxEntries ?? AUDIT_MAX_ENTRIES;
    const id = await this.deps.redis.xadd(
      this.deps.keys.auditLog(), 'MAXLEN', '~', String(max), '*',
      'actor', cut(e.actor, 200), 'action', cut(e.action, 40), 'target', cut(e.target, 300),
      'detail', cut(e.detail, 500), 'ip', cut(e.ip, 64),
    );
    return String(id);
  }

  /**
   * Entries newest first.
   * @param o.since only entries at or after this time
   * @param o.action only this action
   * @param o.limit at most this many @defaultValue 200
   */
  async list(o: { since?: Date; action?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = o.limit ?? 200;
    const out: AuditEntry[] = [];
    const start = o.since ? String(o.since.getTime()) : '-';
    let end = '+';
    // Pages of the stream, newest first, filtered here (XREVRANGE has no field filter).
    for (;;) {
      const page = (await this.deps.redis.xrevrange(this.deps.keys.auditLog(), end, start, 'COUNT', 500)) as Array<[string, string[]]>;
      for (const [id, fields] of page) {
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        if (o.action && f.action !== o.action) continue;
        out.push({
          id,
          at: new Date(Number(id.split('-')[0])).toISOString(),
          actor: f.actor ?? '',
          action: (f.action ?? '') as AuditAction,
          target: f.target ?? '',
          detail: f.detail ?? '',
          ip: f.ip ?? '',
        });
        if (out.length >= limit) return out;
      }
      if (page.length < 500) return out;
      end = `(${page[page.length - 1]![0]}`;
    }
  }
}
