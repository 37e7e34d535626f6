import { describe, expect, it } from 'vitest';
import { articleKeys, normaliseArticleUrl } from '../../src/edition/index.js';

describe('articleKeys', () => {
  it('remembers an article by id and by normalised URL', () => {
    expect(articleKeys({ id: 'tag:example.org,2025:42', url: 'https://Example.org/news/42/#top' })).toEqual([
      'id:tag:example.org,2025:42',
      'url:https://example.org/news/42',
    ]);
  });

  it('gives the same URL key to a story under a new guid and a tracking link', () => {
    const first = articleKeys({ id: 'a-1', url: 'https://example.org/news/42' });
    const again = articleKeys({ id: 'b-7', url: 'https://EXAMPLE.org/news/42/?utm_source=rss&utm_medium=feed#comments' });
    expect(again.filter((key) => first.includes(key))).toEqual(['url:https://example.org/news/42']);
  });

  it('skips an empty id', () => {
    expect(articleKeys({ id: '  ', url: 'https://example.org/a' })).toEqual(['url:https://example.org/a']);
  });
});

describe('normaliseArticleUrl', () => {
  it.each([
    ['https://Example.ORG/a/b/', 'https://example.org/a/b'],
    ['https://example.org/', 'https://example.org'],
    ['https://example.org', 'https://example.org'],
    ['HTTPS://example.org:443/a', 'https://example.org/a'],
    ['https://example.org/a#section-2', 'https://example.org/a'],
    ['https://example.org/a/?utm_source=x&UTM_Campaign=y', 'https://example.org/a'],
    ['https://example.org/?p=123&utm_medium=rss', 'https://example.org?p=123'],
    ['https://example.org/a?b=2&a=1', 'https://example.org/a?b=2&a=1'],
    ['https://example.org/A/Case', 'https://example.org/A/Case'],
    ['http://example.org/a', 'http://example.org/a'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseArticleUrl(raw)).toBe(expected);
  });

  it('keeps an unparsable URL as written (trimmed)', () => {
    expect(normaliseArticleUrl(' not a url ')).toBe('not a url');
  });
});
