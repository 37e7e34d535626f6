import { afterEach, describe, expect, it } from 'vitest';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { AuditLog } from '../../src/audit/index.js';

describe('the audit log', () => {
  let t: TestRedis | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('lists entries newest first, filters by action and time, and stays capped', async () => {
    t = await testRedis();
    const log = new AuditLog({ redis: t.redis, keys: t.keys, maxEntries: 10 });
    await log.record({ actor: 'a@example.org', action: 'login', ip: '127.0.0.1' });
    await log.record({ actor: 'a@example.org', action: 'send', target: 'daily-2025-09-05', ip: '127.0.0.1' });
    const all = await log.list();
    expect(all.map((e) => e.action)).toEqual(['send', 'login']);
    expect(all[0]).toMatchObject({ actor: 'a@example.org', target: 'daily-2025-09-05', ip: '127.0.0.1' });
    expect(Date.parse(all[0]!.at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await log.list({ action: 'login' })).map((e) => e.action)).toEqual(['login']);
    expect(await log.list({ since: new Date(Date.now() + 60_000) })).toEqual([]);

    for (let i = 0; i < 300; i++) await log.record({ actor: 'cli:x', action: 'pause', target: `e${i}` });
    // MAXLEN ~ trims whole macro nodes: roughly the cap, never the 302 written.
    expect(await t.redis.xlen(t.keys.auditLog())).toBeLessThan(302);
    expect((await log.list({ limit: 1 }))[0]!.target).toBe('e299');
  });
});
