/**
 * Issue 11: `brief feeds check SOURCE… [--type T] [--base URL] [--json]` reads feeds as an
 * edition does, with no Redis, and prints what it found.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { brief, newsletter, shown, tempDir, writeConfig, FIXTURES } from './brief.js';
import { startFeedServer } from '../articles/feed-server.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'feeds-check-rss.xml');
// Nothing listens here: the command must not need Redis.
const NO_REDIS = { REDIS_URL: 'redis://127.0.0.1:1' };

let tmp: ReturnType<typeof tempDir>;
let server: Awaited<ReturnType<typeof startFeedServer>>;
const run = (args: string[]) => brief(['feeds', 'check', ...args], { cwd: tmp.dir, prefix: 'unused', extra: NO_REDIS });

beforeAll(async () => {
  tmp = tempDir();
  copyFileSync(FIXTURE, path.join(tmp.dir, 'check.xml'));
  copyFileSync(path.join(FIXTURES, 'rss.xml'), path.join(tmp.dir, 'rss.xml'));
  writeFileSync(path.join(tmp.dir, 'broken.xml'), '<rss><channel><item><title>x</titel></item></channel></rss>');
  server = await startFeedServer({
    '/feed.json': (_req, res) => {
      res.setHeader('content-type', 'application/feed+json');
      res.end(JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        home_page_url: 'https://json.example.org/',
        items: [{ id: 'j1', url: '/j1', title: 'Plain <b> text', content_html: '<p>Hello <em>there</em></p>', date_published: '2025-09-04T08:00:00Z', authors: [{ name: 'Ana' }, { name: 'Levan' }], tags: ['A'] }],
      }));
    },
  });
});

afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe.concurrent('brief feeds check', { timeout: 60_000 }, () => {
  it('--json: one line per source, every item in feed order, unusable ones with a warning naming index and reason', async ({ expect }) => {
    const r = await run(['check.xml', '--base', 'https://news.example.org/', '--json']);
    expect(r.code, shown(r)).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      source: 'check.xml',
      ok: true,
      type: 'rss',
      articles: [
        {
          id: 'blink-1',
          title: 'History of the <blink> tag',
          link: 'https://news.example.org/stories/blink',
          published: '2025-09-04T06:15:30.000Z',
          author: 'Nino Beridze',
          summary: 'Before <marquee> there was blink.',
          tags: ['Web', 'members-only'],
          image: { url: 'https://news.example.org/img/blink.png', alt: 'A blinking tag', caption: 'It blinked' },
          membersOnly: true,
        },
        {
          id: 'https://news.example.org/stories/undated',
          title: 'No date at all',
          link: 'https://news.example.org/stories/undated',
          published: null,
          author: null,
          summary: '',
          tags: [],
          image: null,
          membersOnly: false,
        },
        {
          id: 'https://news.example.org/stories/bad-date',
          title: 'Bad date',
          link: 'https://news.example.org/stories/bad-date',
          published: null,
          author: null,
          summary: '',
          tags: [],
          image: null,
          membersOnly: false,
        },
      ],
      warnings: [
        'check.xml: item 2 "No date at all": no usable date',
        'check.xml: item 3 "Bad date": no usable date ("Thu, 04 Sep 2025 10:15:30 +99:99")',
      ],
    });
  });

  it('human output: type, count, first titles with dates, then the warnings', async ({ expect }) => {
    const r = await run(['check.xml']);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'check.xml: rss, 0 articles (3 items found)',
      '  2025-09-04T06:15:30Z  History of the <blink> tag',
      '  no date               No date at all',
      '  no date               Bad date',
      '  warning: check.xml: item 1 "History of the <blink> tag": relative link "/stories/blink" and no site URL to resolve it against',
      '  warning: check.xml: item 2 "No date at all": relative link "/stories/undated" and no site URL to resolve it against',
      '  warning: check.xml: item 3 "Bad date": relative link "/stories/bad-date" and no site URL to resolve it against',
      '',
    ]);
  });

  it('reads http(s) sources, and exits 1 with a JSON error line when one fails', async ({ expect }) => {
    const r = await run([`${server.base}/feed.json`, 'broken.xml', `${server.base}/missing.xml`, '--json']);
    expect(r.code, shown(r)).toBe(1);
    const [json, broken, missing] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(json).toMatchObject({
      source: `${server.base}/feed.json`,
      ok: true,
      type: 'jsonfeed',
      articles: [{ id: 'j1', title: 'Plain <b> text', link: 'https://json.example.org/j1', summary: 'Hello there', author: 'Ana, Levan', tags: ['A'] }],
      warnings: [],
    });
    expect(broken).toEqual({ source: 'broken.xml', ok: false, error: expect.stringMatching(/^broken\.xml: not well-formed XML at line 1: /) });
    expect(missing).toEqual({ source: `${server.base}/missing.xml`, ok: false, error: `${server.base}/missing.xml: HTTP 404` });
  });

  it('without --json a failure is one line on stderr, and the exit is 1', async ({ expect }) => {
    const r = await run(['check.xml', 'nope.xml']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/^check\.xml: rss, /);
    expect(r.errLines).toEqual(['brief: nope.xml: no such file']);
  });

  it('--type is checked against the content, and --base must be an http(s) URL', async ({ expect }) => {
    const typed = await run(['check.xml', '--type', 'atom', '--json']);
    expect(typed.code, shown(typed)).toBe(1);
    expect(JSON.parse(typed.stdout)).toEqual({ source: 'check.xml', ok: false, error: 'check.xml: configured as type "atom" but the content is an RSS feed' });
    const base = await run(['check.xml', '--base', 'ftp://x.example/']);
    expect(base.code, shown(base)).toBe(1);
    expect(base.errLines).toEqual(['brief: --base: "ftp://x.example/" is not an http(s) URL']);
  });
});

describe('brief preview with a failing source', { timeout: 60_000 }, () => {
  it('renders from the sources that read and names the one that failed', async ({ expect }) => {
    const cfg = writeConfig(tmp.dir, 'two.config.json', {
      newsletters: [newsletter({ timezone: 'Europe/London', sources: [{ type: 'rss', url: './rss.xml' }, { url: './gone.xml' }] })],
    });
    const out = path.join(tmp.dir, 'two.html');
    const r = await brief(['preview', 'daily', '--date', '2025-10-26', '--out', out, '--config', cfg], { cwd: tmp.dir, prefix: 'unused', extra: NO_REDIS });
    expect(r.code, shown(r)).toBe(0);
    expect(r.errLines).toContain('feed failed (the edition goes out without it): ./gone.xml: no such file');
  });
});
