import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from './redis-server.js';
import { parseClusterNodes } from './topology.js';

/**
 * A real Redis Cluster or a Sentinel set on loopback, on free ports and in a scratch folder:
 * what `npm run test:cluster`, the reduced Cluster test in `npm test` and the rate bench run
 * against. Never port 6379, never anyone's data. Not used by the `brief` command itself.
 */

export interface LocalNode {
  port: number;
  address: string;
  server: RedisServer;
  /** False once it was killed or stopped. */
  running: boolean;
  /** SIGKILL (no AOF flush, no goodbye to its replicas), and wait for the exit. */
  kill(): Promise<void>;
}

export interface LocalTopology {
  kind: 'cluster' | 'sentinel';
  /** The REDIS_URL for it. */
  url: string;
  /** The data nodes (not the Sentinels). */
  nodes: LocalNode[];
  /** The Sentinels (Sentinel set only). */
  sentinels: LocalNode[];
  /** The data node that is a primary for `key` now (Cluster: the slot's; Sentinel: the primary). */
  primaryFor(key: string): Promise<LocalNode>;
  /** Waits until `key`'s slot is served by a primary other than `old` (a replica was promoted). */
  waitForFailover(key: string, old: LocalNode, timeoutMs: number): Promise<LocalNode>;
  stop(): Promise<void>;
}

async function startNode(dir: string, extraArgs: string[], more: { configFile?: string; sentinel?: boolean } = {}): Promise<LocalNode> {
  // A free port can be taken between the check and redis-server's bind (the nodes start
  // side by side, and other test runs share the machine): the server then exits at once,
  // and another port is tried, up to three.
  let server: RedisServer | undefined;
  let port = 0;
  for (let attempt = 1; !server; attempt++) {
    port = await freePort({ clusterBus: extraArgs.includes('--cluster-enabled') });
    const nodeDir = path.join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    let configFile: string | undefined;
    if (more.configFile !== undefined) {
      configFile = path.join(nodeDir, 'sentinel.conf');
      writeFileSync(configFile, more.configFile);
    }
    try {
      server = await startRedisServer({
        port, dir: nodeDir, logfile: 'redis.log', extraArgs, configFile, sentinel: more.sentinel, startTimeoutMs: 15_000,
      });
    } catch (err) {
      if (attempt >= 3 || !/exited before it answered/.test((err as Error).message)) throw err;
    }
  }
  const node: LocalNode = {
    port,
    address: `127.0.0.1:${port}`,
    server,
    running: true,
    async kill() {
      if (!node.running) return;
      node.running = false;
      const exited = new Promise<void>((resolve) => {
        if (server.child.exitCode !== null || server.child.signalCode !== null) resolve();
        else server.child.once('exit', () => resolve());
      });
      server.child.kill('SIGKILL');
      await exited;
    },
  };
  return node;
}

