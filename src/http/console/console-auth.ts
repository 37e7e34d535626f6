import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokensEqual } from '../admin-auth.js';
import { HttpError } from '../http-error.js';
import type { ConsoleSession, SessionStore } from './session-store.js';
import { CONSOLE_PATH } from './console-page.js';

export const SESSION_COOKIE = 'brief_console';
/** Holds the login form's CSRF token until there is a session (double submit). */
export const LOGIN_COOKIE = 'brief_login';
const LOGIN_COOKIE_MAX_AGE_S = 30 * 60;

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
    consoleSessionId?: string;
  }
}

/** The cookies of a request (no library: two cookies, one syntax). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

export interface CookieSettings {
  /** PUBLIC_URL is https: cookies are Secure. */
  secure: boolean;
}

/**
 * A console cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it, which is also the first line against CSRF), Secure when PUBLIC_URL is https,
 * scoped to /admin.
 */
export function cookie(name: string, value: string, maxAgeS: number, s: CookieSettings): string {
  return `${name}=${value}; Path=${CONSOLE_PATH}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${s.secure ? '; Secure' : ''}`;
}

export function addCookie(reply: FastifyReply, c: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, c]);
}

/** The login form's token: kept in a short-lived cookie and repeated in the form. */
export function loginCsrf(req: FastifyRequest, reply: FastifyReply, s: CookieSettings): string {
  const have = parseCookies(req.headers.cookie)[LOGIN_COOKIE];
  const token = have && /^[A-Za-z0-9_-]{32}$/.test(have) ? have : randomBytes(24).toString('base64url');
  addCookie(reply, cookie(LOGIN_COOKIE, token, LOGIN_COOKIE_MAX_AGE_S, s));
  return token;
}

export function checkLoginCsrf(req: FastifyRequest, given: unknown): void {
  const have = parseCookies(req.headers.cookie)[LOGIN_COOKIE];
  if (!have || typeof given !== 'string' || !tokensEqual(given, have)) {
    throw new HttpError(403, 'EAUTH', 'the login form expired or came from another page: reload it and log in again');
  }
}

/** Reads the session cookie into `req.consoleSession`; true when signed in. */
export async function loadSession(req: FastifyRequest, sessions: SessionStore): Promise<boolean> {
  const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  const session = await sessions.get(id);
  if (!session) return false;
  req.consoleSession = session;
  req.consoleSessionId = id;
  return true;
}

/**
 * Every state-changing request of a session carries its CSRF token: a form field `_csrf`,
 * or the `x-csrf-token` header (the import's upload).
 */
export function checkCsrf(req: FastifyRequest): void {
  const s = req.consoleSession;
  const body = req.body as Record<string, unknown> | undefined;
  const given = (body && typeof body === 'object' && typeof body._csrf === 'string' ? body._csrf : undefined) ?? req.headers['x-csrf-token'];
  if (!s || typeof given !== 'string' || !tokensEqual(given, s.csrf)) {
    throw new HttpError(403, 'EAUTH', 'the form expired or came from another page (CSRF token missing or wrong): reload the page and try again');
  }
}
