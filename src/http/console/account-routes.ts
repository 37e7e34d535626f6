import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../wiring.js';
import { BriefError } from '../../errors.js';
import { userKey } from '../../users/index.js';
import { HttpError } from '../http-error.js';
import { throttled, recordFailure, type AdminGuard } from '../admin-auth.js';
import type { SessionStore } from './session-store.js';
import { addCookie, checkLoginCsrf, cookie, loginCsrf, parseCookies, LOGIN_COOKIE, SESSION_COOKIE, type CookieSettings } from './console-auth.js';
import { CONSOLE_PATH } from './console-page.js';
import { signInPage } from './sign-in-page.js';
import { usersPage } from './users-page.js';
import { activityPage } from './activity-page.js';

export interface AccountRouteDeps {
  app: App;
  sessions: SessionStore;
  guard: AdminGuard;
  cookies: CookieSettings;
  html: (reply: FastifyReply, body: string) => FastifyReply;
}

type TokenReq = FastifyRequest<{ Params: { token: string }; Body: { password?: string; confirm?: string; _csrf?: string } }>;

/** The pages of a sign-in link (no session yet): choose a password, then logged in. */
export async function signInRoutes(f: FastifyInstance, d: AccountRouteDeps): Promise<void> {
  const { app } = d;
  f.get('/sign-in/:token', async (req: TokenReq, reply) => {
    const email = await app.users.linkUser(req.params.token);
    if (!email) reply.code(410);
    return d.html(reply, signInPage({ token: req.params.token, email, csrf: loginCsrf(req, reply, d.cookies) }));
  });

  f.post('/sign-in/:token', async (req: TokenReq, reply) => {
    checkLoginCsrf(req, req.body?._csrf);
    // A link is a password of its own: wrong guesses count as failed logins.
    const stop = await throttled(d.guard, req.ip);
    if (stop) throw stop;
    const email = await app.users.linkUser(req.params.token);
    if (!email) {
      await recordFailure(d.guard, req.ip);
      reply.code(410);
      return d.html(reply, signInPage({ token: req.params.token, csrf: loginCsrf(req, reply, d.cookies) }));
    }
    const password = String(req.body?.password ?? '');
    const again = (text: string) => {
      reply.code(400);
      return d.html(reply, signInPage({ token: req.params.token, email, csrf: loginCsrf(req, reply, d.cookies), notice: { text, bad: true } }));
    };
    if (password !== String(req.body?.confirm ?? '')) return again('The two passwords differ.');
    let user;
    try {
      user = await app.users.setPassword(req.params.token, password);
    } catch (err) {
      if (err instanceof BriefError && err.code === 'EINPUT') return again(`Not set: ${err.message}.`);
      if (err instanceof BriefError && err.code === 'ETOKEN') {
        reply.code(410);
        return d.html(reply, signInPage({ token: req.params.token, csrf: loginCsrf(req, reply, d.cookies) }));
      }
      throw err;
    }
    await app.audit.record({ actor: user.email, action: 'password-set', target: user.email, ip: req.ip });
    await d.sessions.destroy(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    const { id, maxAge } = await d.sessions.create(user.email, user.role);
    addCookie(reply, cookie(SESSION_COOKIE, id, maxAge, d.cookies));
    addCookie(reply, cookie(LOGIN_COOKIE, '', 0, d.cookies));
    await app.audit.record({ actor: user.email, action: 'login', detail: `role ${user.role}, through a sign-in link`, ip: req.ip });
    return reply.redirect(`${CONSOLE_PATH}/newsletters`, 303);
  });
}

/** Users (admin) and Activity (everyone signed in), inside the session scope. */
export async function accountRoutes(s: FastifyInstance, d: AccountRouteDeps): Promise<void> {
  const { app } = d;
  const admin = { config: { role: 'admin' as const } };
  const page = async (req: FastifyRequest, reply: FastifyReply, extra: { notice?: { text: string; bad?: boolean }; link?: { email: string; url: string } } = {}) =>
    d.html(reply, usersPage({ users: await app.users.list(), csrf: req.consoleSession!.csrf, me: req.principal!.name, ...extra, notice: extra.notice ?? (await d.sessions.takeFlash(req.consoleSessionId)) }));

  s.get('/users', admin, async (req, reply) => page(req, reply));

  s.post('/users', admin, async (req: FastifyRequest<{ Body: { email?: string; role?: string } }>, reply) => {
    try {
      const r = await app.users.add(String(req.body?.email ?? ''), String(req.body?.role ?? ''));
      await app.audit.record({ actor: req.principal!.name, action: 'user-add', target: r.user.email, detail: `role ${r.user.role}${r.created ? '' : ' (was there: role set, new link)'}`, ip: req.ip });
      return page(req, reply, { notice: { text: `${r.user.email} is ${r.user.role === 'admin' ? 'an' : 'a'} ${r.user.role}.` }, link: { email: r.user.email, url: r.link } });
    } catch (err) {
      if (!(err instanceof BriefError)) throw err;
      reply.code(400);
      return page(req, reply, { notice: { text: err.message, bad: true } });
    }
  });

  s.post('/users/reset', admin, async (req: FastifyRequest<{ Body: { email?: string } }>, reply) => {
    try {
      const r = await app.users.reset(String(req.body?.email ?? ''));
      await app.audit.record({ actor: req.principal!.name, action: 'user-reset', target: r.user.email, ip: req.ip });
      return page(req, reply, { notice: { text: `${r.user.email}: the old password and links no longer work.` }, link: { email: r.user.email, url: r.link } });
    } catch (err) {
      if (!(err instanceof BriefError)) throw err;
      reply.code(err.code === 'ENOTFOUND' ? 404 : 400);
      return page(req, reply, { notice: { text: err.message, bad: true } });
    }
  });

  s.post('/users/remove', admin, async (req: FastifyRequest<{ Body: { email?: string } }>, reply) => {
    const email = userKey(String(req.body?.email ?? ''));
    if (email === req.principal!.name) throw new HttpError(400, 'EINPUT', 'you cannot remove yourself: ask another admin');
    let removed = false;
    try {
      removed = await app.users.remove(email);
    } catch (err) {
      if (!(err instanceof BriefError)) throw err;
      throw new HttpError(400, 'EINPUT', err.message);
    }
    if (removed) await app.audit.record({ actor: req.principal!.name, action: 'user-remove', target: email, ip: req.ip });
    await d.sessions.flash(req.consoleSessionId, removed ? `Removed ${email}; their sessions end now.` : `No user ${email}.`, !removed);
    return reply.redirect(`${CONSOLE_PATH}/users`, 303);
  });

  s.get('/activity', async (req: FastifyRequest<{ Querystring: { action?: string } }>, reply) => {
    const action = typeof req.query.action === 'string' && /^[a-z-]{1,40}$/.test(req.query.action) ? req.query.action : undefined;
    const limit = 500;
    const entries = await app.audit.list({ action, limit });
    return d.html(reply, activityPage({ entries, action, csrf: req.consoleSession!.csrf, limit }));
  });
}
