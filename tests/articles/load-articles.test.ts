import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefError, FeedError } from '../../src/errors.js';
import { loadArticles, wordPressPageUrl } from '../../src/articles/index.js';
import { startFeedServer } from './feed-server.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/feeds');
const fixture = (name: string) => path.join(FIXTURES, name);
const WINDOW = { start: '2025-09-04T04:00:00.000Z', end: '2025-09-05T04:00:00.000Z' };

let server: Awaited<ReturnType<typeof startFeedServer>>;
let pagesAsked: string[] = [];

beforeAll(async () => {
  const pages = [readFileSync(fixture('wordpress-posts.json')), readFileSync(fixture('wordpress-posts-page2.json'))];
  server = await startFeedServer({
    '/wp-json/wp/v2/posts': (_req, res, url) => {
      const q = url.searchParams;
      pagesAsked.push(q.get('page') ?? '?');
      // Answer like WordPress does to a bad query, so a wrong parameter fails the test.
      const problems = [
        !q.has('_embed') && '_embed missing',
        q.get('after') !== '2025-09-04T04:00:00Z' && `after=${q.get('after')}`,
        q.get('before') !== '2025-09-05T04:00:01Z' && `before=${q.get('before')}`,
        q.get('per_page') !== '100' && `per_page=${q.get('per_page')}`,
        !['1', '2'].includes(q.get('page') ?? '') && `page=${q.get('page')}`,
      ].filter(Boolean);
      if (problems.length) {
        res.statusCode = 400;
        res.end(JSON.stringify({ code: 'rest_invalid_param', message: problems.join(', ') }));
        return;
      }
      res.setHeader('content-type', 'application/json; charset=UTF-8');
      res.setHeader('x-wp-totalpages', '2');
      res.end(pages[Number(q.get('page')) - 1]);
    },
    '/many/wp-json/wp/v2/posts': (_req, res, url) => {
      pagesAsked.push(url.searchParams.get('page') ?? '?');
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-wp-totalpages', '25');
      res.end('[]');
    },
  });
});

afterAll(async () => {
  await server.close();
});

