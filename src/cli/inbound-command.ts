import { Command } from 'commander';
import type { OwnedContext } from './make-context.js';
import { openRuntime } from './app-runtime.js';
import { untilSignal } from './until-signal.js';

/**
 * `brief inbound`: the SMTP endpoint that the bounce domain's MX points at (DSNs, ARF
 * complaints, mailto unsubscribes), on INBOUND_PORT. `brief start` runs it too when
 * `bounces.domain` is set.
 */
export function inboundCommand(ctx: OwnedContext): Command {
  return new Command('inbound')
    .description('the SMTP endpoint for bounces (DSNs), complaints (ARF) and mailto unsubscribes, on INBOUND_PORT (2525)')
    .action(async () => {
      const signal = untilSignal(ctx, 'messages');
      const rt = await openRuntime(ctx, { embedded: false, logs: true, links: true });
      try {
        const { startInboundServer } = await import('../inbound/index.js');
        if (!rt.app.config.bounces.domain && !rt.app.config.newsletters.some((n) => n.unsubscribeMailbox)) {
          ctx.warn('bounces.domain and unsubscribeMailbox are unset: every recipient will be refused');
        }
        const inbound = await startInboundServer(rt.app);
        try {
          ctx.warn(`inbound SMTP on ${inbound.host}:${inbound.port} (bounces for ${rt.app.config.bounces.domain ?? 'no bounce domain'}); Ctrl-C to stop`);
          await signal;
        } finally {
          await inbound.close();
        }
      } finally {
        await rt.close();
      }
    });
}
