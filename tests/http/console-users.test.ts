/**
 * Issue 17, accounts and roles: a user added with a sign-in link sets a password (scrypt,
 * never stored in clear), logs in with it, and gets exactly what the role allows, from the
 * console and from the API; links are single use and expire; failures are throttled; every
 * action lands in the audit log with its user.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURE_DATE } from '../helpers/app.js';
import { basic, consoleServerPerFile, csrfOf, pathOf, setCookies } from '../helpers/console-http.js';
import { AUTH_FAILURE_LIMIT } from '../../src/http/admin-auth.js';
import { UserStore } from '../../src/users/index.js';

const ADMIN = 'admin-token-for-users-tests-0123';
const PASSWORD = 'correct horse battery staple';


describe('console users, roles and the audit log', () => {
  const srv = consoleServerPerFile(ADMIN);
  let ipN = 1;
  /** Each test its own client address, so the login throttle of one does not reach another. */
  const nextIp = () => `10.0.0.${ipN++}`;

  /** Sets the password through the link, as the page's form does; the session cookie and the page. */
  const usePassword = async (link: string, password: string, ip: string) => {
    const page = await srv.f.inject({ url: pathOf(link), remoteAddress: ip });
    // A dead link's page has no form: a form from the login page, as a replayed POST would carry.
    const form = page.statusCode === 200 ? page : await srv.f.inject({ url: '/admin', remoteAddress: ip });
    const login = setCookies(form).brief_login;
    const res = await srv.f.inject({
      method: 'POST', url: pathOf(link), remoteAddress: ip, headers: { cookie: `brief_login=${login}` },
      payload: { password, confirm: password, _csrf: csrfOf(form.body) },
    });
    return { page, res };
  };
  const login = async (email: string, password: string, ip: string) => {
    const page = await srv.f.inject({ url: '/admin', remoteAddress: ip });
    const c = setCookies(page).brief_login;
    const res = await srv.f.inject({ method: 'POST', url: '/admin/login', remoteAddress: ip, headers: { cookie: `brief_login=${c}` }, payload: { email, password, _csrf: csrfOf(page.body) } });
    return res;
  };
  /** A signed-in session: its cookie header and CSRF token. */
  const session = async (email: string, password: string, ip: string) => {
    const res = await login(email, password, ip);
    expect(res.statusCode, res.body).toBe(303);
    const cookie = `brief_console=${setCookies(res).brief_console}`;
    const page = await srv.f.inject({ url: '/admin/newsletters', headers: { cookie }, remoteAddress: ip });
    return { cookie, csrf: csrfOf(page.body), page };
  };
  const addUser = async (email: string, role: string) => (await srv.t.app.users.add(email, role)).link;


  it('users add → sign-in link → set password → log in with email and password; the link works once; only the scrypt hash is stored', async () => {
    const ip = nextIp();
    const link = await addUser('Ed@Example.org', 'editor');
    expect(link).toMatch(/^https:\/\/[^/]+\/admin\/sign-in\/[A-Za-z0-9_-]{24}\.\d+\.[A-Za-z0-9_-]{43}$/);
    const { page, res } = await usePassword(link, PASSWORD, ip);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('ed@example.org');
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/admin/newsletters');
    expect(setCookies(res).brief_console).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Used: the page and the form both refuse it now.
    expect((await srv.f.inject({ url: pathOf(link), remoteAddress: ip })).statusCode).toBe(410);
    expect((await usePassword(link, 'another long password', ip)).res.statusCode).toBe(410);

    const s = await session('ed@example.org', PASSWORD, ip);
    expect(s.page.body).toContain('<body class="role-editor">');
    expect((await login('ed@example.org', 'not the password', nextIp())).statusCode).toBe(401);

    // Every key under the prefix, every value: the scrypt hash is there, the password nowhere.
    const keys = await srv.t.app.redis.keys(`${srv.t.prefix}:*`);
    let dump = '';
    for (const k of keys) {
      const type = await srv.t.app.redis.type(k);
      if (type === 'string') dump += await srv.t.app.redis.get(k);
      else if (type === 'hash') dump += JSON.stringify(await srv.t.app.redis.hgetall(k));
      else if (type === 'stream') dump += JSON.stringify(await srv.t.app.redis.xrange(k, '-', '+'));
      else if (type === 'set') dump += JSON.stringify(await srv.t.app.redis.smembers(k));
      else if (type === 'zset') dump += JSON.stringify(await srv.t.app.redis.zrange(k, 0, -1));
      else if (type === 'list') dump += JSON.stringify(await srv.t.app.redis.lrange(k, 0, -1));
      dump += k;
    }
    expect(dump).toContain('scrypt$16384$8$1$');
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(Buffer.from(PASSWORD).toString('base64'));
  });

  it('a sign-in link expires, a forged one is refused, and a reset voids the old link and password', async () => {
    const ip = nextIp();
    const shortLived = new UserStore({ redis: srv.t.app.redis, keys: srv.t.app.keys, secret: () => srv.t.app.secret(), publicUrl: srv.t.app.env.publicUrl, linkTtlS: 1 });
    const { link } = await shortLived.add('late@example.org', 'viewer');
    await new Promise((r) => setTimeout(r, 2100));
    expect((await srv.f.inject({ url: pathOf(link), remoteAddress: ip })).statusCode).toBe(410);
    expect((await usePassword(link, PASSWORD, ip)).res.statusCode).toBe(410);

    const good = await addUser('v2@example.org', 'viewer');
    const forged = good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await srv.f.inject({ url: pathOf(forged), remoteAddress: ip })).statusCode).toBe(410);
    expect((await usePassword(good, PASSWORD, ip)).res.statusCode).toBe(303);
    const fresh = (await srv.t.app.users.reset('v2@example.org')).link;
    expect((await login('v2@example.org', PASSWORD, ip)).statusCode).toBe(401);
    expect((await usePassword(fresh, 'a new long password', ip)).res.statusCode).toBe(303);
  });

  it('throttles wrong passwords per client: after the limit even the right one gets 429', async () => {
    const ip = nextIp();
    await usePassword(await addUser('slow@example.org', 'editor'), PASSWORD, nextIp());
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) expect((await login('slow@example.org', `wrong ${i}`, ip)).statusCode).toBe(401);
    const stopped = await login('slow@example.org', PASSWORD, ip);
    expect(stopped.statusCode).toBe(429);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
    // The API shares the count.
    expect((await srv.f.inject({ url: '/api/editions', remoteAddress: ip, headers: { authorization: basic('slow@example.org', PASSWORD) } })).statusCode).toBe(429);
  });

  it('a viewer sees everything but cannot send: 403 from the API and from the console', async () => {
    const ip = nextIp();
    await usePassword(await addUser('view@example.org', 'viewer'), PASSWORD, ip);
    const auth = { authorization: basic('view@example.org', PASSWORD) };
    expect((await srv.f.inject({ url: '/api/editions', remoteAddress: ip, headers: auth })).statusCode).toBe(200);
    const api = await srv.f.inject({ method: 'POST', url: '/api/editions', remoteAddress: ip, headers: auth, payload: { newsletter: 'daily', date: FIXTURE_DATE } });
    expect(api.statusCode).toBe(403);
    expect(api.json().error.code).toBe('EAUTH');
    for (const a of ['pause', 'cancel']) {
      expect((await srv.f.inject({ method: 'POST', url: `/api/editions/daily-${FIXTURE_DATE}/${a}`, remoteAddress: ip, headers: auth })).statusCode).toBe(403);
    }

    const s = await session('view@example.org', PASSWORD, ip);
    expect(s.page.statusCode).toBe(200);
    expect(s.page.body).toContain('<body class="role-viewer">');
    const page = await srv.f.inject({ url: `/admin/editions/daily-${FIXTURE_DATE}`, headers: { cookie: s.cookie }, remoteAddress: ip });
    expect(page.statusCode).toBe(200);
    const send = await srv.f.inject({ method: 'POST', url: `/admin/editions/daily-${FIXTURE_DATE}/send`, headers: { cookie: s.cookie }, remoteAddress: ip, payload: { _csrf: s.csrf } });
    expect(send.statusCode).toBe(403);
    const test = await srv.f.inject({ method: 'POST', url: `/admin/editions/daily-${FIXTURE_DATE}/test`, headers: { cookie: s.cookie }, remoteAddress: ip, payload: { _csrf: s.csrf, to: 'x@example.net' } });
    expect(test.statusCode).toBe(403);
    expect(await srv.t.app.redis.exists(srv.t.app.keys.edition(`daily-${FIXTURE_DATE}`))).toBe(0);
    // The queue dashboard: a viewer's session may look, not retry or remove jobs.
    expect((await srv.f.inject({ url: '/admin/queues', headers: { cookie: s.cookie }, remoteAddress: ip })).statusCode).toBe(200);
    expect((await srv.f.inject({ method: 'PUT', url: '/admin/queues/api/queues/send-batch/retry/failed', headers: { cookie: s.cookie }, remoteAddress: ip })).statusCode).toBe(403);
    // Logging out is every role's.
    expect((await srv.f.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: s.cookie }, remoteAddress: ip, payload: { _csrf: s.csrf } })).statusCode).toBe(303);
  });

  it('an editor cannot manage users or lists; an admin can, from the console; a removed user is signed out at once', async () => {
    const ip = nextIp();
    await usePassword(await addUser('ed2@example.org', 'editor'), PASSWORD, ip);
    const ed = await session('ed2@example.org', PASSWORD, ip);
    expect((await srv.f.inject({ url: '/admin/users', headers: { cookie: ed.cookie }, remoteAddress: ip })).statusCode).toBe(403);
    const add = await srv.f.inject({ method: 'POST', url: '/admin/users', headers: { cookie: ed.cookie }, remoteAddress: ip, payload: { _csrf: ed.csrf, email: 'evil@example.org', role: 'admin' } });
    expect(add.statusCode).toBe(403);
    expect(await srv.t.app.users.get('evil@example.org')).toBeUndefined();
    const rm = await srv.f.inject({ method: 'POST', url: '/admin/subscribers/remove', headers: { cookie: ed.cookie }, remoteAddress: ip, payload: { _csrf: ed.csrf, address: 'a@example.net' } });
    expect(rm.statusCode).toBe(403);
    const apiAdd = await srv.f.inject({ method: 'POST', url: '/api/subscribers', remoteAddress: ip, headers: { authorization: basic('ed2@example.org', PASSWORD) }, payload: { list: 'daily', email: 'x@example.net' } });
    expect(apiAdd.statusCode).toBe(403);
    // The token stays full access on the API.
    const tokenAdd = await srv.f.inject({ method: 'POST', url: '/api/subscribers', remoteAddress: ip, headers: { authorization: `Bearer ${ADMIN}` }, payload: { list: 'daily', email: 'x@example.net' } });
    expect(tokenAdd.statusCode).toBe(200);
    expect((await srv.t.app.audit.list({ action: 'subscriber-add' }))[0]).toMatchObject({ actor: 'token', target: 'daily', ip, detail: 'added (API)' });

    // The token's console session is an admin: it adds a user and gets the link on the page.
    const adm = await session('', ADMIN, ip);
    expect(adm.page.body).toContain('<body class="role-admin">');
    const made = await srv.f.inject({ method: 'POST', url: '/admin/users', headers: { cookie: adm.cookie }, remoteAddress: ip, payload: { _csrf: adm.csrf, email: 'new@example.org', role: 'viewer' } });
    expect(made.statusCode).toBe(200);
    const link = /<code id="sign-in-link">([^<]+)<\/code>/.exec(made.body)?.[1];
    expect(link).toMatch(/\/admin\/sign-in\//);
    expect((await srv.t.app.users.get('new@example.org'))?.role).toBe('viewer');
    const list = await srv.f.inject({ url: '/admin/users', headers: { cookie: adm.cookie }, remoteAddress: ip });
    expect(list.body).toContain('new@example.org');
    expect(list.body).toContain('ed2@example.org');

    const removed = await srv.f.inject({ method: 'POST', url: '/admin/users/remove', headers: { cookie: adm.cookie }, remoteAddress: ip, payload: { _csrf: adm.csrf, email: 'ed2@example.org' } });
    expect(removed.statusCode).toBe(303);
    const after = await srv.f.inject({ url: '/admin/newsletters', headers: { cookie: ed.cookie }, remoteAddress: ip });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/admin');
  });

  it('records each action with its user, newest first, on the Activity page', async () => {
    const ip = nextIp();
    await usePassword(await addUser('ops@example.org', 'editor'), PASSWORD, ip);
    await login('ops@example.org', 'wrong password here', ip);
    const s = await session('ops@example.org', PASSWORD, ip);
    const pause = await srv.f.inject({ method: 'POST', url: `/admin/editions/daily-${FIXTURE_DATE}/pause`, headers: { cookie: s.cookie }, remoteAddress: ip, payload: { _csrf: s.csrf } });
    expect(pause.statusCode).toBe(303);
    const entries = (await srv.t.app.audit.list()).filter((e) => e.actor === 'ops@example.org');
    expect(entries.map((e) => e.action)).toEqual(['login', 'login-failed', 'login', 'password-set']);
    expect(entries.every((e) => e.ip === ip)).toBe(true);

    const page = await srv.f.inject({ url: '/admin/activity', headers: { cookie: s.cookie }, remoteAddress: ip });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/ops@example\.org<\/td><td><span class="state">login<\/span>/);
    const filtered = await srv.f.inject({ url: '/admin/activity?action=login-failed', headers: { cookie: s.cookie }, remoteAddress: ip });
    expect(filtered.body).toContain('login-failed');
    expect(filtered.body).not.toContain('<span class="state">password-set</span>');
  });
});