describe('loadArticles', () => {
  it('merges sources newest first, keeping the first source’s copy of a story seen twice', async () => {
    const { articles, warnings } = await loadArticles([
      { url: fixture('rss.xml'), label: 'main' },
      { url: fixture('rss-mirror.xml'), label: 'mirror' },
    ]);
    const titles = articles.map((a) => `${a.source}: ${a.title}`);
    // The mirror's copies (same guid; same URL) are gone, its own story stays.
    expect(titles).toEqual([
      'main: Morning podcast: the week ahead', // 08:00Z
      'main: Tbilisi & Batumi: rail timetable changes', // 06:15:30Z
      'main: Members: the long read', // 05:30Z
      'mirror: Only in the mirror', // 05:00Z
      'main: Video: Caspian sunset from the Baku boulevard', // 04:30:45Z
      'main: Café culture — Yerevan’s new terraces', // 04:05Z
    ]);
    expect(warnings).toHaveLength(3);
    expect(warnings.every((w) => w.startsWith('main: item '))).toBe(true);
  });

  it('puts the first-listed source first when both have the story, whichever loads faster', async () => {
    const { articles } = await loadArticles([
      { url: fixture('rss-mirror.xml'), label: 'mirror' },
      { url: fixture('rss.xml'), label: 'main' },
    ]);
    expect(articles.find((a) => a.id === 'rail-timetable-2025')?.source).toBe('mirror');
    expect(articles.find((a) => a.url === 'https://news.example.com/2025/09/04/podcast')?.source).toBe('mirror');
  });

  it('reads the other sources when one fails, and names the failure', async () => {
    const { articles, failures } = await loadArticles([
      { url: fixture('rss.xml'), label: 'main' },
      { url: fixture('malformed.xml'), label: 'feeds/broken.xml' },
    ]);
    expect(articles.length).toBeGreaterThan(0);
    expect(articles.every((a) => a.source === 'main')).toBe(true);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.source).toBe('feeds/broken.xml');
    expect(failures[0]!.error).toMatch(/^feeds\/broken\.xml: not well-formed XML at line 5: /);
  });

  it('fails with the one-line FeedError of a failing required source', async () => {
    const err = await loadArticles([
      { url: fixture('rss.xml'), label: 'main' },
      { url: fixture('malformed.xml'), label: 'feeds/broken.xml', required: true },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toMatch(/^feeds\/broken\.xml: not well-formed XML at line 5: /);
  });

  it('fails with one line per source when every source fails', async () => {
    const err = await loadArticles([
      { url: fixture('malformed.xml'), label: 'feeds/broken.xml' },
      { url: fixture('no-such-file.xml'), label: 'feeds/missing.xml' },
    ]).catch((e: unknown) => e);
    expect((err as BriefError).code).toBe('EFEED');
    const lines = (err as BriefError).message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^feeds\/broken\.xml: not well-formed XML at line 5: /);
    expect(lines[1]).toBe('feeds/missing.xml: no such file');
  });

  it('shifts a shiftToWindow source so its newest item is one hour before shiftTo, keeping the spacing', async () => {
    const shiftTo = '2026-01-12T04:00:00.000Z';
    const plain = await loadArticles([{ url: fixture('rss.xml'), label: 'main' }]);
    const shifted = await loadArticles(
      [
        { url: fixture('rss.xml'), label: 'main', shiftToWindow: true },
        { url: fixture('rdf.xml'), label: 'rdf' },
      ],
      { shiftTo },
    );
    const main = shifted.articles.filter((a) => a.source === 'main');
    expect(main[0]!.published).toBe('2026-01-12T03:00:00.000Z');
    const gaps = (list: typeof main) => list.slice(1).map((a, i) => Date.parse(list[i]!.published) - Date.parse(a.published));
    expect(gaps(main)).toEqual(gaps(plain.articles));
    // A source without the flag keeps its dates.
    expect(shifted.articles.filter((a) => a.source === 'rdf').map((a) => a.published)).toEqual([
      '2025-09-04T05:30:00.000Z',
      '2025-09-04T03:00:00.000Z',
    ]);
    // Without shiftTo the flag does nothing.
    const unflagged = await loadArticles([{ url: fixture('rss.xml'), label: 'main', shiftToWindow: true }]);
    expect(unflagged.articles).toEqual(plain.articles);
  });

  it('reads a WordPress REST source page by page with the window, _embed and per_page', async () => {
    pagesAsked = [];
    const { articles, warnings } = await loadArticles(
      [{ url: `${server.base}/wp-json/wp/v2/posts`, label: 'wp' }],
      { window: WINDOW },
    );
    expect(pagesAsked.sort()).toEqual(['1', '2']);
    expect(warnings).toEqual([]);
    expect(articles.map((a) => [a.title, a.published, a.author])).toEqual([
      ['Tbilisi’s new bus lanes', '2025-09-04T08:30:00.000Z', 'Tamar Gelashvili'],
      ['Members’ briefing', '2025-09-04T05:00:00.000Z', 'Sofia Martin'],
      ['Evening round-up', '2025-09-03T19:15:00.000Z', 'Tamar Gelashvili'],
    ]);
    expect(articles[0]!.imageUrl).toBe('https://wp.example.org/wp-content/uploads/2025/09/bus-lane.jpg');
  });

  it('reads at most 20 pages of a WordPress source and says so', async () => {
    pagesAsked = [];
    const { warnings } = await loadArticles([{ url: `${server.base}/many/wp-json/wp/v2/posts`, label: 'wp', type: 'wordpress' }]);
    expect(pagesAsked).toHaveLength(20);
    expect(new Set(pagesAsked).size).toBe(20);
    expect(warnings).toEqual(['wp: 25 pages of posts in the window; only the first 20 were read']);
  });

  it('builds WordPress page URLs that keep the configured query', () => {
    const url = new URL(wordPressPageUrl('https://w.example/wp-json/wp/v2/posts?categories=3', 4, WINDOW));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      categories: '3',
      _embed: '',
      after: '2025-09-04T04:00:00Z',
      before: '2025-09-05T04:00:01Z',
      per_page: '100',
      page: '4',
    });
  });
});
