import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brief, newsletter, tempDir, writeConfig } from './brief.js';
import { FIXTURE_DATE, FIXTURE_FEED } from '../helpers/app.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('brief preview --png', () => {
  let r: TestRedis;
  let tmp: { dir: string; cleanup(): void };
  let cfg: string;
  const run = (args: string[], extra?: Record<string, string>) =>
    brief(['preview', '--date', FIXTURE_DATE, '--config', cfg, ...args], { prefix: r.prefix, cwd: tmp.dir, extra, timeoutMs: 60_000 });

  beforeAll(async () => {
    r = await testRedis();
    tmp = tempDir();
    copyFileSync(FIXTURE_FEED, path.join(tmp.dir, 'feed.xml'));
    cfg = writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({ sources: [{ type: 'rss', url: './feed.xml' }] })] });
  });
  afterAll(async () => {
    await deleteByPrefix(r.redis, r.prefix);
    await r.redis.quit();
    tmp.cleanup();
  });

  it('writes a full-page screenshot at 375 px by default, at --width, and in --dark', async () => {
    const phone = path.join(tmp.dir, 'phone.png');
    const a = await run(['--out', path.join(tmp.dir, 'e.html'), '--png', phone]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/wrote .*phone\.png \(375×\d+ px\)/);
    const p = pngSize(phone);
    expect(p.width).toBe(375);
    expect(p.height).toBeGreaterThan(600);

    const wide = path.join(tmp.dir, 'wide.png');
    const dark = path.join(tmp.dir, 'dark.png');
    const [b, c] = await Promise.all([run(['--out', path.join(tmp.dir, 'w.html'), '--png', wide, '--width', '800']), run(['--out', path.join(tmp.dir, 'd.html'), '--png', dark, '--dark'])]);
    expect(b.code, b.stderr).toBe(0);
    expect(pngSize(wide).width).toBe(800);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/375×\d+ px, dark\)/);
    expect(readFileSync(dark).equals(readFileSync(phone))).toBe(false);
  }, 90_000);

  it('says in one line when Chromium is missing, and when --width is not a width', async () => {
    const missing = await run(['--out', path.join(tmp.dir, 'm.html'), '--png', path.join(tmp.dir, 'm.png')], { CHROMIUM_PATH: path.join(tmp.dir, 'no-chromium') });
    expect(missing.code).not.toBe(0);
    expect(missing.errLines.filter((l) => !l.startsWith('daily-') && !l.startsWith('wrote '))).toEqual([
      expect.stringMatching(/--png needs Chromium: none at .*no-chromium \(apt-get install chromium, or set CHROMIUM_PATH\)/),
    ]);
    const bad = await run(['--png', path.join(tmp.dir, 'x.png'), '--width', 'wide']);
    expect(bad.code).not.toBe(0);
    expect(bad.errLines).toEqual([expect.stringContaining('--width: "wide" must be a whole number of pixels')]);
  }, 60_000);
});
