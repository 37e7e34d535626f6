import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadArticles } from '../../src/articles/index.js';
import { packagePath } from '../../src/paths.js';

const EXAMPLE = packagePath('examples', 'feeds', 'caucasus-daily.xml');
const has = (tag: string) => (a: { tags: string[] }) => a.tags.includes(tag);

describe('the bundled example feed', () => {
  it('yields fourteen complete stories for the first edition a new user sees', async () => {
    // As compileEdition passes the example config's baseUrl, "{PUBLIC_URL}/examples/".
    const { articles, warnings } = await loadArticles([{ url: EXAMPLE, label: path.basename(EXAMPLE), type: 'rss', baseUrl: 'http://localhost:3000/examples/' }]);
    expect(warnings).toEqual([]);
    expect(articles).toHaveLength(14);
    expect(articles.filter(has('featured'))).toHaveLength(1);
    expect(articles.filter(has('editors-pick'))).toHaveLength(2);
    expect(articles.filter((a) => a.membersOnly)).toHaveLength(1);
    expect(articles.filter(has('Georgia'))).toHaveLength(4);
    expect(articles.filter(has('Armenia'))).toHaveLength(3);
    expect(articles.filter(has('Azerbaijan'))).toHaveLength(3);
    for (const a of articles) {
      expect(a.imageUrl).toMatch(/^http:\/\/localhost:3000\/examples\/images\/[a-z0-9-]+\.png$/);
      expect(existsSync(packagePath('examples', 'images', a.imageUrl!.split('/').pop()!))).toBe(true);
      expect(a).toMatchObject({ imageWidth: 600, imageHeight: 338 });
      expect(a.url).toMatch(/^https:\/\/example\.org\//);
      expect(a.imageCaption).toBeTruthy();
      expect(a.author).toBeTruthy();
      expect(a.summary.length).toBeGreaterThan(100);
      expect(a.summary).not.toMatch(/[<>]|&[a-z#0-9]+;/i);
    }
    // All within the twenty hours before the 08:00 Tbilisi edition of 2025-09-05.
    const times = articles.map((a) => Date.parse(a.published));
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.parse('2025-09-05T04:00:00Z'));
    expect(Math.min(...times)).toBeGreaterThan(Date.parse('2025-09-04T04:00:00Z'));
  });
});

describe('the example pictures', () => {
  it('are small files the HTTP server serves under /examples/images/, and nothing else of the checkout', async () => {
    const { testApp } = await import('../helpers/app.js');
    const { buildHttpServer } = await import('../../src/http/index.js');
    const t = await testApp();
    const server = buildHttpServer(t.app);
    try {
      const ok = await server.inject({ method: 'GET', url: '/examples/images/tbilisi-morning.png' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toBe('image/png');
      expect(ok.rawPayload.subarray(1, 4).toString()).toBe('PNG');
      expect(statSync(packagePath('examples', 'images', 'tbilisi-morning.png')).size).toBeLessThan(8 * 1024);
      for (const url of ['/examples/images/missing.png', '/examples/images/..%2Fbrief.config.json', '/examples/brief.config.json']) {
        expect((await server.inject({ method: 'GET', url })).statusCode, url).toBe(404);
      }
    } finally {
      await server.close();
      await t.cleanup();
    }
  });
});
