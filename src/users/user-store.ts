import { createHmac, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { BriefError } from '../errors.js';
import { isRole, type Role } from '../http/roles.js';
import { tokensEqual } from '../http/admin-auth.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

/** How long a sign-in link works. @defaultValue 24 hours */
export const SIGN_IN_TTL_S = 24 * 60 * 60;
/** Where a sign-in link points, under PUBLIC_URL. */
export const SIGN_IN_PATH = '/admin/sign-in';

/** A console account as stored (the hash never leaves this module but for verify). */
interface StoredUser {
  email: string;
  role: Role;
  createdAt: string;
  /** The scrypt hash, once the user set a password. */
  hash?: string;
  passwordSetAt?: string;
  /** The nonce of the one sign-in link that works now (a reset replaces it). */
  link?: string;
  /** Epoch ms: sessions made before this (a reset, a password set) no longer work. */
  sessionsFrom?: number;
}

/** A console account as shown. */
export interface User {
  email: string;
  role: Role;
  createdAt: string;
  /** False until the user set a password through a sign-in link. */
  hasPassword: boolean;
  passwordSetAt?: string;
  /** A sign-in link is waiting to be used. */
  linkPending: boolean;
}

/**
 * Uses a sign-in link once: the link key must name the user, the user's record must still
 * hold that nonce (a reset or removal since makes it void), then the password hash is set
 * and the link deleted, in one step — two tabs cannot both use it. KEYS share `{users}`.
 */
const USE_LINK = new LuaScript(
  'use-sign-in-link',
  `local email = redis.call('GET', KEYS[1])
if not email then return false end
redis.call('DEL', KEYS[1])
local raw = redis.call('HGET', KEYS[2], email)
if not raw then return false end
local rec = cjson.decode(raw)
if rec.link ~= ARGV[1] then return false end
rec.link = nil
rec.hash = ARGV[2]
rec.passwordSetAt = ARGV[3]
rec.sessionsFrom = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], email, cjson.encode(rec))
return email`,
);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * The one spelling of an address as a login: trimmed, Unicode NFKC (a composed and a
 * decomposed "é", a full-width "Ａ", are one letter) and lower case, so `A@x` and `a@x`
 * are one user. Every look-up goes through it, not only add.
 */
export function userKey(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase().normalize('NFKC');
}

export function normaliseUserEmail(raw: string): string {
  const e = userKey(raw);
  // Control and format characters (ESC, zero-width, bidi overrides) make look-alike logins.
  if (!EMAIL.test(e) || e.length > 254 || /[\p{Cc}\p{Cf}]/u.test(e)) throw new BriefError('EINPUT', `${JSON.stringify(raw)} is not an email address`);
  return e;
}

/**
 * Who a failed login names in the audit log: the address typed when it is one, else a
 * placeholder — people type their password into the email field, and it must not be kept.
 */
export function loginName(raw: string): string {
  try {
    return normaliseUserEmail(raw);
  } catch {
    return '(not an address)';
  }
}

const show = (u: StoredUser): User => ({
  email: u.email, role: u.role, createdAt: u.createdAt, hasPassword: Boolean(u.hash), passwordSetAt: u.passwordSetAt, linkPending: Boolean(u.link),
});

/**
 * Console accounts in one Redis hash (`{users}`), with one-time sign-in links. A link is
 * `NONCE.EXPIRES.MAC`: the MAC (HMAC-SHA256 with the link secret) rejects a made-up link
 * without a Redis read, the key under the nonce makes it single use and expiring.
 */
export class UserStore {
  constructor(private readonly deps: { redis: RedisClient; keys: Pick<Keys, 'users' | 'signInLink'>; secret: () => Promise<string>; publicUrl: string; linkTtlS?: number }) {}

  private async read(email: string): Promise<StoredUser | undefined> {
    const raw = await this.deps.redis.hget(this.deps.keys.users(), email);
    return raw ? (JSON.parse(raw) as StoredUser) : undefined;
  }

  async get(email: string): Promise<User | undefined> {
    const u = await this.read(userKey(email));
    return u ? show(u) : undefined;
  }

  async list(): Promise<User[]> {
    const all = await this.deps.redis.hvals(this.deps.keys.users());
    return all.map((r) => show(JSON.parse(r) as StoredUser)).sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Adds an account (or changes its role) and returns a sign-in link for it. */
  async add(rawEmail: string, role: string): Promise<{ user: User; link: string; created: boolean }> {
    if (!isRole(role)) throw new BriefError('EINPUT', `role: ${JSON.stringify(role)} is not one of admin, editor, viewer`);
    const email = normaliseUserEmail(rawEmail);
    const have = await this.read(email);
    const rec: StoredUser = have ? { ...have, role } : { email, role, createdAt: new Date().toISOString() };
    const link = await this.issue(rec);
    return { user: show(rec), link, created: !have };
  }

  /** A new sign-in link; the old password and any older link stop working. */
  async reset(rawEmail: string): Promise<{ user: User; link: string }> {
    const email = normaliseUserEmail(rawEmail);
    const have = await this.read(email);
    if (!have) throw new BriefError('ENOTFOUND', `no user ${email}`);
    const rec: StoredUser = { ...have };
    delete rec.hash;
    delete rec.passwordSetAt;
    // A reset answers a leaked password or a lost laptop: the sessions made so far end too.
    rec.sessionsFrom = Date.now();
    const link = await this.issue(rec);
    return { user: show(rec), link };
  }

  async remove(rawEmail: string): Promise<boolean> {
    const email = normaliseUserEmail(rawEmail);
    const have = await this.read(email);
    if (!have) return false;
    const m = this.deps.redis.multi().hdel(this.deps.keys.users(), email);
    if (have.link) m.del(this.deps.keys.signInLink(have.link));
    await m.exec();
    return true;
  }

  private async mac(nonce: string, expires: number): Promise<string> {
    return createHmac('sha256', await this.deps.secret()).update(`daily-brief sign-in\n${nonce}\n${expires}`).digest('base64url');
  }

  private async issue(rec: StoredUser): Promise<string> {
    const ttl = this.deps.linkTtlS ?? SIGN_IN_TTL_S;
    const old = rec.link;
    const nonce = randomBytes(18).toString('base64url');
    const expires = Math.floor(Date.now() / 1000) + ttl;
    rec.link = nonce;
    const m = this.deps.redis.multi().hset(this.deps.keys.users(), rec.email, JSON.stringify(rec)).set(this.deps.keys.signInLink(nonce), rec.email, 'EX', ttl);
    if (old) m.del(this.deps.keys.signInLink(old));
    await m.exec();
    return `${this.deps.publicUrl.replace(/\/$/, '')}${SIGN_IN_PATH}/${nonce}.${expires}.${await this.mac(nonce, expires)}`;
  }

  /** The nonce of a well-formed, correctly signed, unexpired link token, else undefined. */
  private async nonceOf(token: string): Promise<string | undefined> {
    const m = /^([A-Za-z0-9_-]{24})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return undefined;
    const [, nonce, exp, mac] = m as unknown as [string, string, string, string];
    if (!tokensEqual(mac, await this.mac(nonce, Number(exp)))) return undefined;
    if (Number(exp) * 1000 <= Date.now()) return undefined;
    return nonce;
  }

  /** The address a sign-in link is for while it works, else undefined (used, expired, forged). */
  async linkUser(token: string): Promise<string | undefined> {
    const nonce = await this.nonceOf(token);
    if (!nonce) return undefined;
    const email = await this.deps.redis.get(this.deps.keys.signInLink(nonce));
    if (!email) return undefined;
    const u = await this.read(email);
    return u?.link === nonce ? email : undefined;
  }

  /** Sets the password through a link, once; ETOKEN when the link does not work (any more). */
  async setPassword(token: string, password: string): Promise<User> {
    const problem = passwordProblem(password);
    if (problem) throw new BriefError('EINPUT', problem);
    const nonce = await this.nonceOf(token);
    if (!nonce) throw new BriefError('ETOKEN', 'this sign-in link is not valid or has expired: ask an admin for a new one');
    const hash = await hashPassword(password);
    const email = await USE_LINK.run<string | null>(this.deps.redis, [this.deps.keys.signInLink(nonce), this.deps.keys.users()], [nonce, hash, new Date().toISOString(), String(Date.now())]);
    if (!email) throw new BriefError('ETOKEN', 'this sign-in link was already used or replaced: ask an admin for a new one');
    return show((await this.read(email))!);
  }

  /**
   * The user a console session made at `sessionCreatedAt` (epoch ms) stands for, while it
   * still may: undefined once the user was removed, reset, set a new password, or was
   * removed and added again since (the new account's createdAt is later than the session).
   */
  async forSession(email: string, sessionCreatedAt: number): Promise<User | undefined> {
    const u = await this.read(email);
    if (!u) return undefined;
    const from = Math.max(Date.parse(u.createdAt) || 0, u.sessionsFrom ?? 0);
    return sessionCreatedAt >= from ? show(u) : undefined;
  }

  /** The user when the address and password match, else undefined (same work either way). */
  async verify(rawEmail: string, password: string): Promise<User | undefined> {
    const u = await this.read(userKey(rawEmail));
    const ok = await verifyPassword(password, u?.hash);
    return ok && u ? show(u) : undefined;
  }
}
