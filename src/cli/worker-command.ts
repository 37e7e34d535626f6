import { Command } from 'commander';
import path from 'node:path';
import type { OwnedContext } from './make-context.js';
import { openRuntime, type Runtime } from './app-runtime.js';
import type { WorkerRuntime } from '../wiring.js';
import { defaultEditionDate } from '../edition/index.js';
import { resolveConfigPath } from '../config/load.js';
import { packagePath } from '../paths.js';
import { importCsv } from '../subscribers/index.js';
import { oneLine } from '../errors.js';
import { untilSignal } from './until-signal.js';
import { tuneHeapForLongRun } from './heap-tuning.js';

/**
 * The bundled example, so `npm start` on a fresh machine shows a real edition: seed the
 * example list from examples/subscribers.csv when it is empty, and send today's edition
 * (or the next) to the outbox.
 */
async function runExample(ctx: OwnedContext, rt: Runtime): Promise<void> {
  const { app } = rt;
  const newsletter = app.config.newsletters[0]!;
  const list = newsletter.lists[0]!;
  if ((await app.subscribers.countActive(list)) === 0) {
    const report = await importCsv(app.subscribers, list, packagePath('examples', 'subscribers.csv'));
    ctx.warn(`example: imported ${report.added} subscribers into list "${list}"`);
  }
  const date = defaultEditionDate(newsletter.schedule, newsletter.timezone, new Date());
  const { status } = await app.service.request(newsletter.id, date);
  const outbox = resolveConfigPath(app.config, app.config.outboxDir);
  ctx.warn(`example: edition ${status.id} is ${status.state}; messages go to ${path.relative(process.cwd(), outbox) || outbox}/`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await app.service.status(status.id);
    if (s.state === 'sent' || s.state === 'failed' || Date.now() > deadline) {
      ctx.warn(`example: ${s.id} ${s.state}: ${s.sent} of ${s.total} messages written to ${outbox}${s.error ? ` (${s.error})` : ''}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function runWorker(ctx: OwnedContext, opts: { example: boolean; server: boolean }): Promise<void> {
  // Listening before anything starts: a SIGTERM that comes while starting up (or right after
  // "running", from a supervisor) is a graceful stop, not the default action that kills the
  // process with batches half sent.
  const signal = untilSignal(ctx, 'messages');
  tuneHeapForLongRun();
  const rt = await openRuntime(ctx, { embedded: true, logs: true, compileInChild: true, links: true });
  let worker: WorkerRuntime | undefined;
  let stopServer: (() => Promise<void>) | undefined;
  try {
    worker = await rt.app.startWorkers();
    if (opts.server) {
      const [{ startHttpServer }, { resolveAdminToken }] = await Promise.all([import('../http/index.js'), import('../wiring.js')]);
      const admin = await resolveAdminToken(rt.app.redis, rt.app.keys, rt.app.env);
      // Before the server is built: its console, API and dashboard read the token once.
      if (admin) rt.app.env.adminToken = admin.token;
      const http = await startHttpServer(rt.app);
      stopServer = () => http.close();
      ctx.warn(`HTTP server on ${http.url} (archive ${rt.app.env.publicUrl}/archive, metrics /metrics, dashboard /admin/queues)`);
      if (rt.app.config.bounces.domain) {
        const { startInboundServer } = await import('../inbound/index.js');
        const inbound = await startInboundServer(rt.app);
        const stopHttp = stopServer;
        stopServer = async () => {
          await inbound.close();
          await stopHttp();
        };
        ctx.warn(`inbound SMTP on ${inbound.host}:${inbound.port} (bounces for ${rt.app.config.bounces.domain})`);
      }
      ctx.warn(consoleLine(http.url, admin));
    }
    if (opts.example && ctx.usingExample()) {
      // Ctrl-C while the example is sending stops waiting for it, too.
      let stopping = false;
      void signal.then(() => (stopping = true));
      const example = runExample(ctx, rt).catch((err) => {
        if (!stopping) ctx.warn(`example: ${oneLine(err)}`);
      });
      await Promise.race([example, signal]);
    }
    ctx.warn(`worker ${worker.id} running; Ctrl-C to stop`);
    await signal;
  } finally {
    await stopServer?.().catch(() => {});
    await worker?.close();
    await rt.close();
  }
}

/** The line `brief start` and `brief server` print about the editor console. */
export function consoleLine(url: string, admin: { token: string; local: boolean } | undefined): string {
  if (!admin) return 'editor console: off (set BRIEF_ADMIN_TOKEN to turn on /admin, the editor API and the dashboard)';
  if (admin.local) {
    return `editor console: ${url}/admin (password ${admin.token}: a local one for the outbox default; set BRIEF_ADMIN_TOKEN to choose it)`;
  }
  return `editor console: ${url}/admin (password: BRIEF_ADMIN_TOKEN)`;
}

export function workerCommands(ctx: OwnedContext): Command[] {
  const start = new Command('start')
    .description('the main job: workers + scheduler + HTTP server in one process')
    .action(() => runWorker(ctx, { example: true, server: true }));
  const worker = new Command('worker')
    .description('only the workers and schedulers (run several, on several machines, to scale out)')
    .action(() => runWorker(ctx, { example: false, server: false }));
  return [start, worker];
}
