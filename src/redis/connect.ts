import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { BriefError } from '../errors.js';
import { redactCredentials } from '../redact-credentials.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

export { parseRedisUrl, type RedisTarget } from './redis-url.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The client type every store, script and service takes: one server or Sentinel (a
 * `Redis`), or a Redis Cluster (a `Cluster`). Only this file builds one.
 */
export type RedisClient = Redis | Cluster;

/** Hides passwords in a Redis URL before it goes into a message or a log. */
export function redactUrl(url: string): string {
  return redactCredentials(url).replace(/([?&](?:sentinelPassword|password)=)[^&]*/gi, '$1***');
}

/** True for a Cluster client (ioredis marks them). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/**
 * How long a command may wait for a Cluster to fail over before it fails: ioredis retries
 * a command whose node went away every `retryDelayOnFailover` ms, at most `maxRedirections`
 * times. The defaults (100 ms × 16) give up before a replica is promoted (a few seconds
 * after `cluster-node-timeout`), and a batch would then fail half-way instead of waiting.
 */
const CLUSTER_FAILOVER_RETRY_MS = 250;
const CLUSTER_MAX_REDIRECTIONS = 240;

/** The options every connection gets, whatever the topology. */
function baseOptions(opts: RedisOptions): RedisOptions {
  // maxRetriesPerRequest null: BullMQ requires it for blocking connections, and a command
  // issued while Redis restarts or fails over should wait for the reconnect rather than
  // fail half-way through a batch.
  return { maxRetriesPerRequest: null, ...opts };
}

/** Builds the ioredis client a parsed REDIS_URL asks for (not yet connected unless `lazyConnect` is false). */
export function createClient(target: RedisTarget, opts: RedisOptions = {}, clusterOpts: ClusterOptions = {}): RedisClient {
  const auth: RedisOptions = {};
  if (target.username) auth.username = target.username;
  if (target.password) auth.password = target.password;
  if (target.tls) auth.tls = {};
  switch (target.kind) {
    case 'single':
      return new Redis({
        host: target.nodes[0]!.host,
        port: target.nodes[0]!.port,
        db: target.db,
        enableAutoPipelining: true,
        ...auth,
        ...baseOptions(opts),
      });
    case 'sentinel':
      return new Redis({
        sentinels: target.nodes,
        name: target.masterName,
        db: target.db,
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        // Ask the sentinels again at once when they announce a new primary, instead of
        // waiting for the old connection to time out.
        failoverDetector: true,
        enableAutoPipelining: true,
        ...auth,
        ...baseOptions(opts),
      });
    case 'cluster': {
      const { lazyConnect, retryStrategy: _ignored, ...nodeOpts } = opts;
      return new Cluster(target.nodes, {
        // Each node connection: the same auth, TLS and retry rules as a single server.
        redisOptions: { ...auth, ...baseOptions(nodeOpts) },
        enableAutoPipelining: true,
        lazyConnect,
        retryDelayOnFailover: CLUSTER_FAILOVER_RETRY_MS,
        retryDelayOnClusterDown: CLUSTER_FAILOVER_RETRY_MS,
        retryDelayOnTryAgain: CLUSTER_FAILOVER_RETRY_MS,
        maxRedirections: CLUSTER_MAX_REDIRECTIONS,
        clusterRetryStrategy: (times) => Math.min(100 + times * 100, 2000),
        // Managed clusters over TLS (ElastiCache, MemoryDB) announce names their
        // certificates are for: connect to them as given instead of a resolved address.
        ...(target.tls ? { dnsLookup: (address: string, cb: (err: null, address: string) => void) => cb(null, address) } : {}),
        ...clusterOpts,
      });
    }
  }
}

/**
 * A connection for commands and services, for any REDIS_URL (`redis://`, `rediss://`,
 * `redis-cluster://`, `redis-sentinel://`). BullMQ queues and workers take it as their
 * `connection` and duplicate it for their blocking connections.
 * @throws BriefError ECONFIG when the URL does not parse (one line naming REDIS_URL).
 */
export function createRedis(url: string, opts: RedisOptions = {}): RedisClient {
  return createClient(parseRedisUrl(url), opts);
}

/**
 * Connects and pings once, failing fast with one line when nothing answers: a CLI command
 * against a stopped Redis should say so, not hang.
 */
export async function connectRedis(url: string, timeoutMs = 3000): Promise<RedisClient> {
  const target = parseRedisUrl(url);
  const redis = createClient(
    target,
    { lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, ...(target.kind === 'sentinel' ? { sentinelRetryStrategy: () => null } : {}) },
    { clusterRetryStrategy: () => null },
  );
  redis.on('error', () => {});
  try {
    await withTimeout(
      (async () => {
        await redis.connect();
        await redis.ping();
      })(),
      timeoutMs + 1000,
    );
  } catch (err) {
    redis.disconnect();
    throw new BriefError(
      'EREDIS',
      `cannot reach Redis at ${redactUrl(url)} (${(err as Error).message}); start redis-server or set REDIS_URL`,
      { cause: err },
    );
  }
  // From here on, reconnect forever: a running command outlives a Redis restart or failover.
  const forever = (times: number) => Math.min(times * 200, 2000);
  if (isCluster(redis)) {
    redis.options.clusterRetryStrategy = (times: number) => Math.min(100 + times * 100, 2000);
  } else {
    redis.options.retryStrategy = forever;
    if (target.kind === 'sentinel') redis.options.sentinelRetryStrategy = forever;
  }
  return redis;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when something answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const r = await connectRedis(url, timeoutMs);
    r.disconnect();
    return true;
  } catch {
    return false;
  }
}

/**
 * The primaries of a Cluster (once its slots are known), or the one server: where SCAN and
 * INFO must go one by one, since each node answers only for its own keys.
 */
export async function primaries(redis: RedisClient): Promise<Redis[]> {
  if (!isCluster(redis)) return [redis];
  if (redis.status !== 'ready') await redis.ping();
  return redis.nodes('master');
}
