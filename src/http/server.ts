import type { AddressInfo } from 'node:net';
import { exampleImageRoutes } from './example-images.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { App } from '../wiring.js';
import { securityHeaders, pageHeaders } from './security-headers.js';
import { redactUrl } from './redact-url.js';
import { describeError, jsonErrorHandler } from './http-error.js';
import { errorPage } from './subscriber-pages.js';
import { subscriberRoutes } from './subscriber-routes.js';
import { signupRoutes } from './signup-routes.js';
import { archiveRoutes } from './archive-routes.js';
import { apiRoutes } from './api-routes.js';
import { dashboardRoutes, DASHBOARD_PATH } from './dashboard.js';
import { operatorRoutes } from './operator-routes.js';
import { consoleRoutes, CONSOLE_PATH } from './console/index.js';
import { webhookRoutes, type WebhookRouteOptions } from './webhook-routes.js';
import { h, renderPage } from './page.js';

/** Request bodies: a one-click POST is ~30 bytes, the largest API body a list of 20 addresses. */
export const BODY_LIMIT = 16 * 1024;
/** Request headers (Node's default, stated so it does not change under us). */
export const HEADER_LIMIT = 16 * 1024;
/** Link tokens are a few hundred characters; longer path parameters are 404 without a look. */
export const MAX_PARAM_LENGTH = 2048;
/** A handler that waits longer than this (Redis away) answers 503 instead of hanging. */
export const HANDLER_TIMEOUT_MS = 30_000;

/** Requests logged at debug rather than info: scrapes, probes and the dashboard's polling. */
function quiet(url: string): boolean {
  return url === '/metrics' || url === '/healthz' || url === '/readyz' || url.startsWith(`${DASHBOARD_PATH}/`);
}

/**
 * The HTTP service, not listening (tests use `inject`). Its logger is the app's, with the
 * request URLs redacted (subscriber tokens name an address) and no address at info level.
 */
export function buildHttpServer(app: App, opts: { webhookFetch?: WebhookRouteOptions['fetch'] } = {}): FastifyInstance {
  const f = Fastify({
    // Typed as fastify's base logger so the instance is the plain FastifyInstance plugins take.
    loggerInstance: app.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Fastify's own request lines would log raw URLs, tokens included; ours are below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    http: { maxHeaderSize: HEADER_LIMIT },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Only the proxies named in BRIEF_TRUST_PROXY: X-Forwarded-For is whatever a client says
    // unless it comes from one of them. The login throttle counts per req.ip.
    trustProxy: app.env.trustProxy?.length ? app.env.trustProxy : false,
    requestTimeout: 30_000,
    handlerTimeout: HANDLER_TIMEOUT_MS,
    forceCloseConnections: 'idle',
  });

  f.addHook('onRequest', securityHeaders);
  f.addHook('onResponse', async (req, reply) => {
    const entry = { method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (quiet(req.url)) req.log.debug(entry, 'request');
    else req.log.info(entry, 'request');
  });
  f.setErrorHandler(jsonErrorHandler());
  f.setNotFoundHandler((req, reply) => {
    const a = { status: 404, code: 'ENOTFOUND' as const, message: `no route ${req.method} ${redactUrl(req.url.split('?')[0] ?? '')}` };
    if (req.url.startsWith('/api/') || req.url === '/api') {
      return reply.code(404).send({ error: { code: a.code, message: a.message } });
    }
    return pageHeaders(reply.code(404)).send(errorPage(a));
  });

  f.register(subscriberRoutes, { app });
  f.register(signupRoutes, { app });
  f.register(archiveRoutes, { app });
  f.register(apiRoutes, { app, prefix: '/api' });
  f.register(dashboardRoutes, { app, prefix: DASHBOARD_PATH });
  f.register(consoleRoutes, { app, prefix: CONSOLE_PATH });
  f.register(operatorRoutes, { app });
  f.register(webhookRoutes, { app, fetch: opts.webhookFetch });
  f.register(exampleImageRoutes);

  f.get('/', async (_req, reply) => {
    const archives = app.config.newsletters
      .map((n) => `<li><a href="archive/${h(encodeURIComponent(n.id))}">${h(n.title)}</a></li>`)
      .join('\n');
    return pageHeaders(reply).send(
      renderPage({
        title: 'daily-brief',
        noindex: false,
        body: `<h1>daily-brief</h1>
<p>Past editions:</p>
<ul class="lists">
${archives}
</ul>
<p class="muted">Editors: <a href="${CONSOLE_PATH.slice(1)}">console</a> · Operators: <a href="${DASHBOARD_PATH.slice(1)}">queue dashboard</a> · <a href="metrics">metrics</a> · <a href="readyz">readiness</a></p>`,
      }),
    );
  });

  if (!app.env.adminToken) {
    app.logger.warn('BRIEF_ADMIN_TOKEN is unset: the editor API (/api) and the dashboard (/admin/queues) answer 503');
  }
  return f;
}

export interface HttpServer {
  /** Where the server listens, e.g. http://127.0.0.1:3000 (links in emails use PUBLIC_URL). */
  url: string;
  server: FastifyInstance;
  /** Stops taking connections and waits for the requests in flight. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP service. Port 0 picks a free port (tests).
 * @param opts.port @defaultValue `app.env.port` (PORT, 3000)
 * @param opts.host @defaultValue `app.env.host` (HOST, 127.0.0.1)
 */
export async function startHttpServer(app: App, opts: { port?: number; host?: string } = {}): Promise<HttpServer> {
  const server = buildHttpServer(app);
  const host = opts.host ?? app.env.host;
  await server.listen({ port: opts.port ?? app.env.port, host });
  const addr = server.server.address() as AddressInfo;
  // A wildcard address is not one to browse to; the loopback name is.
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    server,
    close: () => server.close(),
  };
}
