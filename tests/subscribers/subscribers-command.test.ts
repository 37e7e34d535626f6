import { describe, expect, it } from 'vitest';
import { subscribersCommand } from '../../src/cli/subscribers-command.js';
import type { CliContext } from '../../src/cli/context.js';
import { readEnv } from '../../src/config/env.js';
import { BriefError } from '../../src/errors.js';
import { capture, fixture, storePerTest } from './helpers.js';

const fx = storePerTest();

/** Runs `brief subscribers ARGS…` against the test Redis; returns what it printed. */
async function run(args: string[], opts: { tty?: boolean } = {}): Promise<{ stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  if (opts.tty) Object.assign(err.stream, { isTTY: true, columns: 80 });
  const ctx: CliContext = {
    env: readEnv({}),
    config: () => {
      throw new Error('subscribers commands must not need the config');
    },
    usingExample: () => false,
    redis: async () => fx.t.redis,
    keys: () => fx.t.keys,
    stdout: out.stream as unknown as NodeJS.WriteStream,
    stderr: err.stream as unknown as NodeJS.WriteStream,
    warn: (line) => err.stream.write(`${line}\n`),
    verbose: false,
  };
  await subscribersCommand(ctx).parseAsync(args, { from: 'user' });
  return { stdout: out.text(), stderr: err.text() };
}

async function failure(args: string[]): Promise<BriefError> {
  const err = await run(args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BriefError);
  return err as BriefError;
}

