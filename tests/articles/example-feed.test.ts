import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArticles } from '../../src/articles/index.js';
import { packagePath } from '../../src/paths.js';

const EXAMPLE = packagePath('examples', 'feeds', 'caucasus-daily.xml');
const has = (tag: string) => (a: { tags: string[] }) => a.tags.includes(tag);

describe('the bundled example feed', () => {
  it('yields fourteen complete stories for the first edition a new user sees', async () => {
    const { articles, warnings } = await loadArticles([{ url: EXAMPLE, label: path.basename(EXAMPLE), type: 'rss' }]);
    expect(warnings).toEqual([]);
    expect(articles).toHaveLength(14);
    expect(articles.filter(has('featured'))).toHaveLength(1);
    expect(articles.filter(has('editors-pick'))).toHaveLength(2);
    expect(articles.filter((a) => a.membersOnly)).toHaveLength(1);
    expect(articles.filter(has('Georgia'))).toHaveLength(4);
    expect(articles.filter(has('Armenia'))).toHaveLength(3);
    expect(articles.filter(has('Azerbaijan'))).toHaveLength(3);
    for (const a of articles) {
      expect(a.imageUrl).toMatch(/^https:\/\/example\.org\/images\/[a-z0-9-]+\.jpg$/);
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
