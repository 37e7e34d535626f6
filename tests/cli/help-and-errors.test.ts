/**
 * DESIGN.md: "every command has --help, exits non-zero with a one-line reason on error";
 * issue 2: a broken feed and a bad config each give one clear line and a non-zero exit.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { brief, newsletter, shown, tempDir, writeConfig } from './brief.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;
/** Every key under the test's prefix. */
async function keysUnder(t: TestRedis): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await t.redis.scan(cursor, 'MATCH', `${t.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    out.push(...found);
  } while (cursor !== '0');
  return out;
}
const run = (args: string[]) => brief(args, { cwd: tmp.dir, prefix: redis.prefix });

beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir(['rss.xml', 'broken.xml']);
});

afterAll(async () => {
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  tmp.cleanup();
});

describe.concurrent('brief --help and usage errors', { timeout: 120_000 }, () => {
  it('brief --help exits 0 and lists the commands of DESIGN.md', async ({ expect }) => {
    const r = await run(['--help']);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/^Usage: brief /);
    for (const c of ['preview', 'start', 'worker', 'server', 'inbound', 'send', 'test-send', 'editions', 'edition', 'status', 'subscribers']) {
      expect(r.stdout, c).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it('brief preview --help exits 0 and shows its options, --config included', async ({ expect }) => {
    const r = await run(['preview', '--help']);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/^Usage: brief preview /);
    for (const o of ['--date <YYYY-MM-DD>', '--out <FILE.html>', '--text <FILE.txt>', '--config <FILE>', '--verbose']) {
      expect(r.stdout, o).toContain(o);
    }
  });

  it('every command has --help (exit 0, its own usage line)', async ({ expect }) => {
    const commands = ['start', 'worker', 'server', 'inbound', 'send', 'test-send', 'editions', 'edition', 'status', 'subscribers', 'subscribers import', 'feeds', 'feeds check'];
    const results = await Promise.all(commands.map((c) => run([...c.split(' '), '--help'])));
    results.forEach((r, i) => {
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: brief ${commands[i]} `));
    });
  });

  it('an unknown command exits non-zero with one line', async ({ expect }) => {
    const r = await run(['frobnicate']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines, shown(r)).toEqual(["brief: unknown command 'frobnicate'"]);
    expect(r.stdout).toBe('');
  });

  it('an unknown option exits non-zero with one line', async ({ expect }) => {
    const r = await run(['preview', '--bogus']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines, shown(r)).toEqual(["brief: unknown option '--bogus'"]);
  });

  it('a malformed --date is one line', async ({ expect }) => {
    const cfg = writeConfig(tmp.dir, 'good.config.json', { newsletters: [newsletter({})] });
    const r = await run(['preview', 'daily', '--date', '5/9/2025', '--config', cfg]);
    expect(r.code, shown(r)).not.toBe(0);
    expect(r.errLines, shown(r)).toHaveLength(1);
    expect(r.errLines[0]).toContain('--date');
    expect(r.errLines[0]).toContain('5/9/2025');
  });

  it('a truncated required feed: non-zero, exactly one line naming the file; --verbose adds the stack trace', async ({ expect }) => {
    // Issue 11: `required: true` keeps all-or-nothing for a source (see the next test for the default).
    const cfg = writeConfig(tmp.dir, 'broken.config.json', {
      newsletters: [newsletter({ sources: [{ type: 'rss', url: './rss.xml' }, { url: './broken.xml', required: true }] })],
    });
    const out = path.join(tmp.dir, 'broken.html');
    const args = ['preview', 'daily', '--date', '2025-09-05', '--out', out, '--config', cfg];
    const [plain, verbose] = await Promise.all([run(args), run([...args, '--verbose'])]);

    expect(plain.code, shown(plain)).toBe(1);
    expect(plain.errLines, shown(plain)).toHaveLength(1);
    expect(plain.errLines[0]).toMatch(/^brief: \.\/broken\.xml: not well-formed XML at line \d+/);
    expect(plain.stderr).not.toContain('rss.xml');
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(out), 'no HTML written for a failed preview').toBe(false);

    expect(verbose.code, shown(verbose)).toBe(1);
    expect(verbose.stderr).toContain('./broken.xml: not well-formed XML');
    expect(verbose.errLines.length).toBeGreaterThan(3);
    expect(verbose.stderr).toMatch(/^\s+at .+\(.+\.js:\d+:\d+\)$/m);
  });

  it('a truncated feed among others: the preview goes out from the rest, with one line naming the failed one', async ({ expect }) => {
    const cfg = writeConfig(tmp.dir, 'broken-optional.config.json', {
      newsletters: [newsletter({ sources: [{ type: 'rss', url: './rss.xml' }, { url: './broken.xml' }] })],
    });
    const out = path.join(tmp.dir, 'broken-optional.html');
    const r = await run(['preview', 'daily', '--date', '2025-09-05', '--out', out, '--config', cfg]);
    expect(r.code, shown(r)).toBe(0);
    expect(r.errLines.filter((l) => l.includes('broken.xml'))).toEqual([
      expect.stringMatching(/^feed failed \(the edition goes out without it\): \.\/broken\.xml: not well-formed XML at line \d+/),
    ]);
    expect(existsSync(out)).toBe(true);
  });

  it('a bad config: non-zero, one line per bad field, naming it', async ({ expect }) => {
    const cfg = writeConfig(tmp.dir, 'bad.config.json', {
      newsletters: [
        newsletter({ timezone: 'Mars/Olympus', schedule: '61 8 * * *', colour: 'red' }),
        newsletter({ id: 'second', lists: ['Second List'] }),
      ],
      delivery: { batchSize: 0 },
    });
    const r = await run(['preview', 'daily', '--date', '2025-09-05', '--config', cfg]);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.errLines.map((l) => l.replace(/^brief: bad\.config\.json: /, ''));
    expect(lines, shown(r)).toHaveLength(5);
    expect(lines, shown(r)).toEqual(
      expect.arrayContaining([
        'newsletters[0].timezone: unknown time zone "Mars/Olympus"',
        expect.stringMatching(/^newsletters\[0\]\.schedule: invalid cron pattern "61 8 \* \* \*": .*59/),
        'newsletters[0].colour: unknown key',
        expect.stringMatching(/^newsletters\[1\]\.lists\[0\]: list must be lower-case/),
        expect.stringMatching(/^delivery\.batchSize: .*>=1/),
      ]),
    );
    expect(r.errLines.every((l) => l.startsWith('brief: bad.config.json: ')), shown(r)).toBe(true);
  });

  it('a config that is not JSON, and a missing config file, are one line each', async ({ expect }) => {
    const notJson = path.join(tmp.dir, 'not-json.config.json');
    writeFileSync(notJson, '{ "newsletters": [ ');
    const [a, b] = await Promise.all([
      run(['preview', '--config', notJson]),
      run(['preview', '--config', path.join(tmp.dir, 'nope.json')]),
    ]);
    expect(a.code, shown(a)).toBe(1);
    expect(a.errLines, shown(a)).toHaveLength(1);
    expect(a.errLines[0]).toMatch(/^brief: not-json\.config\.json: not valid JSON/);
    expect(b.code, shown(b)).toBe(1);
    expect(b.errLines, shown(b)).toHaveLength(1);
    expect(b.errLines[0]).toContain('nope.json: no such file');
  });

  it('brief subscribers add with an invalid address: non-zero, one line, nothing stored', async ({ expect }) => {
    const cfg = writeConfig(tmp.dir, 'add.config.json', { newsletters: [newsletter({})] });
    const r = await run(['subscribers', 'add', 'daily', 'not-an-address', '--config', cfg]);
    expect(r.code, shown(r)).toBe(1);
    expect(r.errLines, shown(r)).toEqual(['brief: "not-an-address" is not a valid email address']);
    expect(r.stdout).toBe('');
    expect(await keysUnder(redis)).toEqual([]);
  });
});
