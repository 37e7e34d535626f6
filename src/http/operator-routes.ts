import type { FastifyInstance } from 'fastify';
import type { App } from '../wiring.js';
import { liveWorkers } from './live-workers.js';
import { processMetricsRegistry, readMetricsSnapshot, renderMetrics } from './metrics.js';
import { jsonErrorHandler } from './http-error.js';

/** Readiness answers within this, or says Redis is not answering (ioredis would wait forever). */
const PING_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * /healthz (the process answers), /readyz (Redis answers and a worker is alive) and /metrics.
 * Unauthenticated, as orchestrators and Prometheus expect; they show counts, never addresses.
 */
export async function operatorRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  f.setErrorHandler(jsonErrorHandler());
  const processRegistry = processMetricsRegistry();

  f.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  f.get('/readyz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    const ping = await withTimeout(app.redis.ping().catch((err: Error) => err), PING_TIMEOUT_MS);
    if (ping !== 'PONG') {
      const why = ping === 'timeout' ? `no answer in ${PING_TIMEOUT_MS} ms` : ping instanceof Error ? ping.message : String(ping);
      return reply.code(503).send({ status: 'not ready', reason: `Redis does not answer PING (${why})` });
    }
    const workers = liveWorkers(await app.redis.hgetall(app.keys.workers()), Date.now());
    if (workers.length === 0) {
      return reply.code(503).send({ status: 'not ready', reason: 'no worker heartbeat in the last 30 s: start `brief worker` or `brief start`' });
    }
    return reply.send({ status: 'ready', workers: workers.length });
  });

  f.get('/metrics', async (_req, reply) => {
    const { text, contentType } = await renderMetrics(await readMetricsSnapshot(app), processRegistry);
    return reply.header('cache-control', 'no-store').type(contentType).send(text);
  });
}
