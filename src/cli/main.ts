import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { makeContext, type OwnedContext } from './make-context.js';
import { previewCommand } from './preview-command.js';
import { BriefError, oneLine, printable } from '../errors.js';
import { packagePath } from '../paths.js';
import { registerCommands } from './register-commands.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Commander's usage errors in the same one-line shape as ours: `brief: unknown option '--x'`. */
function briefError(str: string, write: (s: string) => void): void {
  write(`brief: ${str.replace(/^error: /, '')}`);
}

/**
 * The `brief` command. Every failure a user can cause ends as one line on stderr and a
 * non-zero exit; the stack trace only with --verbose or DEBUG.
 */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose') || Boolean(process.env.DEBUG);
  const configIdx = argv.indexOf('--config');
  const configArg = argv.find((a) => a.startsWith('--config='))?.slice('--config='.length)
    ?? (configIdx >= 0 ? argv[configIdx + 1] : undefined);
  let ctx: OwnedContext | undefined;
  try {
    ctx = makeContext({ configFile: configArg, verbose });
    const program = new Command('brief')
      .description('daily-brief: compile newsroom feeds into a Daily Brief email and deliver it over SMTP')
      .version(version())
      // Declared here so every command accepts them; read above before parsing, since the
      // context must exist before commands are built.
      .option('--config <FILE>', 'config file (default: ./brief.config.json, else the bundled example)')
      .option('--verbose', 'print stack traces of errors')
      .showHelpAfterError(false)
      .configureOutput({ outputError: briefError })
      .exitOverride();
    program.addCommand(previewCommand(ctx));
    registerCommands(program, ctx);
    // Commands made with `new Command` and added with addCommand inherit no settings: give
    // each the exit override, and help that lists --config and --verbose too.
    for (const cmd of program.commands) {
      for (const c of [cmd, ...cmd.commands]) {
        c.exitOverride().configureHelp({ showGlobalOptions: true }).configureOutput({ outputError: briefError });
      }
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander already printed.
      return err.exitCode;
    }
    const line = oneLine(err);
    const code = err instanceof BriefError ? `${err.code}: ` : '';
    for (const l of line.split('\n')) process.stderr.write(`brief: ${verbose ? code : ''}${printable(l)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 1;
  } finally {
    await ctx?.close().catch(() => {});
  }
}