async function stopAll(nodes: LocalNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (!n.running) return;
      n.running = false;
      await n.server.stop();
    }),
  );
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(t);
      reject(new Error(`cannot run ${cmd} (is it installed?): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Asks one node something, on a short-lived connection that gives up at once. */
async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

const infoField = (info: string, field: string) => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();

export interface LocalClusterOptions {
  /** @defaultValue 3 */
  primaries?: number;
  /** Replicas per primary. @defaultValue 1 */
  replicas?: number;
  /** `cluster-node-timeout`: how long a primary may be silent before its replica takes over. @defaultValue 1000 */
  nodeTimeoutMs?: number;
}

/**
 * Six (by default) `redis-server --cluster-enabled yes`, joined with
 * `redis-cli --cluster create … --cluster-replicas N`; resolves once every node reports
 * `cluster_state:ok` and every replica is in sync.
 */
export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalTopology> {
  const primaries = opts.primaries ?? 3;
  const replicas = opts.replicas ?? 1;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-cluster-'));
  const nodes: LocalNode[] = [];
  try {
    const args = [
      '--cluster-enabled', 'yes',
      '--cluster-config-file', 'nodes.conf',
      '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 1000),
      // A replica may take over however long it was cut off: the test kills on purpose.
      '--cluster-replica-validity-factor', '0',
    ];
    nodes.push(...(await Promise.all(Array.from({ length: primaries * (1 + replicas) }, () => startNode(dir, args)))));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(replicas), '--cluster-yes'], 60_000);
    await until(
      async () => {
        for (const n of nodes) {
          const info = await ask(n.port, (r) => r.cluster('INFO') as Promise<string>);
          if (infoField(info, 'cluster_state') !== 'ok' || infoField(info, 'cluster_known_nodes') !== String(nodes.length)) return undefined;
          const rep = await ask(n.port, (r) => r.info('replication'));
          if (infoField(rep, 'role') === 'slave' && infoField(rep, 'master_link_status') !== 'up') return undefined;
          // Every node must know every replica, or a failover vote could miss one.
          const known = parseClusterNodes(String(await ask(n.port, (r) => r.cluster('NODES'))));
          if (known.filter((k) => !k.primary).length !== primaries * replicas) return undefined;
        }
        return true;
      },
      30_000,
      'the cluster to be ok on every node, replicas in sync',
    );
  } catch (err) {
    await stopAll(nodes);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const primaryFor = async (key: string): Promise<LocalNode> => {
    for (const n of nodes) {
      if (!n.running) continue;
      try {
        const [slot, rows] = await ask(n.port, async (r) => [
          (await r.cluster('KEYSLOT', key)) as number,
          (await r.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>,
        ] as const);
        const row = rows.find(([a, b]) => slot >= a && slot <= b);
        const node = row ? byPort.get(Number(row[2][1])) : undefined;
        if (node) return node;
      } catch {
        // a node that is going away: ask the next one
      }
    }
    throw new Error(`no running node knows the primary for ${key}`);
  };
  return {
    kind: 'cluster',
    url: `redis-cluster://${nodes.slice(0, 3).map((n) => n.address).join(',')}`,
    nodes,
    sentinels: [],
    primaryFor,
    waitForFailover: (key, old, timeoutMs) =>
      until(
        async () => {
          const p = await primaryFor(key);
          if (p === old || !p.running) return undefined;
          const info = await ask(p.port, (r) => r.cluster('INFO') as Promise<string>);
          return infoField(info, 'cluster_state') === 'ok' ? p : undefined;
        },
        timeoutMs,
        `a replica to take over ${key}'s slot from ${old.address}`,
      ),
    async stop() {
      await stopAll(nodes);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LocalSentinelOptions {
  /** @defaultValue "brief" */
  masterName?: string;
  /** @defaultValue 3 */
  sentinels?: number;
  /** `down-after-milliseconds`. @defaultValue 1000 */
  downAfterMs?: number;
}

/**
 * One primary, one replica and three Sentinels (`redis-server sentinel.conf --sentinel`,
 * quorum 2); resolves once the replica is in sync and every Sentinel knows the replica and
 * the other Sentinels (before that, a failover could not happen).
 */
export async function startLocalSentinel(opts: LocalSentinelOptions = {}): Promise<LocalTopology> {
  const name = opts.masterName ?? 'brief';
  const count = opts.sentinels ?? 3;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-sentinel-'));
  const all: LocalNode[] = [];
  const data: LocalNode[] = [];
  const sentinels: LocalNode[] = [];
  try {
    const primary = await startNode(dir, []);
    data.push(primary);
    all.push(primary);
    const replica = await startNode(dir, ['--replicaof', '127.0.0.1', String(primary.port)]);
    data.push(replica);
    all.push(replica);
    const conf = [
      `sentinel monitor ${name} 127.0.0.1 ${primary.port} ${Math.floor(count / 2) + 1}`,
      `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n');
    for (let i = 0; i < count; i++) {
      const s = await startNode(dir, [], { configFile: conf, sentinel: true });
      sentinels.push(s);
      all.push(s);
    }
    await until(
      async () => {
        const rep = await ask(replica.port, (r) => r.info('replication'));
        if (infoField(rep, 'master_link_status') !== 'up') return undefined;
        for (const s of sentinels) {
          const reps = (await ask(s.port, (r) => r.call('SENTINEL', 'REPLICAS', name))) as unknown[];
          const others = (await ask(s.port, (r) => r.call('SENTINEL', 'SENTINELS', name))) as unknown[];
          if (reps.length < 1 || others.length < count - 1) return undefined;
        }
        return true;
      },
      30_000,
      'the replica to sync and the Sentinels to find it and each other',
    );
  } catch (err) {
    await stopAll(all);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const byPort = new Map(data.map((n) => [n.port, n]));
  const primaryNow = async (): Promise<LocalNode> => {
    for (const s of sentinels) {
      if (!s.running) continue;
      try {
        const [, port] = (await ask(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name))) as [string, string];
        const node = byPort.get(Number(port));
        if (node) return node;
      } catch {
        // ask the next Sentinel
      }
    }
    throw new Error(`no Sentinel names a primary for ${name}`);
  };
  return {
    kind: 'sentinel',
    url: `redis-sentinel://${sentinels.map((s) => s.address).join(',')}/${name}`,
    nodes: data,
    sentinels,
    primaryFor: () => primaryNow(),
    waitForFailover: (_key, old, timeoutMs) =>
      until(
        async () => {
          const p = await primaryNow();
          if (p === old || !p.running) return undefined;
          const rep = await ask(p.port, (r) => r.info('replication'));
          return infoField(rep, 'role') === 'master' ? p : undefined;
        },
        timeoutMs,
        `the Sentinels to promote a replica of ${old.address}`,
      ),
    async stop() {
      await stopAll(all);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the topology `kind` names, at the sizes `npm run test:cluster` uses unless told. */
export function startLocalTopology(kind: 'cluster' | 'sentinel', opts: LocalClusterOptions & LocalSentinelOptions = {}): Promise<LocalTopology> {
  return kind === 'cluster' ? startLocalCluster(opts) : startLocalSentinel(opts);
}
