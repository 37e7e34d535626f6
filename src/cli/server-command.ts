import { Command } from 'commander';
import type { OwnedContext } from './make-context.js';
import { openRuntime } from './app-runtime.js';
import { untilSignal } from './until-signal.js';
import { tuneHeapForLongRun } from './heap-tuning.js';
import { consoleLine } from './worker-command.js';

/**
 * `brief server`: only the HTTP service (unsubscribe, archive, editor API, dashboard,
 * metrics), to scale it apart from the workers. It needs a Redis the workers share, so it
 * never starts the embedded one.
 */
export function serverCommand(ctx: OwnedContext): Command {
  return new Command('server')
    .description('only the HTTP server: unsubscribe links, web archive, editor API, dashboard, /metrics')
    .action(async () => {
      // Loaded on use, so other commands do not pay for fastify and bull-board.
      // Listening before anything starts: a SIGTERM during start-up is a graceful stop too.
      const signal = untilSignal(ctx, 'requests');
      tuneHeapForLongRun();
      const { startHttpServer, DASHBOARD_PATH } = await import('../http/index.js');
      const rt = await openRuntime(ctx, { embedded: false, logs: true, compileInChild: true, links: true });
      try {
        const http = await startHttpServer(rt.app);
        try {
          ctx.warn(`HTTP server on ${http.url} (links in emails use ${rt.app.env.publicUrl}); Ctrl-C to stop`);
          ctx.warn(
            rt.app.env.adminToken
              ? `dashboard: ${http.url}${DASHBOARD_PATH} (any user name, password BRIEF_ADMIN_TOKEN)`
              : 'BRIEF_ADMIN_TOKEN is unset: the editor API and the dashboard are off',
          );
          ctx.warn(consoleLine(http.url, rt.app.env.adminToken ? { token: rt.app.env.adminToken, local: false } : undefined));
          await signal;
        } finally {
          await http.close();
        }
      } finally {
        await rt.close();
      }
    });
}
