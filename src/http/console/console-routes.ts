import { readFileSync } from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../wiring.js';
import { BriefError } from '../../errors.js';
import { getNewsletter } from '../../config/load.js';
import type { NewsletterConfig } from '../../config/schema.js';
import { editionProgress, parseEditionId } from '../../edition/index.js';
import type { EditionStatus } from '../../delivery/edition-store.js';
import { fromDomain } from '../../delivery/build-message.js';
import { failureGroups, reportRows, writeReport } from '../../delivery/edition-report.js';
import { importCsv, normaliseAddress } from '../../subscribers/index.js';
import { packagePath } from '../../paths.js';
import { describeError, HttpError } from '../http-error.js';
import { accountThrottled, recordAccountFailure, recordFailure, throttled, tokensEqual, type AdminGuard } from '../admin-auth.js';
import { redactUrl } from '../redact-url.js';
import { h } from '../page.js';
import { SessionStore } from './session-store.js';
import {
  addCookie, checkCsrf, checkLoginCsrf, cookie, loadSession, loginCsrf, parseCookies, LOGIN_COOKIE, SESSION_COOKIE, type CookieSettings,
} from './console-auth.js';
import { CONSOLE_CSP, CONSOLE_PATH, consolePage, csrfField } from './console-page.js';
import { EditionViews } from './edition-view.js';
import { editionPage, sendConfirmPage, cancelConfirmPage, reportPage, curationBlock } from './edition-pages.js';
import { curationDetail, type CurationChange } from '../../delivery/curation-store.js';
import { newslettersPage } from './newsletters-page.js';
import { allLists, subscribersPage } from './subscribers-page.js';
import { neededRole, requireRole, roleAllows } from '../roles.js';
import { accountRoutes, signInRoutes } from './account-routes.js';
import { loginName, userKey } from '../../users/index.js';

/** The console's static files (public/console/), read once. */
const ASSETS: Record<string, { type: string; file: string }> = {
  'console.css': { type: 'text/css; charset=utf-8', file: 'console.css' },
  'console.js': { type: 'text/javascript; charset=utf-8', file: 'console.js' },
  'edition.js': { type: 'text/javascript; charset=utf-8', file: 'edition.js' },
  'subscribers.js': { type: 'text/javascript; charset=utf-8', file: 'subscribers.js' },
  'curate.js': { type: 'text/javascript; charset=utf-8', file: 'curate.js' },
};
const assetCache = new Map<string, string>();
function asset(name: string): string {
  let s = assetCache.get(name);
  if (s === undefined) {
    s = readFileSync(packagePath('public', 'console', ASSETS[name]!.file), 'utf8');
    assetCache.set(name, s);
  }
  return s;
}

/** A test goes to at most this many addresses (as the API's). */
const MAX_TEST_TO = 20;
/** How often a live view re-reads the edition's counts (the stream sends only changes). */
const LIVE_INTERVAL_MS = 500;
/** Imports may be large: no 30 s handler timeout, and a bound on the upload. */
const IMPORT_TIMEOUT_MS = 60 * 60_000;
const IMPORT_MAX_BYTES = 512 * 1024 * 1024;
const FINAL_STATES = new Set(['sent', 'cancelled', 'failed']);

type IdReq = FastifyRequest<{ Params: { id: string } }>;

function editionParts(app: App, id: string): { newsletter: NewsletterConfig; date: string; id: string } {
  let parts;
  try {
    parts = parseEditionId(id);
    return { newsletter: getNewsletter(app.config, parts.newsletter), date: parts.date, id };
  } catch (err) {
    if (err instanceof BriefError) throw new HttpError(404, 'ENOTFOUND', `no edition ${JSON.stringify(id)}: ${err.message}`);
    throw err;
  }
}

/** The status and live numbers the page and its event stream show. */
export function liveStatus(s: EditionStatus, now = Date.now()) {
  const p = editionProgress({
    total: s.total, sent: s.sent, failed: s.failed, suppressed: s.suppressed, skipped: s.skipped,
    startedAt: s.startedAt ? Date.parse(s.startedAt) : undefined,
    now: s.finishedAt ? Date.parse(s.finishedAt) : now,
  });
  return { ...s, ...p, final: FINAL_STATES.has(s.state) };
}

