import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/connect.js';
import type { Keys } from '../../keys.js';
import { isRole, type Role } from '../roles.js';

/** How long a console session lives after its login. @defaultValue 12 hours */
export const SESSION_TTL_S = 12 * 60 * 60;

/** One user's signed-in session. */
export interface ConsoleSession {
  /** The user's address; "token" for a login with BRIEF_ADMIN_TOKEN. */
  user: string;
  /** The role at login (a user's current role is re-read on each request). */
  role: Role;
  /** The CSRF token every form of this session carries. */
  csrf: string;
  /** Epoch ms of the login. */
  createdAt: number;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * Console sessions in Redis, so every server of a cluster knows them and a restart keeps
 * editors signed in. The key holds the hash of the cookie value, never the value: someone
 * who can read Redis still cannot replay a session. Sessions expire SESSION_TTL_S after login.
 */
export class SessionStore {
  constructor(private readonly deps: { redis: RedisClient; keys: Pick<Keys, 'consoleSession'>; ttlSeconds?: number }) {}

  private get ttl(): number {
    return this.deps.ttlSeconds ?? SESSION_TTL_S;
  }

  /** A new session (a new id at every login, so a planted cookie is never promoted). */
  async create(user: string, role: Role = 'admin'): Promise<{ id: string; session: ConsoleSession; maxAge: number }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { user, role, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now() };
    const key = this.deps.keys.consoleSession(hashId(id));
    await this.deps.redis.hset(key, { user: session.user, role, csrf: session.csrf, createdAt: String(session.createdAt) });
    await this.deps.redis.expire(key, this.ttl);
    return { id, session, maxAge: this.ttl };
  }

  async get(id: string | undefined): Promise<ConsoleSession | null> {
    // A real id is 43 characters; anything else is not worth a round trip.
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
    const h = await this.deps.redis.hgetall(this.deps.keys.consoleSession(hashId(id)));
    if (!h.user || !h.csrf) return null;
    // A session from before roles was the shared password's: the token's admin.
    return { user: h.user, role: isRole(h.role) ? h.role : 'admin', csrf: h.csrf, createdAt: Number(h.createdAt ?? 0) };
  }

  /** A one-line message for the next page this session opens (after a redirect). */
  async flash(id: string | undefined, text: string, bad = false): Promise<void> {
    if (!id) return;
    await this.deps.redis.hset(this.deps.keys.consoleSession(hashId(id)), 'flash', JSON.stringify({ text, bad }));
  }

  async takeFlash(id: string | undefined): Promise<{ text: string; bad: boolean } | undefined> {
    if (!id) return undefined;
    const key = this.deps.keys.consoleSession(hashId(id));
    const [[, v]] = (await this.deps.redis.multi().hget(key, 'flash').hdel(key, 'flash').exec()) as [[unknown, string | null]];
    return v ? (JSON.parse(v) as { text: string; bad: boolean }) : undefined;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (!id) return;
    await this.deps.redis.del(this.deps.keys.consoleSession(hashId(id)));
  }
}
