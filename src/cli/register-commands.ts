import type { Command } from 'commander';
import type { OwnedContext } from './make-context.js';
import { editionCommands } from './edition-commands.js';
import { workerCommands } from './worker-command.js';
import { subscribersCommand } from './subscribers-command.js';
import { serverCommand } from './server-command.js';
import { feedsCommand } from './feeds-command.js';
import { formCommand } from './form-command.js';
import { inboundCommand } from './inbound-command.js';
import { usersCommand } from './users-command.js';
import { auditCommand } from './audit-command.js';

/** Every command but preview (added first, in main). */
export function registerCommands(program: Command, ctx: OwnedContext): void {
  for (const c of workerCommands(ctx)) program.addCommand(c);
  program.addCommand(serverCommand(ctx));
  program.addCommand(inboundCommand(ctx));
  for (const c of editionCommands(ctx)) program.addCommand(c);
  program.addCommand(subscribersCommand(ctx));
  program.addCommand(feedsCommand(ctx));
  program.addCommand(formCommand(ctx));
  program.addCommand(usersCommand(ctx));
  program.addCommand(auditCommand(ctx));
}
