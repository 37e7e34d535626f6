/** Reads Redis's own counters: memory, commands by name, and read events (≈ round trips). */
import type { Redis } from 'ioredis';

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(parseInfo(await redis.info('memory')).used_memory ?? 0);
}

/** CPU ms redis-server has used (main thread and children), from INFO cpu. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const cpu = parseInfo(await redis.info('cpu'));
  return (Number(cpu.used_cpu_user ?? 0) + Number(cpu.used_cpu_sys ?? 0)) * 1000;
}

export interface CommandCounters {
  /** calls per command name (lower-case, as INFO commandstats names them). */
  calls: Map<string, number>;
  /** Read events on client sockets: one per batch of pipelined commands, so ≈ round trips. */
  reads: number;
  commands: number;
}

/** Commands the benchmark itself sends while it measures; left out of the deltas. */
const ours = (name: string) => name === 'info' || name.startsWith('memory');

export async function commandCounters(redis: Redis): Promise<CommandCounters> {
  const [cmd, stats] = await Promise.all([redis.info('commandstats'), redis.info('stats')]);
  const calls = new Map<string, number>();
  for (const [k, v] of Object.entries(parseInfo(cmd))) {
    const m = /calls=(\d+)/.exec(v);
    if (k.startsWith('cmdstat_') && m) calls.set(k.slice(8), Number(m[1]));
  }
  const s = parseInfo(stats);
  return { calls, reads: Number(s.total_reads_processed ?? 0), commands: Number(s.total_commands_processed ?? 0) };
}

export interface CommandDelta {
  /** Commands per recipient, Lua scripts' inner commands included (Redis counts those too). */
  commandsPerRecipient: number;
  /** Client read events per recipient: the round trips the pipeline makes, all clients together. */
  roundTripsPerRecipient: number;
  /** The commands with the most calls per recipient. */
  top: Array<{ command: string; perRecipient: number }>;
}

export function commandDelta(before: CommandCounters, after: CommandCounters, recipients: number): CommandDelta {
  const rows: Array<{ command: string; perRecipient: number }> = [];
  for (const [name, calls] of after.calls) {
    const d = calls - (before.calls.get(name) ?? 0);
    if (d > 0 && !ours(name)) rows.push({ command: name, perRecipient: d / recipients });
  }
  rows.sort((a, b) => b.perRecipient - a.perRecipient);
  return {
    commandsPerRecipient: rows.reduce((sum, r) => sum + r.perRecipient, 0),
    roundTripsPerRecipient: (after.reads - before.reads) / recipients,
    top: rows.slice(0, 12).map((r) => ({ command: r.command, perRecipient: round(r.perRecipient, 3) })),
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
