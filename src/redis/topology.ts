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
  /** True for the primary that serves the queues' slot. */
  holdsQueueSlot?: boolean;
  /** Cluster: the others consider this node failed. */
  failed?: boolean;
}

interface ClusterNodeLine {
  id: string;
  address: string;
  primary: boolean;
  masterId: string;
  failed: boolean;
  slotRanges: Array<[number, number]>;
}

/** Parses CLUSTER NODES (`id ip:port@bus flags master ping pong epoch link slot…`). */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  const out: ClusterNodeLine[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const flags = f[2]!.split(',');
    const slotRanges: Array<[number, number]> = [];
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue; // a slot being migrated
      const [a, b] = s.split('-').map(Number);
      slotRanges.push([a!, b ?? a!]);
    }
    out.push({
      id: f[0]!,
      address: f[1]!.split('@')[0]!,
      primary: flags.includes('master'),
      masterId: f[3]!,
      failed: flags.includes('fail') || flags.includes('fail?'),
      slotRanges,
    });
  }
  return out;
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
    const parsed = parseClusterNodes(String(await redis.cluster('NODES')));
    const byId = new Map(parsed.map((n) => [n.id, n]));
    let queueNode: string | null = null;
    const nodes: TopologyNode[] = [];
    for (const n of parsed) {
      if (n.primary) {
        const holds = n.slotRanges.some(([a, b]) => queueSlot >= a && queueSlot <= b);
        if (holds) queueNode = n.address;
        nodes.push({
          address: n.address,
          role: 'primary',
          slots: n.slotRanges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)),
          ...(holds ? { holdsQueueSlot: true } : {}),
          ...(n.failed ? { failed: true } : {}),
        });
      } else {
        nodes.push({ address: n.address, role: 'replica', replicaOf: byId.get(n.masterId)?.address ?? n.masterId, ...(n.failed ? { failed: true } : {}) });
      }
    }
    nodes.sort((a, b) => (a.role === b.role ? a.address.localeCompare(b.address) : a.role === 'primary' ? -1 : 1));
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
      n.failed ? 'FAILED' : '',
    ].filter(Boolean);
    lines.push(`  ${n.address} ${n.role}${extra.length ? ` (${extra.join('; ')})` : ''}`);
  }
  return lines;
}
