/**
 * Review of issue 17 (accounts, roles, audit log): the holes found, each pinned by a test.
 * Real Redis, the real HTTP server through fastify inject.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURE_DATE } from '../helpers/app.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildHttpServer } from '../../src/http/index.js';
import { basic, consoleServerPerFile, csrfOf, pathOf, setCookies } from '../helpers/console-http.js';
import { AUTH_FAILURE_LIMIT } from '../../src/http/admin-auth.js';
import { readEnv } from '../../src/config/env.js';

const ADMIN = 'admin-token-for-review-tests-0123';
const PASSWORD = 'correct horse battery staple';


describe('review of accounts, roles and the audit log', () => {
  const srv = consoleServerPerFile(ADMIN);
  let ipN = 1;
  const nextIp = () => `10.1.0.${ipN++}`;

  const linkForm = async (link: string, ip: string) => {
    const page = await srv.f.inject({ url: pathOf(link), remoteAddress: ip });
    return { login: setCookies(page).brief_login, csrf: csrfOf(page.body) };
  };
  const postLink = (link: string, form: { login?: string; csrf: string }, password: string, ip: string) =>
    srv.f.inject({ method: 'POST', url: pathOf(link), remoteAddress: ip, headers: { cookie: `brief_login=${form.login}` }, payload: { password, confirm: password, _csrf: form.csrf } });
  const usePassword = async (link: string, password: string, ip: string) => postLink(link, await linkForm(link, ip), password, ip);
  const login = async (email: string, password: string, ip: string) => {
    const page = await srv.f.inject({ url: '/admin', remoteAddress: ip });
    const c = setCookies(page).brief_login;
    return srv.f.inject({ method: 'POST', url: '/admin/login', remoteAddress: ip, headers: { cookie: `brief_login=${c}` }, payload: { email, password, _csrf: csrfOf(page.body) } });
  };
  const session = async (email: string, password: string, ip: string) => {
    const res = await login(email, password, ip);
    expect(res.statusCode, res.body).toBe(303);
    const cookie = `brief_console=${setCookies(res).brief_console}`;
    const page = await srv.f.inject({ url: '/admin/newsletters', headers: { cookie }, remoteAddress: ip });
    return { cookie, csrf: csrfOf(page.body) };
  };
  const newUser = async (email: string, role: string) => {
    const ip = nextIp();
    const res = await usePassword((await srv.t.app.users.add(email, role)).link, PASSWORD, ip);
    expect(res.statusCode, res.body).toBe(303);
    return session(email, PASSWORD, ip);
  };
  const signedIn = async (cookie: string) => (await srv.f.inject({ url: '/admin/newsletters', headers: { cookie }, remoteAddress: nextIp() })).statusCode;


  it('two concurrent POSTs of one sign-in link: one sets the password, the other gets 410', async () => {
    const ip = nextIp();
    const { link } = await srv.t.app.users.add('race@example.org', 'editor');
    const form = await linkForm(link, ip);
    const [a, b] = await Promise.all([postLink(link, form, 'first password, long', ip), postLink(link, form, 'second password, long', ip)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([303, 410]);
    expect([a, b].filter((r) => setCookies(r).brief_console)).toHaveLength(1);
  });

  it('a reset ends the sessions the user had (a stolen session does not outlive it)', async () => {
    const s = await newUser('stolen@example.org', 'editor');
    expect(await signedIn(s.cookie)).toBe(200);
    await srv.t.app.users.reset('stolen@example.org');
    expect(await signedIn(s.cookie)).toBe(303);
    // The queue dashboard asks the same question.
    expect((await srv.f.inject({ url: '/admin/queues', headers: { cookie: s.cookie }, remoteAddress: nextIp() })).statusCode).toBe(401);
  });

  it('a password set through a new link ends the older sessions', async () => {
    const s = await newUser('relink@example.org', 'editor');
    const { link } = await srv.t.app.users.add('relink@example.org', 'editor');
    expect((await usePassword(link, 'a brand new password', nextIp())).statusCode).toBe(303);
    expect(await signedIn(s.cookie)).toBe(303);
  });

  it('a removed then re-added user does not get the old sessions back', async () => {
    const s = await newUser('again@example.org', 'admin');
    await srv.t.app.users.remove('again@example.org');
    await srv.t.app.users.add('again@example.org', 'admin');
    expect(await signedIn(s.cookie)).toBe(303);
  });

  it('one account whatever the Unicode form or case of its address', async () => {
    const composed = 'Jos\u00e9@Example.org';
    const decomposed = 'jose\u0301@example.org';
    await srv.t.app.users.add(composed, 'viewer');
    const again = await srv.t.app.users.add(decomposed, 'editor');
    expect(again.created).toBe(false);
    expect((await srv.t.app.users.list()).filter((u) => u.email.startsWith('jos'))).toHaveLength(1);
    expect((await usePassword(again.link, PASSWORD, nextIp())).statusCode).toBe(303);
    expect((await login(composed.toUpperCase(), PASSWORD, nextIp())).statusCode).toBe(303);
    expect((await login(decomposed, PASSWORD, nextIp())).statusCode).toBe(303);
    // Invisible or control characters would make a second account that looks like the first.
    for (const odd of ['jos\u00e9\u200b@example.org', 'jos\u00e9\u202e@example.org', 'a\u001b[1m@example.org']) {
      await expect(srv.t.app.users.add(odd, 'admin')).rejects.toThrow(/not an email address/);
    }
  });

  it('throttles guesses at one account from many addresses; the token login is not locked out by it', async () => {
    await newUser('target@example.org', 'admin');
    let last = 0;
    for (let i = 0; i < 60 && last !== 429; i++) last = (await login('target@example.org', `guess number ${i}`, `10.2.${i}.1`)).statusCode;
    expect(last).toBe(429);
    // The right password from yet another address waits too: guessing is not faster spread out.
    expect((await login('target@example.org', PASSWORD, '10.3.0.1')).statusCode).toBe(429);
    expect((await srv.f.inject({ url: '/api/editions', remoteAddress: '10.3.0.2', headers: { authorization: basic('target@example.org', PASSWORD) } })).statusCode).toBe(429);
    // The shared token (no email) is not that account.
    expect((await login('', ADMIN, '10.3.0.3')).statusCode).toBe(303);
  });

  it('a viewer does not see subscriber addresses: report rows, report CSV, subscriber look-up (console and API)', async () => {
    const v = await newUser('look@example.org', 'viewer');
    const ip = nextIp();
    for (const url of [`/admin/editions/daily-${FIXTURE_DATE}/report.csv`, '/admin/subscribers?address=a%40example.net']) {
      expect((await srv.f.inject({ url, headers: { cookie: v.cookie }, remoteAddress: ip })).statusCode, url).toBe(403);
    }
    // The report: the counts, no recipient rows and no CSV link.
    const edition = `daily-${FIXTURE_DATE}`;
    await srv.t.app.service.request('daily', FIXTURE_DATE);
    const report = await srv.f.inject({ url: `/admin/editions/${edition}/report`, headers: { cookie: v.cookie }, remoteAddress: ip });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Summary');
    expect(report.body).not.toContain('report.csv');
    expect(report.body).not.toContain('Every recipient');
    expect((await srv.f.inject({ url: '/admin/subscribers', headers: { cookie: v.cookie }, remoteAddress: ip })).statusCode).toBe(200);
    const api = await srv.f.inject({ url: '/api/subscribers/a%40example.net', remoteAddress: ip, headers: { authorization: basic('look@example.org', PASSWORD) } });
    expect(api.statusCode).toBe(403);
    // An editor may.
    const e = await newUser('look-ed@example.org', 'editor');
    expect((await srv.f.inject({ url: '/admin/subscribers?address=a%40example.net', headers: { cookie: e.cookie }, remoteAddress: ip })).statusCode).toBe(200);
    expect((await srv.f.inject({ url: `/admin/editions/${edition}/report`, headers: { cookie: e.cookie }, remoteAddress: ip })).body).toContain('Every recipient');
    expect((await srv.f.inject({ url: `/admin/editions/${edition}/report.csv`, headers: { cookie: e.cookie }, remoteAddress: ip })).statusCode).toBe(200);
  });

  it('the audit log keeps no subscriber address (a forgotten one would stay there)', async () => {
    const adm = await session('', ADMIN, nextIp());
    const address = 'gone-reader@example.net';
    await srv.t.app.subscribers.add('daily', address);
    const rm = await srv.f.inject({ method: 'POST', url: '/admin/subscribers/remove', headers: { cookie: adm.cookie }, remoteAddress: nextIp(), payload: { _csrf: adm.csrf, address } });
    expect(rm.statusCode).toBe(303);
    const entries = await srv.t.app.audit.list({ action: 'subscriber-remove' });
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain('gone-reader');
    expect(entries[0]!.target).toBe(await srv.t.app.subscribers.auditName(address));
    expect(entries[0]!.target).toMatch(/^address #[A-Za-z0-9_-]{12}$/);
    // A test send names its recipients the same way.
    const ed = await newUser('tester@example.org', 'editor');
    const test = await srv.f.inject({ method: 'POST', url: `/admin/editions/daily-${FIXTURE_DATE}/test`, headers: { cookie: ed.cookie }, remoteAddress: nextIp(), payload: { _csrf: ed.csrf, to: 'Test.Reader@example.net' } });
    expect(test.statusCode).toBe(303);
    const [sent] = await srv.t.app.audit.list({ action: 'test-send', limit: 1 });
    expect(sent).toMatchObject({ actor: 'tester@example.org', detail: `to 1 address: ${await srv.t.app.subscribers.auditName('test.reader@example.net')}` });
    expect(JSON.stringify(await srv.t.app.audit.list())).not.toMatch(/reader@example\.net/i);
  });

  it('a failed login does not keep a password typed into the email field; control characters do not reach the log', async () => {
    const secret = 'my secret password 42';
    expect((await login(secret, 'whatever else', nextIp())).statusCode).toBe(401);
    const api = await srv.f.inject({ url: '/api/editions', remoteAddress: nextIp(), headers: { authorization: basic(secret, 'x') } });
    expect(api.statusCode).toBe(401);
    expect((await login('evil\u001b[2J\u202e@example.org', 'whatever else', nextIp())).statusCode).toBe(401);
    const failed = await srv.t.app.audit.list({ action: 'login-failed', limit: 3 });
    expect(failed.map((e) => e.actor)).toEqual(['(not an address)', '(not an address)', '(not an address)']);
    await srv.t.app.audit.record({ actor: 'evil\u001b[2J\u202e', action: 'login-failed' });
    expect((await srv.t.app.audit.list({ action: 'login-failed', limit: 1 }))[0]!.actor).toBe('evil?[2J?');
    expect(JSON.stringify(await srv.t.app.audit.list())).not.toContain('secret password');
    await srv.t.app.audit.record({ actor: 'x', action: 'curate', detail: `${'\u{1F600}'.repeat(600)}\u0007` });
    const [e] = await srv.t.app.audit.list({ action: 'curate', limit: 1 });
    expect(Array.from(e!.detail)).toHaveLength(500);
    expect(e!.detail.endsWith('\u{1F600}')).toBe(true);
  });

  it('a login ends the session the browser had before it (the id is new and the old one is gone)', async () => {
    const ip = nextIp();
    const before = await session('', ADMIN, ip);
    const page = await srv.f.inject({ url: '/admin', remoteAddress: ip });
    const res = await srv.f.inject({
      method: 'POST', url: '/admin/login', remoteAddress: ip,
      headers: { cookie: `${before.cookie}; brief_login=${setCookies(page).brief_login}` },
      payload: { email: '', password: ADMIN, _csrf: csrfOf(page.body) },
    });
    expect(res.statusCode).toBe(303);
    const after = `brief_console=${setCookies(res).brief_console}`;
    expect(after).not.toBe(before.cookie);
    expect(await signedIn(after)).toBe(200);
    expect(await signedIn(before.cookie)).toBe(303);
  });

  it('the logs at info name no address and no sign-in link: API look-up and forget, the link, a login', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const server = buildHttpServer({ ...srv.t.app, logger: pino({ level: 'info' }, sink) });
    let nonce = '';
    try {
      await srv.t.app.subscribers.add('daily', 'logged.reader@example.net');
      const auth = { authorization: `Bearer ${ADMIN}` };
      expect((await server.inject({ url: '/api/subscribers/logged.reader%40example.net', headers: auth })).statusCode).toBe(200);
      expect((await server.inject({ method: 'POST', url: '/api/subscribers/logged.reader@example.net/forget', headers: auth })).statusCode).toBe(200);
      const { link } = await srv.t.app.users.add('logged.editor@example.org', 'editor');
      nonce = pathOf(link).split('/').pop()!.slice(0, 24);
      expect((await server.inject({ url: pathOf(link) })).statusCode).toBe(200);
      const page = await server.inject({ url: '/admin' });
      await server.inject({ method: 'POST', url: '/admin/login', headers: { cookie: `brief_login=${setCookies(page).brief_login}` }, payload: { email: 'logged.editor@example.org', password: 'wrong password, long', _csrf: csrfOf(page.body) } });
    } finally {
      await server.close();
    }
    const text = lines.join('');
    expect(text).toContain('"url":"/api/subscribers/[address]/forget"');
    expect(text).not.toContain('logged.reader');
    expect(text).not.toContain('logged.editor');
    expect(nonce).toHaveLength(24);
    expect(text).not.toContain(nonce);
  });

  it('regression: every account POST wants its CSRF token; the cookies are HttpOnly, SameSite=Strict, Secure', async () => {
    const ip = nextIp();
    const adm = await session('', ADMIN, ip);
    for (const [url, body] of [['/admin/users', { email: 'csrf@example.org', role: 'admin' }], ['/admin/users/reset', { email: 'csrf@example.org' }], ['/admin/users/remove', { email: 'csrf@example.org' }]] as const) {
      for (const _csrf of [undefined, 'x'.repeat(32)]) {
        const res = await srv.f.inject({ method: 'POST', url, headers: { cookie: adm.cookie }, remoteAddress: ip, payload: { ...body, ...(_csrf ? { _csrf } : {}) } });
        expect(res.statusCode, url).toBe(403);
      }
    }
    expect(await srv.t.app.users.get('csrf@example.org')).toBeUndefined();
    const { link } = await srv.t.app.users.add('csrf@example.org', 'viewer');
    const form = await linkForm(link, ip);
    expect((await postLink(link, { login: 'y'.repeat(32), csrf: form.csrf }, PASSWORD, ip)).statusCode).toBe(403);
    expect((await srv.t.app.users.get('csrf@example.org'))?.hasPassword).toBe(false);
    const ok = await postLink(link, form, PASSWORD, ip);
    const raw = ([] as string[]).concat(ok.headers['set-cookie'] as string[]).find((c) => c.startsWith('brief_console='))!;
    expect(raw).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect(raw).toContain('Path=/admin;');
  });

  it('behind a proxy named in BRIEF_TRUST_PROXY, one client\'s failed logins do not lock out the token admin', async () => {
    const env = readEnv({ ...process.env, BRIEF_ADMIN_TOKEN: ADMIN, BRIEF_TRUST_PROXY: '127.0.0.1, ::1' });
    expect(env.trustProxy).toEqual(['127.0.0.1', '::1']);
    expect(() => readEnv({ BRIEF_TRUST_PROXY: 'my proxy' })).toThrow(/BRIEF_TRUST_PROXY/);
    const proxied = buildHttpServer({ ...srv.t.app, env: { ...srv.t.app.env, trustProxy: env.trustProxy } });
    try {
      const viaProxy = async (client: string, email: string, password: string) => {
        const page = await proxied.inject({ url: '/admin', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': client } });
        return proxied.inject({
          method: 'POST', url: '/admin/login', remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': client, cookie: `brief_login=${setCookies(page).brief_login}` },
          payload: { email, password, _csrf: csrfOf(page.body) },
        });
      };
      for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) expect((await viaProxy('203.0.113.9', '', `wrong token ${i}`)).statusCode).toBe(401);
      expect((await viaProxy('203.0.113.9', '', ADMIN)).statusCode).toBe(429);
      expect((await viaProxy('198.51.100.7', '', ADMIN)).statusCode).toBe(303);
    } finally {
      await proxied.close();
    }
  });
});
