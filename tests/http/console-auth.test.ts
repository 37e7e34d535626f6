import { describe, expect, it } from 'vitest';
import { consoleServerPerFile, csrfOf } from '../helpers/console-http.js';
import { AUTH_FAILURE_LIMIT } from '../../src/http/admin-auth.js';
import { SESSION_TTL_S } from '../../src/http/console/session-store.js';

const ADMIN = 'admin-token-for-tests-0123456789';

/** The cookie values a response sets, by name. */
function setCookies(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return Object.fromEntries(list.map((c) => [c.split('=')[0]!, c]));
}
const value = (c: string) => c.split(';')[0]!.split('=').slice(1).join('=');

describe('console login, sessions and CSRF', () => {
  const srv = consoleServerPerFile(ADMIN);

  const loginForm = async () => {
    const page = await srv.f.inject({ url: '/admin' });
    const c = setCookies(page).brief_login!;
    return { cookie: `brief_login=${value(c)}`, csrf: csrfOf(page.body) };
  };
  const login = async (password: string, ip = '127.0.0.1') => {
    const { cookie, csrf } = await loginForm();
    return srv.f.inject({ method: 'POST', url: '/admin/login', remoteAddress: ip, headers: { cookie }, payload: { password, _csrf: csrf } });
  };


  it('shows a login form with a labelled password field, a CSRF token and the console CSP', async () => {
    const res = await srv.f.inject({ url: '/admin' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<label for="password">Password</label>');
    expect(res.body).toMatch(/<button type="submit">Log in<\/button>/);
    expect(csrfOf(res.body)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('logs in with BRIEF_ADMIN_TOKEN: an HttpOnly, SameSite=Strict, Secure (https PUBLIC_URL) cookie for a session kept in Redis that expires', async () => {
    const res = await login(ADMIN);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/newsletters');
    const c = setCookies(res).brief_console!;
    expect(c).toMatch(/HttpOnly/);
    expect(c).toMatch(/SameSite=Strict/);
    expect(c).toMatch(/; Secure/);
    expect(c).toContain(`Max-Age=${SESSION_TTL_S}`);
    const id = value(c);
    const keys = await srv.t.app.redis.keys(`${srv.t.prefix}:console-session:*`);
    expect(keys.length).toBe(1);
    // The key names a hash of the cookie, not the cookie.
    expect(keys[0]).not.toContain(id);
    const ttl = await srv.t.app.redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(SESSION_TTL_S - 10);
    const page = await srv.f.inject({ url: '/admin/newsletters', headers: { cookie: `brief_console=${id}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Newsletters</h1>');
    expect(page.body).toContain('Log out');

    // Without the CSRF token, a POST is refused; with it, Log out ends the session in Redis.
    const noCsrf = await srv.f.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: `brief_console=${id}` }, payload: {} });
    expect(noCsrf.statusCode).toBe(403);
    const out = await srv.f.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: `brief_console=${id}` }, payload: { _csrf: csrfOf(page.body) } });
    expect(out.statusCode).toBe(303);
    expect(setCookies(out).brief_console).toContain('Max-Age=0');
    expect(await srv.t.app.redis.keys(`${srv.t.prefix}:console-session:*`)).toEqual([]);
    const after = await srv.f.inject({ url: '/admin/newsletters', headers: { cookie: `brief_console=${id}` } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/admin');
  });

  it('refuses a login without the form token, and a wrong password with 401', async () => {
    const noToken = await srv.f.inject({ method: 'POST', url: '/admin/login', payload: { password: ADMIN } });
    expect(noToken.statusCode).toBe(403);
    const wrong = await login('wrong-password-0123456789', '10.0.0.1');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Wrong password.');
    expect(setCookies(wrong).brief_console).toBeUndefined();
  });

  it('throttles failed logins per address as the API does, a right password included', async () => {
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) expect((await login('nope-nope-nope-nope', '10.0.0.9')).statusCode).toBe(401);
    const stopped = await login(ADMIN, '10.0.0.9');
    expect(stopped.statusCode).toBe(429);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
    expect(stopped.body).toContain('too many failed logins');
    // The throttle is per address: another address still logs in.
    expect((await login(ADMIN, '10.0.0.10')).statusCode).toBe(303);
  });

  it('sends a page without a session to the login form, and refuses its POSTs', async () => {
    const res = await srv.f.inject({ url: '/admin/subscribers' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin');
    const post = await srv.f.inject({ method: 'POST', url: '/admin/editions/daily-2025-09-05/send', payload: {} });
    expect(post.statusCode).toBe(401);
    expect(await srv.t.app.editions.get('daily-2025-09-05')).toBeNull();
  });
});
