import { Command } from 'commander';
import { AuditLog } from '../audit/index.js';
import { BriefError } from '../errors.js';
import type { CliContext } from './context.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--since`: a duration back from now (`30m`, `24h`, `7d`) or an ISO date/time. */
export function parseSince(raw: string, now = Date.now()): Date {
  const m = /^(\d{1,6})([smhdw])$/.exec(raw.trim());
  if (m) return new Date(now - Number(m[1]) * UNIT_MS[m[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim())) {
    const d = new Date(raw.trim());
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new BriefError('EINPUT', `--since: ${JSON.stringify(raw)} is neither a duration (30m, 24h, 7d) nor an ISO date (2025-09-05 or 2025-09-05T08:00Z)`);
}

/** `brief audit`: who did what, newest first. */
export function auditCommand(ctx: CliContext): Command {
  return new Command('audit')
    .description('the audit log, newest first: logins, sends, pauses, user changes, imports …')
    .option('--since <D>', 'only since D: a duration back from now (24h, 7d) or an ISO date', (v) => parseSince(v))
    .option('--action <ACTION>', 'only this action (login, send, user-add, …)')
    .option('--limit <N>', 'at most N entries', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new BriefError('EINPUT', `--limit: ${JSON.stringify(v)} is not a positive whole number`);
      return n;
    }, 1000)
    .option('--json', 'a JSON array instead of lines')
    .action(async (opts: { since?: Date; action?: string; limit: number; json?: boolean }) => {
      const log = new AuditLog({ redis: await ctx.redis(), keys: ctx.keys() });
      const entries = await log.list({ since: opts.since, action: opts.action, limit: opts.limit });
      if (opts.json) {
        ctx.stdout.write(JSON.stringify(entries.map(({ id: _id, ...e }) => e), null, 2) + '\n');
        return;
      }
      for (const e of entries) ctx.stdout.write([e.at, e.actor, e.action, e.target || '-', e.detail || '-', e.ip || '-'].join('\t') + '\n');
      if (!entries.length) ctx.warn('nothing recorded in that time');
    });
}
