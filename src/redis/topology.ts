import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connect.js';
import { describeTarget, type RedisTarget } from './redis-url.js';

/** One Redis node as `brief status` shows it. */
export interface TopologyNode {
  address: string;
  role: 'primary' | 'replica' | 'sentinel';
  /** Cluster: the slot ranges a primary serves ("0-5460"). */
  slots?: string[];
  /** Replicas: the address of their primary. */
  replicaOf?: string;
  /** True for the primary that serves the queues' slot (and its replicas' primary). */
  holdsQueueSlot?: boolean;
}

/** The Redis topology: `brief status` and `brief status --json` (`redis`). */
export interface Topology {
  kind: RedisTarget['kind'];
  /** One line, without passwords. */
  description: string;
  /** The hash slot of every BullMQ key (`PREFIX:{q}:…`). */
  queueSlot: number;
  /** The primary that holds it now. */
  queueNode: string | null;
  nodes: TopologyNode[];
}

/** Parses `INFO replication` into the role and (for a primary) its replicas. */
function parseReplication(info: string): { role: string; replicas: string[]; master?: string } {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const replicas: string[] = [];
  for (const [k, v] of fields) {
    if (!/^slave\d+$/.test(k)) continue;
    const ip = /ip=([^,]+)/.exec(v)?.[1];
    const port = /port=(\d+)/.exec(v)?.[1];
    if (ip && port) replicas.push(`${ip}:${port}`);
  }
  const mh = fields.get('master_host');
  const mp = fields.get('master_port');
  return { role: fields.get('role') ?? 'unknown', replicas, master: mh && mp ? `${mh}:${mp}` : undefined };
}

/** Where a client is connected now: with Sentinel, the primary the Sentinels named, not an option. */
function addressOf(r: Redis): string {
  const stream = (r as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  if (stream?.remoteAddress && stream.remotePort) return `${stream.remoteAddress.replace(/^::ffff:/, '')}:${stream.remotePort}`;
  return `${r.options.host ?? '127.0.0.1'}:${r.options.port ?? 6379}`;
}

/**
 * Asks Redis what it is: a Cluster's slots, primaries and replicas (CLUSTER SLOTS), or a
 * server's role and replicas (INFO replication); with Sentinel, the primary the Sentinels
 * point at now. `queueKey` is any BullMQ key of ours (they all share one slot).
 */
export async function readTopology(redis: RedisClient, target: RedisTarget, queueKey: string): Promise<Topology> {
  const queueSlot = calculateSlot(queueKey);
  const description = describeTarget(target);
  if (isCluster(redis)) {
    type SlotRow = [number, number, ...Array<[string, number, string?]>];
    const rows = (await redis.cluster('SLOTS')) as unknown as SlotRow[];
    const byPrimary = new Map<string, TopologyNode>();
    const replicas = new Map<string, TopologyNode>();
    let queueNode: string | null = null;
    for (const [start, end, primary, ...reps] of rows) {
      if (!primary) continue;
      const address = `${primary[0]}:${primary[1]}`;
      const node = byPrimary.get(address) ?? { address, role: 'primary' as const, slots: [] };
      node.slots!.push(start === end ? String(start) : `${start}-${end}`);
      if (queueSlot >= start && queueSlot <= end) {
        node.holdsQueueSlot = true;
        queueNode = address;
      }
      byPrimary.set(address, node);
      for (const r of reps) {
        const ra = `${r[0]}:${r[1]}`;
        replicas.set(ra, { address: ra, role: 'replica', replicaOf: address });
      }
    }
    const nodes = [...byPrimary.values()].sort((a, b) => a.address.localeCompare(b.address));
    nodes.push(...[...replicas.values()].sort((a, b) => a.address.localeCompare(b.address)));
    return { kind: 'cluster', description, queueSlot, queueNode, nodes };
  }
  const server = redis as Redis;
  const rep = parseReplication(await server.info('replication'));
  const here = addressOf(server);
  const nodes: TopologyNode[] = [];
  if (rep.role === 'master') {
    nodes.push({ address: here, role: 'primary', holdsQueueSlot: true });
    for (const r of rep.replicas) nodes.push({ address: r, role: 'replica', replicaOf: here });
  } else {
    nodes.push({ address: here, role: 'replica', replicaOf: rep.master });
  }
  if (target.kind === 'sentinel') {
    for (const s of target.nodes) nodes.push({ address: `${s.host}:${s.port}`, role: 'sentinel' });
  }
  return { kind: target.kind, description, queueSlot, queueNode: rep.role === 'master' ? here : null, nodes };
}

/** The lines of `brief status` under "redis:". */
export function formatTopology(t: Topology): string[] {
  const lines = [`${t.description}; queues in slot ${t.queueSlot}${t.queueNode ? ` on ${t.queueNode}` : ''}`];
  for (const n of t.nodes) {
    const extra = [
      n.slots ? `slots ${n.slots.join(',')}` : '',
      n.replicaOf ? `of ${n.replicaOf}` : '',
      n.holdsQueueSlot ? 'holds the queues' : '',
    ].filter(Boolean);
    lines.push(`  ${n.address} ${n.role}${extra.length ? ` (${extra.join('; ')})` : ''}`);
  }
  return lines;
}
