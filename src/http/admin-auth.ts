import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';
import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';

/**
 * Compares in constant time. Hashing both sides first gives equal-length inputs, so neither
 * the content nor the length of the token leaks through timing.
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer TOKEN` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}

/** The password of an `Authorization: Basic base64(user:password)` header (any user name). */
export function basicPassword(header: string | undefined): string | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

const disabled = () =>
  new HttpError(503, 'EDISABLED', 'the admin endpoints are disabled: set BRIEF_ADMIN_TOKEN to turn them on');

/** Failed admin logins allowed per client address in one window, cluster-wide. */
export const AUTH_FAILURE_LIMIT = 10;
/** The window of AUTH_FAILURE_LIMIT, in seconds (it starts at a client's first failure). */
export const AUTH_FAILURE_WINDOW_S = 15 * 60;

export interface AdminGuard {
  adminToken: string | undefined;
  redis: RedisClient;
  keys: Pick<Keys, 'authFailures'>;
}

/**
 * Counts failed logins per client address in Redis, so every server of the cluster shares
 * the count: after AUTH_FAILURE_LIMIT failures in AUTH_FAILURE_WINDOW_S the client gets 429
 * with Retry-After until the window ends, whatever it sends (a right token too: that it is
 * right must not be learnt by guessing faster).
 */
export async function throttled(g: AdminGuard, client: string, o: { limit?: number; what?: string } = {}): Promise<HttpError | undefined> {
  const key = g.keys.authFailures(client);
  const [count, ttl] = await Promise.all([g.redis.get(key), g.redis.ttl(key)]);
  if (Number(count ?? 0) < (o.limit ?? AUTH_FAILURE_LIMIT)) return undefined;
  const retry = Math.max(1, ttl > 0 ? ttl : AUTH_FAILURE_WINDOW_S);
  return new HttpError(429, 'ETHROTTLED', `too many failed logins ${o.what ?? 'from this address'}: try again in ${retry} s`, {
    'retry-after': String(retry),
  });
}

/** Counts one failed login of `client` (the window starts at its first failure). */
export async function recordFailure(g: AdminGuard, client: string): Promise<void> {
  const key = g.keys.authFailures(client);
  await g.redis.incr(key);
  await g.redis.expire(key, AUTH_FAILURE_WINDOW_S, 'NX');
}

/**
 * Failed logins allowed per account (from any addresses) in AUTH_FAILURE_WINDOW_S: guesses
 * spread over many client addresses stop here. Higher than the per-client limit, so that
 * one attacker address cannot lock a user out; the shared BRIEF_ADMIN_TOKEN is no account
 * and is never counted here, so it always gets in (from an address that is not throttled).
 */
export const ACCOUNT_FAILURE_LIMIT = 5 * AUTH_FAILURE_LIMIT;
const accountKey = (email: string) => `user:${createHash('sha256').update(email).digest('hex')}`;

/** The refusal when `email` (a normalised login, known or not) had too many failures, else undefined. */
export function accountThrottled(g: AdminGuard, email: string): Promise<HttpError | undefined> {
  return throttled(g, accountKey(email), { limit: ACCOUNT_FAILURE_LIMIT, what: 'for this account' });
}

/** Counts one failed login of the account `email` (whether or not it exists: no enumeration). */
export function recordAccountFailure(g: AdminGuard, email: string): Promise<void> {
  return recordFailure(g, accountKey(email));
}

/** onRequest hook of the editor API: `Authorization: Bearer BRIEF_ADMIN_TOKEN`. */
export function requireBearer(g: AdminGuard) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!g.adminToken) throw disabled();
    const stop = await throttled(g, req.ip);
    if (stop) throw stop;
    const given = bearerToken(req.headers.authorization);
    if (given === undefined || !tokensEqual(given, g.adminToken)) {
      if (given !== undefined) await recordFailure(g, req.ip);
      throw new HttpError(401, 'EAUTH', 'missing or wrong token: send Authorization: Bearer $BRIEF_ADMIN_TOKEN', {
        'www-authenticate': 'Bearer realm="brief"',
      });
    }
  };
}

/**
 * onRequest hook of the dashboard: HTTP Basic, any user name, password BRIEF_ADMIN_TOKEN.
 * It answers by itself instead of throwing: bull-board installs its own error handler on its
 * routes, which would turn a thrown 401 into a 500.
 */
export function requireBasic(g: AdminGuard) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    let refusal: HttpError | undefined;
    if (!g.adminToken) refusal = disabled();
    else refusal = await throttled(g, req.ip);
    if (!refusal && g.adminToken) {
      const given = basicPassword(req.headers.authorization);
      if (given === undefined || !tokensEqual(given, g.adminToken)) {
        // A browser's first request carries no credentials: only a wrong password counts.
        if (given !== undefined) await recordFailure(g, req.ip);
        refusal = new HttpError(401, 'EAUTH', 'the dashboard needs a password: BRIEF_ADMIN_TOKEN (any user name)', {
          'www-authenticate': 'Basic realm="brief dashboard", charset="UTF-8"',
        });
      }
    }
    if (!refusal) return undefined;
    return reply
      .code(refusal.status)
      .headers(refusal.headers)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ error: { code: refusal.code, message: refusal.message } });
  };
}
