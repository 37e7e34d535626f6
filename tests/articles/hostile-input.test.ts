import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../src/errors.js';
import { parseFeed, type Article } from '../../src/articles/index.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/feeds');
const read = (name: string) => readFileSync(path.join(FIXTURES, name));

function feedError(fn: () => unknown): FeedError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FeedError);
    return err as FeedError;
  }
  throw new Error('expected a FeedError');
}

describe('XML that is not well-formed', () => {
  it('names the feed and the line of a mismatched tag, in one line', () => {
    const err = feedError(() => parseFeed(read('malformed.xml'), { label: 'feeds/main.xml' }));
    expect(err.code).toBe('EFEED');
    expect(err.feed).toBe('feeds/main.xml');
    expect(err.message).toMatch(/^feeds\/main\.xml: not well-formed XML at line 5: Expected closing tag 'title'/);
    expect(err.message).not.toContain('\n');
  });

  it('says a truncated file ends too early, at its last line', () => {
    const err = feedError(() => parseFeed(read('truncated.xml'), { label: 'truncated.xml' }));
    expect(err.message).toBe('truncated.xml: not well-formed XML at line 13: the file ends before <description> is closed (truncated?)');
  });

  it('reports the line of a bad character on line 1', () => {
    const err = feedError(() => parseFeed(Buffer.from('<rss><channel><title>a < b</title></channel></rss>'), { label: 'feeds/main.xml' }));
    expect(err.message).toMatch(/^feeds\/main\.xml: not well-formed XML at line 1: /);
  });

  it('rejects empty, non-feed and broken JSON input with a clear line', () => {
    expect(feedError(() => parseFeed(Buffer.from('  \n'), { label: 'empty.xml' })).message).toBe('empty.xml: the feed is empty');
    expect(feedError(() => parseFeed(Buffer.from('hello'), { label: 'x' })).message).toBe('x: not a feed: neither XML nor JSON');
    expect(feedError(() => parseFeed(Buffer.from('<html><body/></html>'), { label: 'x' })).message).toBe(
      'x: not a feed: XML with root <html>, which is neither RSS nor Atom',
    );
    expect(feedError(() => parseFeed(Buffer.from('{"a": 1}'), { label: 'x' })).message).toBe(
      'x: not a feed: JSON that is neither a JSON Feed nor a WordPress posts list',
    );
    expect(feedError(() => parseFeed(Buffer.from('{\n"version": \n}'), { label: 'x.json' })).message).toMatch(/^x\.json: not valid JSON/);
  });

  it('refuses content that contradicts the configured type', () => {
    const err = feedError(() => parseFeed(read('atom.xml'), { label: 'a.xml', type: 'rss' }));
    expect(err.message).toBe('a.xml: configured as type "rss" but the content is an Atom feed');
  });
});

