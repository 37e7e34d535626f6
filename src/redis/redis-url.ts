import { redactCredentials } from '../redact-credentials.js';
import { BriefError } from '../errors.js';

/** What a REDIS_URL points at. */
export interface RedisTarget {
  /** One server (`redis://`, `rediss://`), a Cluster's seed nodes, or the Sentinels of a primary. */
  kind: 'single' | 'cluster' | 'sentinel';
  /** The server, the seed nodes, or the Sentinels. */
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  /** `rediss://`, or `?tls=true`. */
  tls: boolean;
  /** Database number (single and Sentinel only; a Cluster has only 0). @defaultValue 0 */
  db: number;
  /** The Sentinel master name (`redis-sentinel://…/MASTER_NAME`). */
  masterName?: string;
  /** `?sentinelPassword=`: when the Sentinels themselves want a password. */
  sentinelPassword?: string;
}

const SCHEMES = {
  'redis:': 'single',
  'rediss:': 'single',
  'redis-cluster:': 'cluster',
  'redis-sentinel:': 'sentinel',
} as const;

const DEFAULT_PORT = { single: 6379, cluster: 6379, sentinel: 26379 } as const;

function bad(url: string, why: string): BriefError {
  // Never echo a password into the error line.
  const shown = redactCredentials(url);
  return new BriefError(
    'ECONFIG',
    `REDIS_URL: "${shown}" ${why} (expected redis://[user:pass@]host:port[/db], rediss://…, redis-cluster://[user:pass@]host:port[,host:port…][?tls=true] or redis-sentinel://[user:pass@]host:port[,host:port…]/MASTER_NAME[?db=N])`,
  );
}

/**
 * Parses REDIS_URL. `redis-cluster://` and `redis-sentinel://` carry a comma-separated
 * list of host:port, which WHATWG URL does not accept, so the URL is taken apart by hand.
 * @throws BriefError ECONFIG with one line naming REDIS_URL and what is wrong.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const m = /^([a-z-]+:)\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url.trim());
  if (!m) throw bad(url, 'is not a URL');
  const scheme = m[1]!.toLowerCase() as keyof typeof SCHEMES;
  const kind = SCHEMES[scheme];
  if (!kind) throw bad(url, `has an unknown scheme "${m[1]}"`);
  const [, , userinfo, hostlist = '', pathPart = '', query = ''] = m;

  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw bad(url, 'has a badly escaped user name or password');
      }
    };
    if (colon < 0) {
      // redis://PASSWORD@host, as ioredis and redis-cli read it.
      password = decode(userinfo);
    } else {
      username = decode(userinfo.slice(0, colon)) || undefined;
      password = decode(userinfo.slice(colon + 1)) || undefined;
    }
  }

  const nodes = hostlist.split(',').map((part) => {
    const hm = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(part.trim());
    if (!hm) throw bad(url, part.trim() ? `has a bad host:port "${part.trim()}"` : 'has no host');
    const port = hm[2] === undefined ? DEFAULT_PORT[kind] : Number(hm[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(url, `has a bad port "${hm[2]}"`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (kind === 'single' && nodes.length > 1) throw bad(url, 'lists several hosts: use redis-cluster:// or redis-sentinel://');

  const params = new URLSearchParams(query.slice(1));
  const allowed = new Set(kind === 'sentinel' ? ['db', 'tls', 'sentinelPassword'] : kind === 'cluster' ? ['tls'] : ['db', 'tls']);
  for (const key of params.keys()) {
    if (!allowed.has(key)) throw bad(url, `has an unknown parameter "${key}"`);
  }
  const tlsParam = params.get('tls');
  if (tlsParam !== null && tlsParam !== 'true' && tlsParam !== 'false') throw bad(url, 'has tls other than true or false');
  const tls = scheme === 'rediss:' || tlsParam === 'true';

  const path = pathPart.replace(/^\/+|\/+$/g, '');
  let db = 0;
  let masterName: string | undefined;
  const dbText = params.get('db') ?? (kind === 'single' && path !== '' ? path : null);
  if (kind === 'cluster' && path !== '') throw bad(url, 'has a path: a Cluster has no database numbers and no master name');
  if (kind === 'sentinel') {
    if (!/^[A-Za-z0-9._-]+$/.test(path)) throw bad(url, 'has no master name after the Sentinels (…/MASTER_NAME)');
    masterName = path;
  }
  if (dbText !== null) {
    if (!/^\d+$/.test(dbText)) throw bad(url, `has a bad database number "${dbText}"`);
    db = Number(dbText);
  }
  const target: RedisTarget = { kind, nodes, tls, db };
  if (username) target.username = username;
  if (password) target.password = password;
  if (masterName) target.masterName = masterName;
  const sp = params.get('sentinelPassword');
  if (sp) target.sentinelPassword = sp;
  return target;
}

/** One line for logs and `brief status`: the kind and the nodes, never a password. */
export function describeTarget(t: RedisTarget): string {
  const nodes = t.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (t.kind === 'cluster') return `Redis Cluster (seeds ${nodes}${t.tls ? ', TLS' : ''})`;
  if (t.kind === 'sentinel') return `Redis Sentinel master "${t.masterName}" (sentinels ${nodes}, db ${t.db}${t.tls ? ', TLS' : ''})`;
  return `Redis ${nodes} (db ${t.db}${t.tls ? ', TLS' : ''})`;
}
