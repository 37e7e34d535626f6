/**
 * Issue 17: `brief users add|list|remove|reset` and `brief audit [--since D] [--json]`, run
 * as a user runs them; CLI actions are recorded as `cli:OSUSER`.
 */
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brief, newsletter, SECRET, shown, tempDir, writeConfig } from './brief.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';
import { UserStore } from '../../src/users/index.js';
import { AuditLog } from '../../src/audit/index.js';

let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;
let cfg: string;

beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir(['rss.xml']);
  cfg = writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({})] });
});
afterAll(async () => {
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  tmp.cleanup();
});

describe('brief users and brief audit', { timeout: 120_000 }, () => {
  it('adds a user with a working one-time link, lists, resets and removes; brief audit shows each with cli:USER', async () => {
    const env = { cwd: tmp.dir, prefix: redis.prefix };
    const run = (...args: string[]) => brief([...args, '--config', cfg], env);
    const me = `cli:${userInfo().username}`;

    const add = await run('users', 'add', 'Ed@Example.org', '--role', 'editor');
    expect(add.code, shown(add)).toBe(0);
    const link = add.stdout.trim();
    expect(link).toMatch(/^https:\/\/brief\.example\.org\/admin\/sign-in\/\S+$/);
    const bad = await run('users', 'add', 'x@example.org', '--role', 'boss');
    expect(bad.code).not.toBe(0);
    expect(bad.errLines.join('\n')).toMatch(/boss/);

    // The link the command printed works (once) with the server's secret.
    const users = new UserStore({ redis: redis.redis, keys: redis.keys, secret: async () => SECRET, publicUrl: 'https://brief.example.org' });
    const token = link.split('/').pop()!;
    await users.setPassword(token, 'a password long enough');
    await expect(users.setPassword(token, 'a password long enough')).rejects.toMatchObject({ code: 'ETOKEN' });
    expect(await users.verify('ed@example.org', 'a password long enough')).toMatchObject({ role: 'editor' });

    const list = await run('users', 'list', '--json');
    expect(list.code, shown(list)).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ email: 'ed@example.org', role: 'editor', hasPassword: true })]);
    expect(list.stdout).not.toContain('scrypt');

    const reset = await run('users', 'reset', 'ed@example.org');
    expect(reset.code, shown(reset)).toBe(0);
    expect(reset.stdout.trim()).not.toBe(link);
    expect(await users.verify('ed@example.org', 'a password long enough')).toBeUndefined();

    // A console action, as the server records it.
    await new AuditLog({ redis: redis.redis, keys: redis.keys }).record({ actor: 'ed@example.org', action: 'login', ip: '192.0.2.7' });
    const rm = await run('users', 'remove', 'ed@example.org');
    expect(rm.code, shown(rm)).toBe(0);
    expect((await run('users', 'remove', 'ed@example.org')).code).not.toBe(0);

    const audit = await run('audit', '--json', '--since', '1h');
    expect(audit.code, shown(audit)).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{ actor: string; action: string; target: string; ip: string; at: string }>;
    expect(entries.map((e) => `${e.actor} ${e.action} ${e.target}`)).toEqual([
      `${me} user-remove ed@example.org`,
      'ed@example.org login ',
      `${me} user-reset ed@example.org`,
      `${me} user-add ed@example.org`,
    ]);
    expect(entries[1]!.ip).toBe('192.0.2.7');
    expect(Date.parse(entries[0]!.at)).toBeGreaterThan(Date.now() - 3_600_000);

    const lines = await run('audit', '--action', 'user-add');
    expect(lines.stdout.trim().split('\n')).toHaveLength(1);
    expect(lines.stdout).toContain(`${me}\tuser-add\ted@example.org`);
    const future = await run('audit', '--json', '--since', '2999-01-01');
    expect(JSON.parse(future.stdout)).toEqual([]);
    // Other commands record too: a subscriber added from the command line.
    expect((await run('subscribers', 'add', 'daily', 'reader@example.net')).code).toBe(0);
    const sub = JSON.parse((await run('audit', '--json', '--action', 'subscriber-add')).stdout) as Array<{ actor: string; target: string; ip: string }>;
    expect(sub).toEqual([expect.objectContaining({ actor: me, target: 'daily', ip: 'cli' })]);
    expect(JSON.stringify(sub)).not.toContain('reader@example.net');
    const wrong = await run('audit', '--since', 'yesterday');
    expect(wrong.code).not.toBe(0);
    expect(wrong.errLines).toHaveLength(1);
    expect(wrong.errLines[0]).toMatch(/--since/);
  });
});