describe('entity expansion', () => {
  it('does not expand DOCTYPE entities: billion laughs is parsed quickly and stays small', () => {
    const started = performance.now();
    const { articles } = parseFeed(read('billion-laughs.xml'), { label: 'billion-laughs.xml' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(articles).toHaveLength(1);
    const a = articles[0]!;
    expect(a.title).toBe('Laughing &lol9; &lol;');
    expect(a.title).not.toContain('lollol');
    expect(a.summary.length).toBeLessThanOrEqual(300);
    expect(a.summary).not.toContain('lollol');
    expect(a.tags).toEqual(['&lol9;']);
    // An entity must not smuggle in a value either: the guid stays the literal reference.
    expect(a.id).toBe('&site;');
    expect(a.url).toBe('https://laughs.example.org/a');
  });

  it('decodes the XML entities and character references, and HTML entities inside CDATA', () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><link>https://e.example/</link><item>
      <title>Q&amp;A: &lt;b&gt;not&lt;/b&gt; bold &#169; &#x1F600; &quot;x&quot; &apos;y&apos;</title>
      <link>https://e.example/a?x=1&amp;y=2</link>
      <pubDate>Thu, 04 Sep 2025 08:00:00 GMT</pubDate>
      <description><![CDATA[<p>&eacute;t&eacute; &amp; caf&#233; &hellip; &nbsp;ok &#x2019;</p>]]></description>
    </item></channel></rss>`;
    const [a] = parseFeed(Buffer.from(xml), { label: 'e.xml' }).articles;
    expect(a!.title).toBe('Q&A: not bold © 😀 "x" \'y\'');
    expect(a!.url).toBe('https://e.example/a?x=1&y=2');
    expect(a!.summary).toBe('été & café … ok ’');
  });
});

describe('hostile markup and URLs (xss.xml)', () => {
  const result = parseFeed(read('xss.xml'), { label: 'xss.xml' });
  const textFields = (a: Article) => [a.title, a.summary, a.author ?? '', a.imageCaption ?? '', a.id, ...a.tags];

  it('keeps only plain text in every text field: markup is removed, escaped markup is text', () => {
    expect(result.articles).toHaveLength(2);
    const [first, third] = result.articles;
    for (const t of textFields(first!)) {
      expect(t).not.toMatch(/<\s*\/?\s*[a-z!]/i);
      expect(t).not.toMatch(/onerror|onclick|onload|onmouseover|javascript:|document\.|alert\(|steal\(|display:none/i);
    }
    expect(first).toMatchObject({ title: 'Hello world', summary: 'Text more', author: 'Jane Doe', tags: ['Georgia'] });
    // Escaped twice, the markup is decoded once: it is text that shows the tags, and it is
    // escaped again where it enters HTML (tests/render/xss.test.ts), so it never acts.
    expect(third).toMatchObject({
      title: '<script>alert(1)</script>Safe title',
      summary: 'link text <img src=x onerror=alert(2)>after',
      url: 'https://safe.example.org/3',
    });
  });

  it('keeps only http(s) URLs: hostile images are dropped with their captions', () => {
    for (const a of result.articles) {
      expect(a.url).toMatch(/^https?:\/\//);
      expect(a.imageUrl).toBeUndefined();
      expect(a.imageCaption).toBeUndefined();
    }
  });

  it('skips items whose link is javascript:, data: or vbscript:, even disguised, with a warning each', () => {
    expect(result.warnings).toEqual([
      'xss.xml: item 2 "Click me": link is not an http(s) URL ("javascript:alert(document.cookie)")',
      'xss.xml: item 4 "Hidden scheme": link is not an http(s) URL ("JaVa\\tScRiPt:alert(1)")',
      'xss.xml: item 5 "Data link": link is not an http(s) URL ("data:text/html,<script>alert(1)</script>")',
      'xss.xml: item 6 "VBScript link": link is not an http(s) URL ("vbscript:msgbox(1)")',
    ]);
  });
});

describe('relative links', () => {
  it('resolves item and image links against the channel link', () => {
    const { articles, warnings } = parseFeed(read('relative-links.xml'), { label: 'relative-links.xml' });
    expect(warnings).toEqual([]);
    expect(articles.map((a) => a.url)).toEqual([
      'https://news.example.com/2025/09/04/root-relative',
      'https://news.example.com/section/story.html?id=2&ref=feed',
      'https://cdn.example.com/story',
      'https://other.example.org/abs',
    ]);
    expect(articles[0]!.imageUrl).toBe('https://news.example.com/img/a.jpg');
  });

  const noSiteLink = Buffer.from(`<rss version="2.0"><channel><title>t</title><item><title>Rel</title>
    <link>/news/1</link><pubDate>Thu, 04 Sep 2025 08:00:00 GMT</pubDate></item></channel></rss>`);

  it('falls back to the feed URL for an http feed without a site link', () => {
    const { articles } = parseFeed(noSiteLink, { label: 'remote', url: 'https://feeds.example.com/rss/all.xml' });
    expect(articles[0]!.url).toBe('https://feeds.example.com/news/1');
  });

  it('skips a relative link in a local file without a site link, saying why', () => {
    const { articles, warnings } = parseFeed(noSiteLink, { label: 'local.xml', url: '/srv/feeds/local.xml' });
    expect(articles).toEqual([]);
    expect(warnings).toEqual(['local.xml: item 1 "Rel": relative link "/news/1" and no site URL to resolve it against']);
  });
});