describe('brief subscribers import', () => {
  it('prints the summary; nothing on stderr when it is not a terminal', async () => {
    const { stdout, stderr } = await run(['import', 'daily', fixture('good.csv')]);
    expect(stdout).toBe('imported 4 rows into daily: 4 added, 0 updated, 0 kept unsubscribed, 0 suppressed, 0 duplicates, 0 invalid, 0 unchanged\n');
    expect(stderr).toBe('');
    expect(await fx.store.countActive('daily')).toBe(4);
  });

  it('lists invalid rows with their line numbers', async () => {
    const { stdout } = await run(['import', 'daily', fixture('bad-rows.csv')]);
    expect(stdout.split('\n')).toEqual([
      'imported 11 rows into daily: 6 added, 0 updated, 0 kept unsubscribed, 0 suppressed, 1 duplicates, 4 invalid, 0 unchanged',
      'line 3: invalid address "x@"',
      'line 4: missing email',
      'line 7: invalid address "not an address"',
      'line 12: invalid address "two@@example.org"',
      '',
    ]);
  });

  it('shows at most 20 invalid rows, then how many more', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/brief-csv-`);
    try {
      const file = `${dir}/many-bad.csv`;
      writeFileSync(file, ['email', ...Array.from({ length: 25 }, (_, i) => `bad${i}@`)].join('\n'));
      const lines = (await run(['import', 'daily', file])).stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(22);
      expect(lines[20]).toBe('line 21: invalid address "bad19@"');
      expect(lines[21]).toBe('… and 5 more');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps unsubscribed addresses unless --resubscribe', async () => {
    await run(['import', 'daily', fixture('good.csv')]);
    await fx.store.setStatus('daily', 'ana@example.org', 'unsubscribed');
    expect((await run(['import', 'daily', fixture('good.csv')])).stdout).toMatch(/: 0 added, 0 updated, 1 kept unsubscribed, .* 3 unchanged\n$/);
    expect((await fx.store.get('daily', 'ana@example.org'))?.status).toBe('unsubscribed');
    expect((await run(['import', 'daily', fixture('good.csv'), '--resubscribe'])).stdout).toMatch(/: 0 added, 1 updated, 0 kept unsubscribed, .* 3 unchanged\n$/);
    expect((await fx.store.get('daily', 'ana@example.org'))?.status).toBe('active');
  });

  it('draws a progress bar on stderr only when stderr is a terminal', async () => {
    const { stdout, stderr } = await run(['import', 'daily', fixture('good.csv')], { tty: true });
    expect(stderr).toContain('importing');
    expect(stdout).toMatch(/^imported 4 rows into daily/);
  });

  it('fails with ECSV naming the file when there is no email column', async () => {
    const err = await failure(['import', 'daily', fixture('no-email-header.csv')]);
    expect(err.code).toBe('ECSV');
    expect(err.message).toBe(`${fixture('no-email-header.csv')}: no "email" column in the header (line 1)`);
  });
});

describe('brief subscribers add / remove / count / export', () => {
  it('adds, reports and counts', async () => {
    expect((await run(['add', 'daily', 'Ana@Example.org', '--name', 'Ana'])).stdout).toBe('added ana@example.org to daily\n');
    expect((await run(['add', 'daily', 'ana@example.org'])).stdout).toBe('ana@example.org is already on daily\n');
    expect((await run(['add', 'daily', 'ana@example.org', '--name', 'Ana B'])).stdout).toBe('updated ana@example.org on daily\n');
    expect((await run(['add', 'daily', 'boris@example.org'])).stdout).toBe('added boris@example.org to daily\n');
    expect((await run(['count', 'daily'])).stdout).toBe('2\n');
    expect((await fx.store.get('daily', 'ana@example.org'))?.name).toBe('Ana B');
  });

  it('does not re-activate an unsubscribed or suppressed address without --resubscribe', async () => {
    await run(['add', 'daily', 'ana@example.org']);
    await fx.store.setStatus('daily', 'ana@example.org', 'bounced');
    expect((await run(['add', 'daily', 'ana@example.org'])).stdout).toBe('ana@example.org is bounced on daily: not re-activated (--resubscribe does)\n');
    await fx.store.suppress('sup@example.org', 'smtp 550');
    expect((await run(['add', 'daily', 'sup@example.org'])).stdout).toBe('sup@example.org is suppressed (smtp 550): not added as active (--resubscribe does)\n');
    expect((await run(['count', 'daily'])).stdout).toBe('0\n');
    expect((await run(['add', 'daily', 'sup@example.org', '--resubscribe'])).stdout).toBe('added sup@example.org to daily\n');
    expect((await run(['count', 'daily'])).stdout).toBe('1\n');
  });

  it('rejects a bad address with EINPUT', async () => {
    const err = await failure(['add', 'daily', 'x@']);
    expect(err.code).toBe('EINPUT');
    expect(err.message).toBe('"x@" is not a valid email address');
    expect(await fx.store.lists()).toEqual([]);
  });

  it('removes, and fails with ENOTFOUND for an address not on the list', async () => {
    await run(['add', 'daily', 'ana@example.org']);
    expect((await run(['remove', 'daily', 'ANA@example.org'])).stdout).toBe('removed ana@example.org from daily\n');
    expect((await run(['count', 'daily'])).stdout).toBe('0\n');
    const err = await failure(['remove', 'daily', 'ana@example.org']);
    expect(err.code).toBe('ENOTFOUND');
    expect(err.message).toBe('ana@example.org is not on list "daily"');
  });

  it('fails with ENOTFOUND for count or export of a list that was never created', async () => {
    expect((await failure(['count', 'nope'])).code).toBe('ENOTFOUND');
    expect((await failure(['export', 'nope'])).message).toBe('no list "nope" (brief subscribers import or add creates one)');
  });

  it('exports CSV to stdout', async () => {
    await run(['import', 'daily', fixture('good.csv')]);
    await fx.store.setStatus('daily', 'carla@example.org', 'unsubscribed');
    const { stdout } = await run(['export', 'daily']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('email,name,status,Address,City,Plan');
    expect(lines.slice(1).sort()).toEqual([
      'ana@example.org,Ana Beridze,active,,Tbilisi,pro',
      'boris@example.org,"Boris, the Editor",active,"12 Abovyan St, Apt 4",Yerevan,free',
      'carla@example.org,Carla Mendes,unsubscribed,,Baku,',
      'dato@example.org,Dato,active,,"Kutaisi, Imereti",pro',
    ]);
  });
});