/**
 * The editor console under /admin: server-rendered pages, a session cookie after a login
 * (a user's email and password, or BRIEF_ADMIN_TOKEN), a CSRF token on every form, the role
 * checked before every handler (viewer to read, editor to change, `config.role` for more). Every action calls the same service
 * as the CLI and the API (app.service.request/pause/resume/cancel/testSend/status).
 */
export async function consoleRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  await f.register(formbody);
  const sessions = new SessionStore({ redis: app.redis, keys: app.keys });
  const guard: AdminGuard = { adminToken: app.env.adminToken, redis: app.redis, keys: app.keys };
  const cookies: CookieSettings = { secure: app.env.publicUrl.startsWith('https:') };
  const views = new EditionViews(app);
  const streams = new Set<PassThrough>();
  // Before the server stops listening: an open event stream would keep close() waiting.
  f.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  f.addHook('onRequest', async (_req, reply) => {
    reply.header('content-security-policy', CONSOLE_CSP).header('cache-control', 'no-store');
  });

  f.setErrorHandler((err, req, reply) => {
    const a = describeError(err);
    if (a.status >= 500) req.log.error({ err, url: redactUrl(req.url) }, 'console error');
    else req.log.info({ code: a.code, status: a.status, url: redactUrl(req.url) }, 'console request refused');
    if (req.url.includes('/subscribers/import') || req.headers.accept === 'application/json') {
      return reply.code(a.status).headers(a.headers ?? {}).send({ error: { code: a.code, message: a.message } });
    }
    const words = a.status >= 500 ? 'Something went wrong on the server; the details are in its log.' : a.message;
    return reply
      .code(a.status)
      .headers(a.headers ?? {})
      .type('text/html; charset=utf-8')
      .send(
        consolePage({
          title: 'Error',
          csrf: req.consoleSession?.csrf,
          body: `<h1>${a.status === 404 ? 'Not found' : a.status === 429 ? 'Too many attempts' : 'That did not work'}</h1><p>${h(words)}</p><p><a href="${CONSOLE_PATH}/newsletters">Back to the newsletters</a></p>`,
        }),
      );
  });

  // The body says the session's role, so the stylesheet hides what that role cannot use.
  const html = (reply: FastifyReply, body: string) => {
    const role = reply.request.principal?.role;
    return reply.type('text/html; charset=utf-8').send(role ? body.replace('<body>', `<body class="role-${role}">`) : body);
  };

  f.get('/assets/:name', async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const a = ASSETS[req.params.name];
    if (!a) throw new HttpError(404, 'ENOTFOUND', 'no such file');
    // Small and changed only by a deploy: a short cache keeps a phone from fetching them per page.
    return reply.header('cache-control', 'public, max-age=300').type(a.type).send(asset(req.params.name));
  });

  const loginPage = (req: FastifyRequest, reply: FastifyReply, notice?: { text: string; bad?: boolean }) => {
    const token = loginCsrf(req, reply, cookies);
    const off = !app.env.adminToken;
    return html(
      reply,
      consolePage({
        title: 'Log in',
        narrow: true,
        notice: off ? { text: 'The console is off: set BRIEF_ADMIN_TOKEN and restart to turn it on.', bad: true } : notice,
        body: `<h1>Log in to the editor console</h1>
<form method="post" action="${CONSOLE_PATH}/login" class="card">
${csrfField(token)}
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username"${off ? ' disabled' : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${off ? ' disabled' : ''}>
<p class="muted">Your own email and password; or, with the email left empty, the server's BRIEF_ADMIN_TOKEN.</p>
<div class="actions"><button type="submit"${off ? ' disabled' : ''}>Log in</button></div>
</form>`,
      }),
    );
  };

  f.get('/', async (req, reply) => {
    if (await loadSession(req, sessions)) return reply.redirect(`${CONSOLE_PATH}/newsletters`, 303);
    return loginPage(req, reply);
  });

  f.post('/login', async (req: FastifyRequest<{ Body: { email?: string; password?: string; _csrf?: string } }>, reply) => {
    if (!app.env.adminToken) throw new HttpError(503, 'EDISABLED', 'the console is off: set BRIEF_ADMIN_TOKEN to turn it on');
    checkLoginCsrf(req, req.body?._csrf);
    const stop = await throttled(guard, req.ip);
    if (stop) throw stop;
    const given = typeof req.body?.password === 'string' ? req.body.password : '';
    const email = typeof req.body?.email === 'string' ? userKey(req.body.email).slice(0, 254) : '';
    const stopAccount = email ? await accountThrottled(guard, email) : undefined;
    if (stopAccount) throw stopAccount;
    // No email: the shared BRIEF_ADMIN_TOKEN, an admin named "token".
    const who = email
      ? await app.users.verify(email, given).then((u) => u && { name: u.email, role: u.role })
      : tokensEqual(given, app.env.adminToken) ? { name: 'token', role: 'admin' as const } : undefined;
    if (!who) {
      await recordFailure(guard, req.ip);
      if (email) await recordAccountFailure(guard, email);
      await app.audit.record({ actor: email ? loginName(email) : 'token', action: 'login-failed', ip: req.ip });
      req.log.info({ ip: req.ip }, 'console login refused');
      reply.code(401);
      return loginPage(req, reply, { text: email ? 'Wrong email or password.' : 'Wrong password.', bad: true });
    }
    // A new id at every login; the session this browser had before (anyone's) ends.
    await sessions.destroy(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    const { id, maxAge } = await sessions.create(who.name, who.role);
    addCookie(reply, cookie(SESSION_COOKIE, id, maxAge, cookies));
    addCookie(reply, cookie(LOGIN_COOKIE, '', 0, cookies));
    await app.audit.record({ actor: who.name, action: 'login', detail: `role ${who.role}`, ip: req.ip });
    req.log.info({ role: who.role }, 'console login');
    return reply.redirect(`${CONSOLE_PATH}/newsletters`, 303);
  });

  await signInRoutes(f, { app, sessions, guard, cookies, html });

  // Everything below needs a session.
  await f.register(async (s) => {
    s.addHook('preHandler', async (req, reply) => {
      let signedIn = await loadSession(req, sessions);
      if (signedIn) {
        const sess = req.consoleSession!;
        // A user's role is read now, not kept from the login: a removal, a reset or a new role counts at once.
        if (sess.user === 'token' || sess.user === 'editor') req.principal = { name: 'token', role: 'admin' };
        else {
          const u = await app.users.forSession(sess.user, sess.createdAt);
          if (u) req.principal = { name: u.email, role: u.role };
          else {
            await sessions.destroy(req.consoleSessionId);
            signedIn = false;
          }
        }
      }
      if (!signedIn) {
        if (req.method === 'GET' && !req.url.includes('/events')) return reply.redirect(CONSOLE_PATH, 303);
        throw new HttpError(401, 'EAUTH', 'not logged in (or the session expired): log in again at /admin');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') checkCsrf(req);
      requireRole(req, neededRole(req));
      return undefined;
    });
    const csrf = (req: FastifyRequest) => req.consoleSession!.csrf;
    const flash = (req: FastifyRequest, text: string, bad = false) => sessions.flash(req.consoleSessionId, text, bad);
    const takeFlash = (req: FastifyRequest) => sessions.takeFlash(req.consoleSessionId);

    const who = (req: FastifyRequest) => req.principal!.name;
    const audit = (req: FastifyRequest, action: Parameters<App['audit']['record']>[0]['action'], target?: string, detail?: string) =>
      app.audit.record({ actor: who(req), action, target, detail, ip: req.ip });

    await accountRoutes(s, { app, sessions, guard, cookies, html });

    s.post('/logout', { config: { role: 'viewer' } }, async (req, reply) => {
      await audit(req, 'logout');
      await sessions.destroy(req.consoleSessionId);
      addCookie(reply, cookie(SESSION_COOKIE, '', 0, cookies));
      return reply.redirect(CONSOLE_PATH, 303);
    });

    s.get('/newsletters', async (req, reply) => html(reply, await newslettersPage(app, { csrf: csrf(req), notice: await takeFlash(req) })));

    // ---- an edition ----
    s.get('/editions/:id', async (req: FastifyRequest<{ Params: { id: string }; Querystring: { view?: string; variant?: string } }>, reply) => {
      const e = editionParts(app, req.params.id);
      const view = await views.get(e.newsletter, e.date);
      const testTo = (await app.redis.get(app.keys.consoleTestTo(req.consoleSession!.user))) ?? '';
      return html(
        reply,
        editionPage(view, {
          csrf: csrf(req),
          notice: await takeFlash(req),
          phone: req.query.view === 'phone',
          variant: req.query.variant === 'public' ? 'public' : 'member',
          testTo,
          live: view.status ? liveStatus(view.status) : undefined,
        }),
      );
    });

    s.get('/editions/:id/preview', async (req: FastifyRequest<{ Params: { id: string }; Querystring: { variant?: string } }>, reply) => {
      const e = editionParts(app, req.params.id);
      const page = await views.previewHtml(e.newsletter, e.date, req.query.variant === 'public' ? 'public' : 'member');
      // The edition's own HTML inside the console's sandboxed iframe: no script, framed only here.
      return reply
        .type('text/html; charset=utf-8')
        .header('x-frame-options', 'SAMEORIGIN')
        .header(
          'content-security-policy',
          `default-src 'none'; style-src 'unsafe-inline' https:; img-src https: http: data:; font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
        )
        .send(page);
    });

    s.post('/editions/:id/test', { handlerTimeout: 120_000 }, async (req: FastifyRequest<{ Params: { id: string }; Body: { to?: string } }>, reply) => {
      const e = editionParts(app, req.params.id);
      const to = String(req.body?.to ?? '').split(/[\s,;]+/).filter(Boolean);
      const back = `${CONSOLE_PATH}/editions/${encodeURIComponent(e.id)}`;
      const bad = to.find((a) => !normaliseAddress(a));
      if (to.length === 0 || to.length > MAX_TEST_TO || bad !== undefined) {
        await flash(req, bad !== undefined ? `Send test: ${JSON.stringify(bad)} is not an email address.` : `Send test: give 1 to ${MAX_TEST_TO} addresses.`, true);
        return reply.redirect(back, 303);
      }
      await app.redis.set(app.keys.consoleTestTo(req.consoleSession!.user), to.join(', '), 'EX', 90 * 86400);
      try {
        const sent = await app.service.testSend(e.newsletter.id, e.date, to, { transport: app.transport(), secret: await app.secret() });
        req.log.info({ editionId: e.id, recipients: sent.length }, 'test send from the console');
        await audit(req, 'test-send', e.id, await app.subscribers.auditNames(to));
        await flash(req, `Test sent to ${sent.length} address${sent.length === 1 ? '' : 'es'}, subject marked [TEST].`);
      } catch (err) {
        if (!(err instanceof BriefError)) throw err;
        await flash(req, `Send test failed: ${err.message}`, true);
      }
      return reply.redirect(back, 303);
    });

    s.get('/editions/:id/send', async (req: IdReq, reply) => {
      const e = editionParts(app, req.params.id);
      const lists = await Promise.all(e.newsletter.lists.map(async (l) => ({ list: l, active: await app.subscribers.countActive(l) })));
      return html(reply, sendConfirmPage({ id: e.id, title: e.newsletter.title, lists, csrf: csrf(req) }));
    });

    s.post('/editions/:id/send', async (req: IdReq, reply) => {
      const e = editionParts(app, req.params.id);
      const { created, status } = await app.service.request(e.newsletter.id, e.date);
      req.log.info({ editionId: status.id, state: status.state }, 'edition requested from the console');
      await audit(req, 'send', status.id, created ? 'queued' : `already ${status.state}`);
      await flash(req, created ? `Sending ${status.id}.` : `${status.id} was already ${status.state}: no second send.`);
      return reply.redirect(`${CONSOLE_PATH}/editions/${encodeURIComponent(status.id)}`, 303);
    });

    // Pause, resume, cancel, approve, hold, release: one service call each, editors and up
    // (POST), each audited. Approve and hold change what the edition page shows (its compile).
    for (const action of ['pause', 'resume', 'cancel', 'approve', 'hold', 'release'] as const) {
      s.post(`/editions/:id/${action}`, { handlerTimeout: 120_000 }, async (req: IdReq, reply) => {
        const e = editionParts(app, req.params.id);
        try {
          const st = action === 'approve' ? await app.service.approve(e.id, who(req)) : await app.service[action](e.id);
          req.log.info({ editionId: st.id, state: st.state }, `edition ${action} from the console`);
          await audit(req, action, st.id, `now ${st.state}`);
          await flash(req, `${st.id} is ${st.state}.`);
        } catch (err) {
          if (!(err instanceof BriefError)) throw err;
          await flash(req, err.message, true);
        }
        views.forget(e.newsletter, e.date);
        return reply.redirect(`${CONSOLE_PATH}/editions/${encodeURIComponent(e.id)}`, 303);
      });
    }

    // Curation: one change per form. With `Accept: application/json` (curate.js) the answer
    // is the re-rendered curation block, and the compile is kept for the preview frame's
    // request that follows, so a change costs one compile.
    s.post(
      '/editions/:id/curate',
      { handlerTimeout: 120_000 },
      async (req: FastifyRequest<{ Params: { id: string }; Body: { op?: string; article?: string; note?: string } }>, reply) => {
        const e = editionParts(app, req.params.id);
        const op = String(req.body?.op ?? '');
        const article = String(req.body?.article ?? '');
        const wantsJson = String(req.headers.accept ?? '').includes('application/json');
        let message: string;
        let bad = false;
        try {
          const change = await curationChange(e.id, op, article, req.body?.note);
          const compiled = await app.service.curate(e.id, change);
          views.remember(e.newsletter, e.date, compiled);
          req.log.info({ editionId: e.id, op }, 'edition curated from the console');
          await audit(req, 'curate', e.id, curationDetail(change));
          message = `Saved: ${op}${article ? ` ${article}` : ''}.`;
        } catch (err) {
          if (!(err instanceof BriefError)) throw err;
          views.forget(e.newsletter, e.date);
          message = err.message;
          bad = true;
        }
        if (wantsJson) {
          const view = await views.get(e.newsletter, e.date);
          return reply.code(bad ? 400 : 200).send({ message, bad, html: curationBlock(view, csrf(req)) });
        }
        await flash(req, message, bad);
        return reply.redirect(`${CONSOLE_PATH}/editions/${encodeURIComponent(e.id)}#curation`, 303);
      },
    );

    /** The console's one-field forms as a curation change (up/down: the section's new order). */
    async function curationChange(id: string, op: string, article: string, note: string | undefined): Promise<CurationChange> {
      switch (op) {
        case 'exclude': return { exclude: [article] };
        case 'include': return { include: [article] };
        case 'lead': return { lead: article };
        case 'pick': return { pick: [article] };
        case 'unpick': return { unpick: [article] };
        case 'note': return { note: String(note ?? '').replace(/\r\n/g, '\n').trim() || null };
        case 'up':
        case 'down': {
          const compiled = await app.service.compileFor(id);
          const section = compiled.content.sections.find((x) => x.articles.some((a) => a.id === article));
          if (!section) throw new BriefError('EINPUT', `${op}: ${JSON.stringify(article)} is in no section of ${id}`);
          const ids = section.articles.map((a) => a.id);
          const i = ids.indexOf(article);
          const j = op === 'up' ? i - 1 : i + 1;
          if (j >= 0 && j < ids.length) [ids[i], ids[j]] = [ids[j]!, ids[i]!];
          return { order: { section: section.title, ids } };
        }
        default:
          throw new BriefError('EINPUT', `unknown curation action ${JSON.stringify(op)}`);
      }
    }

    s.get('/editions/:id/cancel', async (req: IdReq, reply) => {
      const e = editionParts(app, req.params.id);
      const st = await app.service.status(e.id);
      return html(reply, cancelConfirmPage(liveStatus(st), csrf(req)));
    });

    // Server-Sent Events: the page opens one stream; the server sends the counts when they change.
    s.get('/editions/:id/events', async (req: IdReq, reply) => {
      const e = editionParts(app, req.params.id);
      await app.service.status(e.id); // 404 before the stream starts
      const out = new PassThrough();
      streams.add(out);
      let last = '';
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (timer) clearTimeout(timer);
        streams.delete(out);
        out.end();
      };
      const tick = async () => {
        try {
          const st = liveStatus(await app.service.status(e.id));
          const data = JSON.stringify(st);
          // startedAt-based rate changes every tick; send when the counts or state do.
          const key = `${st.state}|${st.total}|${st.sent}|${st.failed}|${st.suppressed}|${st.skipped}`;
          if (key !== last) {
            out.write(`event: status\ndata: ${data}\n\n`);
            last = key;
          } else {
            out.write(': keep-alive\n\n');
          }
          if (st.final) return stop();
        } catch {
          return stop();
        }
        timer = setTimeout(() => void tick(), LIVE_INTERVAL_MS);
      };
      req.raw.on('close', stop);
      out.write('retry: 2000\n\n');
      void tick();
      return reply.type('text/event-stream; charset=utf-8').header('x-accel-buffering', 'no').send(out);
    });

    // ---- the report ----
    s.get('/editions/:id/report', async (req: FastifyRequest<{ Params: { id: string }; Querystring: { batch?: string } }>, reply) => {
      const e = editionParts(app, req.params.id);
      const st = await app.service.status(e.id);
      const batches = await app.editions.batchCount(e.id);
      const batch = Math.min(Math.max(0, Number.parseInt(req.query.batch ?? '0', 10) || 0), Math.max(0, batches - 1));
      const rows = [];
      for await (const r of reportRows({ editions: app.editions, domain: fromDomain(e.newsletter.from) }, e.id, { batches: { from: batch, to: batch } })) rows.push(r);
      const groups = await failureGroups(app.editions, e.id);
      // A viewer sees the counts and replies; recipients' addresses are an editor's (README).
      const addresses = roleAllows(req.principal!.role, 'editor');
      return html(reply, reportPage({ status: liveStatus(st), rows: addresses ? rows : [], groups, batch, batches, csrf: csrf(req), addresses }));
    });

    s.get('/editions/:id/report.csv', { config: { role: 'editor' } }, async (req: IdReq, reply) => {
      const e = editionParts(app, req.params.id);
      await app.service.status(e.id);
      const out = new PassThrough();
      void writeReport({ editions: app.editions, domain: fromDomain(e.newsletter.from) }, e.id, out, 'csv')
        .catch((err: unknown) => {
          req.log.error({ err, editionId: e.id }, 'report failed half-way');
          out.destroy(err as Error);
        })
        .then(() => out.end());
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${e.id}-report.csv"`)
        .send(out);
    });

    // ---- subscribers ----
    s.get('/subscribers', async (req: FastifyRequest<{ Querystring: { address?: string } }>, reply) => {
      // The counts are everyone's; looking up one address (a person's lists and status) an editor's.
      if (req.query.address) requireRole(req, 'editor');
      return html(reply, await subscribersPage(app, { csrf: csrf(req), address: req.query.address, notice: await takeFlash(req) }));
    });

    s.post('/subscribers/remove', { config: { role: 'admin' } }, async (req: FastifyRequest<{ Body: { address?: string } }>, reply) => {
      const address = normaliseAddress(String(req.body?.address ?? ''));
      if (!address) throw new HttpError(400, 'EINPUT', 'address: not an email address');
      const lists = await allLists(app);
      let removed = 0;
      for (const l of lists) if (await app.subscribers.remove(l, address)) removed++;
      req.log.info({ lists: removed }, 'subscriber removed from the console');
      await audit(req, 'subscriber-remove', await app.subscribers.auditName(address), `from ${removed} list${removed === 1 ? '' : 's'}`);
      await flash(req, removed ? `Removed the address from ${removed} list${removed === 1 ? '' : 's'}.` : 'The address was on no list.');
      return reply.redirect(`${CONSOLE_PATH}/subscribers`, 303);
    });

    await s.register(async (imp) => {
      // The body is the CSV itself, read as it arrives: importCsv's backpressure paces the upload.
      imp.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));
      imp.post(
        '/subscribers/import',
        { handlerTimeout: IMPORT_TIMEOUT_MS, config: { role: 'admin' } },
        async (req: FastifyRequest<{ Querystring: { list?: string; name?: string } }>) => {
          const list = String(req.query.list ?? '');
          if (!(await allLists(app)).includes(list)) throw new HttpError(400, 'EINPUT', `list: ${JSON.stringify(list)} is not a list of this service`);
          if (!(req.headers['content-type'] ?? '').startsWith('text/csv')) throw new HttpError(415, 'EINPUT', 'send the file as text/csv');
          let bytes = 0;
          const bounded = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              if (bytes > IMPORT_MAX_BYTES) cb(new BriefError('ECSV', `the file is larger than ${IMPORT_MAX_BYTES / 1048576} MB: use brief subscribers import`));
              else cb(null, chunk);
            },
          });
          (req.body as NodeJS.ReadableStream).pipe(bounded);
          const name = String(req.query.name ?? 'upload.csv').slice(0, 100);
          const report = await importCsv(app.subscribers, list, bounded, { source: name });
          req.log.info({ list, rows: report.rows, added: report.added, invalid: report.invalidCount }, 'import from the console');
          await app.audit.record({ actor: req.principal!.name, action: 'import', target: list, detail: `${name}: ${report.rows} rows, ${report.added} added`, ip: req.ip });
          return { report };
        },
      );
    });
  });
}
