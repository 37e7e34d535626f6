import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/dist/types.js';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { App } from '../wiring.js';
import { requireBasic } from './admin-auth.js';
import { SessionStore } from './console/session-store.js';
import { loadSession } from './console/console-auth.js';
import { jsonErrorHandler } from './http-error.js';
import { DASHBOARD_CSP } from './security-headers.js';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board for both queues, behind HTTP Basic auth (password BRIEF_ADMIN_TOKEN): a browser
 * asks for it by itself, where a Bearer token would need a tool. Register with prefix
 * DASHBOARD_PATH; the hook guards every route of this scope, static files included.
 */
export async function dashboardRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  f.setErrorHandler(jsonErrorHandler());
  // An editor signed in to the console (its cookie is scoped to /admin) opens the dashboard
  // without a second password; anyone else gets HTTP Basic. The cookie is SameSite=Strict,
  // so no other site's page can make a request with it.
  const sessions = new SessionStore({ redis: app.redis, keys: app.keys });
  const basic = requireBasic({ adminToken: app.env.adminToken, redis: app.redis, keys: app.keys });
  f.addHook('onRequest', async (req, reply) => {
    if (app.env.adminToken && (await loadSession(req, sessions))) {
      // Looking is every role's; retrying, removing or promoting jobs is an admin's.
      const user = req.consoleSession!.user;
      const role = user === 'token' || user === 'editor' ? 'admin' : (await app.users.forSession(user, req.consoleSession!.createdAt))?.role;
      if (role && (req.method === 'GET' || req.method === 'HEAD' || role === 'admin')) return undefined;
      if (role) {
        return reply.code(403).header('cache-control', 'no-store').send({ error: { code: 'EAUTH', message: `a ${role} may look at the queues but not change them` } });
      }
    }
    return basic(req, reply);
  });
  f.addHook('onRequest', async (_req, reply) => {
    reply.header('content-security-policy', DASHBOARD_CSP).header('cache-control', 'no-store');
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(app.editionsQueue), new BullMQAdapter(app.batchQueue), new BullMQAdapter(app.transactionalQueue)],
    // @bull-board/fastify 9.10.1 pins its own copy of @bull-board/api 9.10.1 beside our 9.10.2;
    // the two declare the same interface, but TypeScript sees separate private fields.
    serverAdapter: serverAdapter as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'daily-brief' } },
  });
  await f.register(serverAdapter.registerPlugin());
}
