import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';
import { accountThrottled, bearerToken, recordAccountFailure, recordFailure, throttled, tokensEqual, type AdminGuard } from './admin-auth.js';
import { neededRole, requireRole } from './roles.js';
import { loginName, userKey, type UserStore } from '../users/index.js';

/** The user and password of `Authorization: Basic base64(user:password)`, or undefined. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * onRequest hook of the editor API. `Authorization: Bearer BRIEF_ADMIN_TOKEN` is the admin
 * "token" (automation: full access, as before); a console user may call it with HTTP Basic
 * (email:password) and gets what their role allows: 403 otherwise. Failures are throttled
 * with the console's logins.
 */
export function requireApiPrincipal(g: AdminGuard & { users: UserStore; onFailure?: (req: FastifyRequest, who: string) => Promise<void> }) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!g.adminToken) throw new HttpError(503, 'EDISABLED', 'the admin endpoints are disabled: set BRIEF_ADMIN_TOKEN to turn them on');
    const stop = await throttled(g, req.ip);
    if (stop) throw stop;
    const bearer = bearerToken(req.headers.authorization);
    const basic = bearer === undefined ? basicCredentials(req.headers.authorization) : undefined;
    if (bearer !== undefined && tokensEqual(bearer, g.adminToken)) req.principal = { name: 'token', role: 'admin' };
    else if (basic) {
      const stopAccount = await accountThrottled(g, userKey(basic.user).slice(0, 254));
      if (stopAccount) throw stopAccount;
      const u = await g.users.verify(basic.user, basic.password);
      if (u) req.principal = { name: u.email, role: u.role };
    }
    if (!req.principal) {
      if (bearer !== undefined || basic) {
        await recordFailure(g, req.ip);
        if (basic) await recordAccountFailure(g, userKey(basic.user).slice(0, 254));
        await g.onFailure?.(req, basic ? loginName(basic.user) : 'token');
      }
      throw new HttpError(401, 'EAUTH', 'missing or wrong credentials: send Authorization: Bearer $BRIEF_ADMIN_TOKEN (or Basic with a console user\'s email and password)', {
        'www-authenticate': 'Bearer realm="brief"',
      });
    }
    requireRole(req, neededRole(req));
  };
}
