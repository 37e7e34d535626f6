import type { CliContext } from './context.js';

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
export function untilSignal(ctx: Pick<CliContext, 'warn'>, what: string): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      ctx.warn(`${sig}: finishing the ${what} in flight, then exiting (send ${sig} again to exit now)`);
      process.once(sig, () => process.exit(130));
      resolve(sig);
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}
