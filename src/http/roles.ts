import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

/**
 * The console's roles, weakest first: a **viewer** sees everything (GET); an **editor** also
 * previews, curates, test-sends, sends, pauses, resumes and cancels; an **admin** also manages
 * users and lists (imports, subscriber changes, forget). `BRIEF_ADMIN_TOKEN` is an admin.
 */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** True when `have` may do what `need` may. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who is asking: a console user (by address), the admin token, or a CLI user. */
export interface Principal {
  /** The user's address, "token" for BRIEF_ADMIN_TOKEN, `cli:NAME` on the command line. */
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a console route needs, when not the default (viewer to read, editor to change). */
    role?: Role;
  }
  interface FastifyRequest {
    /** Set by the console's session hook and the API's auth hook before any handler runs. */
    principal?: Principal;
  }
}

/**
 * Throws 403 (EAUTH) unless the request's principal has at least `need`; 401 when there is
 * no principal at all (a route outside the authenticated scopes).
 */
export function requireRole(req: FastifyRequest, need: Role): Principal {
  const p = req.principal;
  if (!p) throw new HttpError(401, 'EAUTH', 'not logged in');
  if (!roleAllows(p.role, need)) {
    throw new HttpError(403, 'EAUTH', `${p.name} is ${article(p.role)} ${p.role}: this needs the ${need} role`);
  }
  return p;
}

/**
 * The same as a route option: `{ preHandler: roleGuard('editor') }`. The console's and the
 * API's own hooks already ask for viewer on GET and editor on every other method, so a route
 * needs this only to ask for more (admin) — or to say so where a reader looks.
 */
export function roleGuard(need: Role) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    requireRole(req, need);
  };
}

/** The role a route asks for when it says nothing: viewer to read, editor to change. */
export function defaultRole(method: string): Role {
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'editor';
}

/** What a request needs: its route's `config.role`, else the default for its method. */
export function neededRole(req: FastifyRequest): Role {
  const r = (req.routeOptions.config as { role?: unknown } | undefined)?.role;
  return isRole(r) ? r : defaultRole(req.method);
}

const article = (r: Role) => (r === 'admin' ? 'an' : 'a');
