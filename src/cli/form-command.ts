import { Command } from 'commander';
import { getNewsletter } from '../config/load.js';
import type { CliContext } from './context.js';

/**
 * `brief form NEWSLETTER`: prints a plain HTML signup form (no script) that posts to
 * `PUBLIC_URL/subscribe/NEWSLETTER`, for pasting into the newsroom's own site. That site's
 * origin must be in the newsletter's `signup.allowedOrigins`, or the post is refused.
 */
export function formCommand(ctx: CliContext): Command {
  return new Command('form')
    .description('print an embeddable HTML signup form for a newsletter (its site must be in signup.allowedOrigins)')
    .argument('<NEWSLETTER>', 'newsletter id')
    .action(async (id: string) => {
      const n = getNewsletter(ctx.config(), id);
      const { embedSnippet } = await import('../http/signup-form.js');
      ctx.stdout.write(embedSnippet(n, ctx.env.publicUrl));
      if (!ctx.env.publicUrlSet) ctx.warn(`PUBLIC_URL is unset: the form posts to ${ctx.env.publicUrl}; set PUBLIC_URL to the server's public address`);
      if (n.signup.allowedOrigins.length === 0) ctx.warn(`newsletter "${n.id}" has no signup.allowedOrigins: posts from other sites are refused until you add the site's origin`);
    });
}
