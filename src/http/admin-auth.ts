import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

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

/** onRequest hook of the editor API: `Authorization: Bearer BRIEF_ADMIN_TOKEN`. */
export function requireBearer(adminToken: string | undefined) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!adminToken) throw disabled();
    const given = bearerToken(req.headers.authorization);
    if (given === undefined || !tokensEqual(given, adminToken)) {
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
export function requireBasic(adminToken: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    let refusal: HttpError | undefined;
    if (!adminToken) refusal = disabled();
    else {
      const given = basicPassword(req.headers.authorization);
      if (given === undefined || !tokensEqual(given, adminToken)) {
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
