import { userInfo } from 'node:os';
import { AuditLog, type AuditInput } from '../audit/index.js';
import type { CliContext } from './context.js';

/** Who a command runs as in the audit log: `cli:` and the OS user. */
export function cliActor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username || name;
  } catch {
    // No passwd entry (some containers): the uid is all there is.
    name = String(process.getuid?.() ?? name);
  }
  return `cli:${name}`;
}

/** Records one command's action in the audit log, as `cli:USER` from "cli". */
export async function auditCli(ctx: CliContext, e: Omit<AuditInput, 'actor' | 'ip'>): Promise<void> {
  await new AuditLog({ redis: await ctx.redis(), keys: ctx.keys() }).record({ ...e, actor: cliActor(), ip: 'cli' });
}
