import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefInBackground, newsletter, tempDir, writeConfig } from './brief.js';
import { FIXTURE_FEED } from '../helpers/app.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';
import { consoleLine } from '../../src/cli/worker-command.js';

describe('brief start prints the console URL', () => {
  let r: TestRedis;
  let tmp: { dir: string; cleanup(): void };

  beforeAll(async () => {
    r = await testRedis();
    tmp = tempDir();
    copyFileSync(FIXTURE_FEED, path.join(tmp.dir, 'feed.xml'));
  });
  afterAll(async () => {
    await deleteByPrefix(r.redis, r.prefix);
    await r.redis.quit();
    tmp.cleanup();
  });

  it('names the password source, or says the console is off', () => {
    expect(consoleLine('http://h:1', { token: 'x'.repeat(20), local: false })).toBe('editor console: http://h:1/admin (password: BRIEF_ADMIN_TOKEN)');
    expect(consoleLine('http://h:1', undefined)).toMatch(/^editor console: off \(set BRIEF_ADMIN_TOKEN/);
  });

  it('with the outbox default and no BRIEF_ADMIN_TOKEN, a local password that logs in at the printed URL', async () => {
    const cfg = writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({ sources: [{ type: 'rss', url: './feed.xml' }] })] });
    const bg = briefInBackground(['start', '--config', cfg], { prefix: r.prefix, cwd: tmp.dir, extra: { PORT: '0', PUBLIC_URL: '' } });
    try {
      await bg.waitForStderr(/editor console: \S+ \(password \S+:/, 30_000);
      const m = /editor console: (\S+) \(password (\S+): a local one/.exec(bg.stderr())!;
      expect(m, bg.stderr()).not.toBeNull();
      const [, url, password] = m;
      const form = await fetch(url!);
      const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const login = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password: password!, _csrf: csrf }).toString(),
      });
      expect(login.status).toBe(303);
      expect(login.headers.getSetCookie().join('\n')).toMatch(/brief_console=[^;]+; Path=\/admin; Max-Age=\d+; HttpOnly; SameSite=Strict$/m);
      // The same password next time: it is kept in Redis.
      expect(await r.redis.get(`${r.prefix}:local-admin-token`)).toBe(password);
    } finally {
      bg.child.kill('SIGTERM');
      await bg.exited();
    }
  }, 60_000);
});
