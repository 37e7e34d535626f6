import { Command, Option } from 'commander';
import { BriefError } from '../errors.js';
import { ROLES } from '../http/roles.js';
import type { OwnedContext } from './make-context.js';
import { openRuntime } from './app-runtime.js';
import { auditCli } from './cli-actor.js';
import { userKey } from '../users/index.js';

/**
 * `brief users add|list|remove|reset`: console accounts. add and reset print a one-time
 * sign-in link (stdout, nothing else there) where the user chooses a password.
 */
export function usersCommand(ctx: OwnedContext): Command {
  const cmd = new Command('users').description('console accounts: add, list, remove, reset (roles: admin, editor, viewer)');
  const print = (line: string) => ctx.stdout.write(`${line}\n`);
  // The App: links are signed with the link secret and point at PUBLIC_URL.
  const withUsers = async <T>(fn: (app: Awaited<ReturnType<typeof openRuntime>>['app']) => Promise<T>): Promise<T> => {
    const rt = await openRuntime(ctx, { links: true });
    try {
      return await fn(rt.app);
    } finally {
      await rt.close();
    }
  };

  cmd
    .command('add')
    .description('add a user (or change a role) and print a sign-in link (single use, 24 hours)')
    .argument('<EMAIL>', "the user's email address (their login)")
    .addOption(new Option('--role <ROLE>', 'what the user may do').choices([...ROLES]).makeOptionMandatory())
    .action(async (email: string, opts: { role: string }) =>
      withUsers(async (app) => {
        const r = await app.users.add(email, opts.role);
        await auditCli(ctx, { action: 'user-add', target: r.user.email, detail: `role ${r.user.role}${r.created ? '' : ' (was there: role set, new link)'}` });
        ctx.warn(`${r.user.email}: ${r.created ? 'added' : 'updated'} as ${r.user.role}; the link works once, for 24 hours:`);
        print(r.link);
      }),
    );

  cmd
    .command('list')
    .description('the users, their roles and whether they set a password')
    .option('--json', 'JSON instead of lines')
    .action(async (opts: { json?: boolean }) =>
      withUsers(async (app) => {
        const users = await app.users.list();
        if (opts.json) print(JSON.stringify(users, null, 2));
        else if (!users.length) ctx.warn('no users (brief users add EMAIL --role editor adds one)');
        else for (const u of users) print(`${u.email}\t${u.role}\t${u.hasPassword ? 'password set' : u.linkPending ? 'sign-in link pending' : 'no password'}`);
      }),
    );

  cmd
    .command('remove')
    .description('remove a user; their sessions end at their next request')
    .argument('<EMAIL>')
    .action(async (email: string) =>
      withUsers(async (app) => {
        if (!(await app.users.remove(email))) throw new BriefError('ENOTFOUND', `no user ${userKey(email)}`);
        await auditCli(ctx, { action: 'user-remove', target: userKey(email) });
        ctx.warn(`${userKey(email)}: removed`);
      }),
    );

  cmd
    .command('reset')
    .description("clear a user's password, end their sessions and print a new sign-in link (older links stop working)")
    .argument('<EMAIL>')
    .action(async (email: string) =>
      withUsers(async (app) => {
        const r = await app.users.reset(email);
        await auditCli(ctx, { action: 'user-reset', target: r.user.email });
        ctx.warn(`${r.user.email}: password cleared; the link works once, for 24 hours:`);
        print(r.link);
      }),
    );
  return cmd;
}
