import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testApp, type TestApp } from './app.js';
import { buildHttpServer } from '../../src/http/index.js';

/** The cookies a response sets, name → value. */
export function setCookies(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return Object.fromEntries(list.map((c) => [c.split('=')[0]!, c.split(';')[0]!.split('=').slice(1).join('=')]));
}
/** The CSRF token of a console page's first form. */
export const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
export const pathOf = (link: string): string => new URL(link).pathname;
export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * One app (own prefix) with the console switched on by `adminToken`, served through
 * fastify's inject for the calling file's tests; read `.t` and `.f` inside tests.
 */
export function consoleServerPerFile(adminToken: string): { t: TestApp; f: FastifyInstance } {
  const s = {} as { t: TestApp; f: FastifyInstance };
  beforeAll(async () => {
    s.t = await testApp();
    s.t.app.env.adminToken = adminToken;
    s.f = buildHttpServer(s.t.app);
    await s.f.ready();
  });
  afterAll(async () => {
    await s.f?.close();
    await s.t?.cleanup();
  });
  return s;
}
