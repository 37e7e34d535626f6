import { describe, expect, it } from 'vitest';
import { parseRedisUrl, describeTarget } from '../../src/redis/redis-url.js';
import { redactUrl } from '../../src/redis/connect.js';
import { BriefError } from '../../src/errors.js';
import { brief, tempDir } from '../cli/brief.js';

describe('REDIS_URL', () => {
  it('reads one server, with password, user and database', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380')).toEqual({ kind: 'single', nodes: [{ host: '127.0.0.1', port: 6380 }], tls: false, db: 0 });
    expect(parseRedisUrl('redis://:s%40cret@cache.internal/3')).toEqual({
      kind: 'single', nodes: [{ host: 'cache.internal', port: 6379 }], tls: false, db: 3, password: 's@cret',
    });
    expect(parseRedisUrl('rediss://app:pw@cache.example.com:6390')).toMatchObject({ tls: true, username: 'app', password: 'pw', db: 0 });
    expect(parseRedisUrl('redis://[::1]:7000').nodes).toEqual([{ host: '::1', port: 7000 }]);
  });

  it('reads the seed nodes of a Cluster', () => {
    expect(parseRedisUrl('redis-cluster://u:p@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3?tls=true')).toEqual({
      kind: 'cluster',
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '10.0.0.3', port: 6379 }],
      username: 'u',
      password: 'p',
      tls: true,
      db: 0,
    });
  });

  it('reads the Sentinels, the master name and the database', () => {
    const t = parseRedisUrl('redis-sentinel://:pw@s1:26379,s2,s3:26380/brief-primary?db=2');
    expect(t).toEqual({
      kind: 'sentinel',
      nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }, { host: 's3', port: 26380 }],
      password: 'pw',
      masterName: 'brief-primary',
      tls: false,
      db: 2,
    });
    expect(describeTarget(t)).toBe('Redis Sentinel master "brief-primary" (sentinels s1:26379,s2:26379,s3:26380, db 2)');
  });

  it.each([
    ['http://x:1', 'unknown scheme'],
    ['redis://a:1,b:2', 'several hosts'],
    ['redis-cluster://a:99999', 'bad port'],
    ['redis-cluster://a:1/0', 'has a path'],
    ['redis-sentinel://a:26379', 'no master name'],
    ['redis-sentinel://a:26379/m?db=x', 'bad database number'],
    ['redis-cluster://a:1?tls=yes', 'tls other than'],
    ['redis-cluster://a:1?keyPrefix=x', 'unknown parameter "keyPrefix"'],
    ['redis-cluster://', 'no host'],
  ])('refuses %s with one line naming REDIS_URL', (url, why) => {
    let err: unknown;
    try {
      parseRedisUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BriefError);
    expect((err as BriefError).code).toBe('ECONFIG');
    expect((err as Error).message).toMatch(/^REDIS_URL: /);
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).not.toContain('\n');
  });

  it('never shows a password in an error or a log line', () => {
    expect(() => parseRedisUrl('redis-sentinel://user:hunter2@a:26379')).toThrow(/\*\*\*:\*\*\*@a:26379/);
    expect(() => parseRedisUrl('redis-sentinel://user:hunter2@a:26379')).not.toThrow(/hunter2/);
    expect(redactUrl('redis-sentinel://u:hunter2@a,b/m?sentinelPassword=zz')).toBe('redis-sentinel://***:***@a,b/m?sentinelPassword=***');
  });
});

describe('brief with a REDIS_URL it cannot use', () => {
  it.each([
    ['redis-sentinel://u:hunter2@127.0.0.1:1', /^brief: REDIS_URL: "redis-sentinel:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:1" has no master name/],
    ['redis-cluster://127.0.0.1:1,127.0.0.1:2', /^brief: cannot reach Redis at redis-cluster:\/\/127\.0\.0\.1:1,127\.0\.0\.1:2 \(/],
    ['redis-sentinel://127.0.0.1:1/brief', /^brief: cannot reach Redis at redis-sentinel:\/\/127\.0\.0\.1:1\/brief \(/],
  ])('%s: exit 1 with one line, no password', async (url, line) => {
    const { dir, cleanup } = tempDir();
    try {
      const r = await brief(['subscribers', 'count', 'daily'], { prefix: 'unused', cwd: dir, extra: { REDIS_URL: url }, timeoutMs: 20_000 });
      expect(r.code).toBe(1);
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(line);
      expect(r.stderr).not.toContain('hunter2');
    } finally {
      cleanup();
    }
  });
});
