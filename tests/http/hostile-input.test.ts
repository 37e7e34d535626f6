import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { testApp, type TestApp } from '../helpers/app.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import { makeToken } from '../../src/delivery/tokens.js';

const ADMIN = 'admin-token-for-tests-0123456789';

/** A raw request, for what fetch refuses to send (huge headers, broken framing). */
function raw(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('random and oversized requests', () => {
  let t: TestApp;
  let http: HttpServer;

  beforeAll(async () => {
    t = await testApp();
    t.app.env.adminToken = ADMIN;
    await t.app.subscribers.add('daily', 'reader@example.net');
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
  });

  const isClientError = (status: number) => status >= 400 && status < 500;

  it('an oversized body is 413, on the token pages and on the API', async () => {
    const secret = await t.app.secret();
    const token = makeToken(secret, { action: 'unsubscribe', list: 'daily', email: 'reader@example.net', edition: '' });
    const big = 'List-Unsubscribe=One-Click&x=' + 'a'.repeat(20 * 1024);
    const u = await fetch(`${http.url}/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: big });
    expect(u.status).toBe(413);
    expect((await t.app.subscribers.get('daily', 'reader@example.net'))?.status).toBe('active');
    const a = await fetch(`${http.url}/api/editions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ newsletter: 'daily', date: '2025-09-05', pad: 'x'.repeat(20 * 1024) }),
    });
    expect(a.status).toBe(413);
    expect(((await a.json()) as { error: { code: string } }).error.code).toBe('EINPUT');
  });

  it('oversized headers and paths are refused with 4xx', async () => {
    expect(isClientError(await raw(http.url, { path: '/healthz', headers: { 'x-big': 'a'.repeat(20 * 1024) } }))).toBe(true);
    expect(isClientError((await fetch(`${http.url}/u/${'a'.repeat(5000)}`)).status)).toBe(true);
    expect(isClientError((await fetch(`${http.url}/p/${'a'.repeat(3000)}.${'b'.repeat(43)}`)).status)).toBe(true);
  });

  it('garbage tokens, paths and bodies get 4xx, never 500, and the server keeps answering', async () => {
    const tokens = [
      '', '.', '..', 'a.b', 'preview', '%00', '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd', '<script>alert(1)</script>',
      randomBytes(64).toString('base64url'), `${randomBytes(40).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
      Buffer.from('u\ndaily\nx@y.z\n').toString('base64url') + '.', '🙂.🙂',
    ];
    for (const tok of tokens) {
      for (const prefix of ['/u/', '/p/']) {
        const path = prefix + tok;
        const get = await raw(http.url, { path: encodeURI(path).replace(/%25/g, '%') });
        expect(isClientError(get), `GET ${path} → ${get}`).toBe(true);
        const post = await raw(http.url, {
          method: 'POST',
          path: encodeURI(path).replace(/%25/g, '%'),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
        expect(isClientError(post), `POST ${path} → ${post}`).toBe(true);
      }
    }
    const paths = ['/nope', '/api', '/api/nope', '/archive/%FF', '/admin/nope', '/admin/editions/%FF', '/u', '/p/', '/archive/daily/../../etc/passwd', '/%'];
    for (const path of paths) {
      const status = await raw(http.url, { path });
      expect(isClientError(status), `GET ${path} → ${status}`).toBe(true);
    }
    const bodies: Array<[string, string]> = [
      ['application/json', '{'],
      ['application/json', '[]'],
      ['application/json', 'null'],
      ['application/json', '{"__proto__":{"x":1},"newsletter":"daily","date":"2025-09-05"}'],
      ['application/json', '{"newsletter":{"$gt":""},"date":"2025-09-05"}'],
      ['application/json', '{"newsletter":"daily","date":["2025-09-05","2025-09-06"]}'],
      ['text/plain', 'hello'],
      ['multipart/form-data; boundary=x', '--x--'],
    ];
    for (const [type, body] of bodies) {
      const status = await raw(http.url, {
        method: 'POST',
        path: '/api/editions',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type },
        body,
      });
      expect(isClientError(status), `${type} ${body} → ${status}`).toBe(true);
    }
    // A form-encoded preferences POST with arrays and junk.
    const prefs = makeToken(await t.app.secret(), { action: 'preferences', list: 'daily', email: 'reader@example.net', edition: '' });
    for (const body of ['list=daily&list=daily&action=leave', 'action[]=join', '=&&=', 'list=%FF']) {
      const status = await raw(http.url, { method: 'POST', path: `/p/${prefs}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(isClientError(status), `prefs ${body} → ${status}`).toBe(true);
    }
    expect((await t.app.subscribers.get('daily', 'reader@example.net'))?.status).toBe('active');
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
  });

  it('pages carry the security headers, and the API no CORS headers', async () => {
    for (const path of ['/', '/archive', '/archive/daily', '/unsubscribe', '/u/nope', '/nope']) {
      const res = await fetch(`${http.url}${path}`, { headers: { origin: 'https://evil.example' } });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'none'/);
      expect(res.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
    }
    const preflight = await fetch(`${http.url}/api/editions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${http.url}/api/editions`, { headers: { authorization: `Bearer ${ADMIN}`, origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
