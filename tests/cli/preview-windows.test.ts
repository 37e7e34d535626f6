/**
 * Issue 2, "Done when": `brief preview` on hand-made RSS, Atom, JSON Feed and WordPress
 * fixtures gives the right articles for boundary timestamps to the second, in several
 * zones, across DST. See tests/fixtures/cli/README.md for the sixteen items of each feed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { brief, newsletter, shown, tempDir, writeConfig } from './brief.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';

const FEEDS = ['rss.xml', 'atom.xml', 'jsonfeed.json', 'wordpress.json'];
const TYPES = ['rss', 'atom', 'json', 'wp'] as const;
const WINDOWS = ['lf', 'ls', 'ny', 'tb'] as const;
const POINTS = ['start', 'start-plus-1s', 'end', 'end-plus-1s'] as const;
/** Every title in the fixtures: 4 types × 4 windows × 4 points. */
const ALL = TYPES.flatMap((t) => WINDOWS.flatMap((w) => POINTS.map((p) => `${t}-${w}-${p}`)));
const TITLE = /\b(?:rss|atom|json|wp)-(?:lf|ls|ny|tb)-(?:start|end)(?:-plus-1s)?\b/g;

const titlesIn = (text: string) => new Set(text.match(TITLE) ?? []);
/** The titles an edition of window `w` must hold: start + 1 s and end, from every feed type. */
const expected = (w: string) => new Set(TYPES.flatMap((t) => [`${t}-${w}-start-plus-1s`, `${t}-${w}-end`]));

const sources = (typed: boolean) =>
  [
    { type: 'rss', url: './rss.xml' },
    { type: 'atom', url: './atom.xml' },
    { type: 'jsonfeed', url: './jsonfeed.json' },
    { type: 'wordpress', url: './wordpress.json' },
  ].map((s) => (typed ? s : { url: s.url }));

interface Case {
  name: string;
  window: (typeof WINDOWS)[number];
  timezone: string;
  schedule: string;
  date: string;
  start: string;
  end: string;
  hours: number;
  /** Leave `type` out of the sources: detected from the content. */
  detect?: boolean;
}

const CASES: Case[] = [
  { name: 'Europe/London on the day the clocks go back (25 h)', window: 'lf', timezone: 'Europe/London', schedule: '0 8 * * *',
    date: '2025-10-26', start: '2025-10-25T07:00:00.000Z', end: '2025-10-26T08:00:00.000Z', hours: 25 },
  { name: 'Europe/London on the day the clocks go forward (23 h)', window: 'ls', timezone: 'Europe/London', schedule: '0 8 * * *',
    date: '2025-03-30', start: '2025-03-29T08:00:00.000Z', end: '2025-03-30T07:00:00.000Z', hours: 23 },
  { name: 'America/New_York weekdays, Monday after the weekend and the 2 November fall-back', window: 'ny',
    timezone: 'America/New_York', schedule: '0 7 * * 1-5',
    date: '2025-11-03', start: '2025-10-31T11:00:00.000Z', end: '2025-11-03T12:00:00.000Z', hours: 73 },
  { name: 'Asia/Tbilisi (no DST), feed types detected from the content', window: 'tb', timezone: 'Asia/Tbilisi', schedule: '0 8 * * *',
    date: '2025-09-05', start: '2025-09-04T04:00:00.000Z', end: '2025-09-05T04:00:00.000Z', hours: 24, detect: true },
];

let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir(FEEDS);
});

afterAll(async () => {
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  tmp.cleanup();
});

describe.concurrent('brief preview: edition windows to the second, in all four feed types', { timeout: 120_000 }, () => {
  for (const c of CASES) {
    it(c.name, async ({ expect }) => {
      const cfg = writeConfig(tmp.dir, `${c.window}.config.json`, {
        newsletters: [newsletter({ id: 'daily', timezone: c.timezone, schedule: c.schedule, sources: sources(!c.detect) })],
      });
      const html = path.join(tmp.dir, `${c.window}.html`);
      const txt = path.join(tmp.dir, `${c.window}.txt`);
      const r = await brief(['preview', 'daily', '--date', c.date, '--out', html, '--text', txt, '--config', cfg], {
        cwd: tmp.dir,
        prefix: redis.prefix,
      });
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout, 'with --out the HTML goes to the file, not stdout').toBe('');
      expect(r.stderr).toContain(`daily-${c.date}: 8 articles, window (${c.start}, ${c.end}]`);
      expect(r.stderr, 'Redis is up, so the check against earlier editions ran').not.toMatch(/skipped|warning/i);
      expect((Date.parse(c.end) - Date.parse(c.start)) / 3_600_000).toBe(c.hours);

      const want = expected(c.window);
      const text = readFileSync(txt, 'utf8');
      const page = readFileSync(html, 'utf8');
      expect([...titlesIn(text)].sort(), 'titles in the text part').toEqual([...want].sort());
      expect([...titlesIn(page)].sort(), 'titles in the HTML').toEqual([...want].sort());
      // Spelled out, so a failure names the boundary item that went the wrong way.
      for (const title of ALL.filter((t) => t.includes(`-${c.window}-`))) {
        const inside = title.endsWith('-start-plus-1s') || title.endsWith('-end');
        expect(titlesIn(text).has(title), `${title} ${inside ? 'in' : 'out'}`).toBe(inside);
      }
      expect(page).toMatch(/^<!doctype html>/i);
      expect(text).toContain('https://rss.example.com/' + `${c.window}-end`);
      expect(text).toContain('https://wp.example.org/' + `${c.window}-start-plus-1s/`);
    });
  }

  it('a date the weekday schedule has no occurrence on (a Saturday) is one line and a non-zero exit', async ({ expect }) => {
    const cfg = writeConfig(tmp.dir, 'saturday.config.json', {
      newsletters: [newsletter({ timezone: 'America/New_York', schedule: '0 7 * * 1-5', sources: sources(true) })],
    });
    const out = path.join(tmp.dir, 'saturday.html');
    const r = await brief(['preview', 'daily', '--date', '2025-11-01', '--out', out, '--config', cfg], { cwd: tmp.dir, prefix: redis.prefix });
    expect(r.code, shown(r)).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.errLines, shown(r)).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/no edition on .*Saturday.*1 November 2025/);
    expect(r.errLines[0]).toContain('0 7 * * 1-5');
    expect(r.stdout).toBe('');
  });
});
