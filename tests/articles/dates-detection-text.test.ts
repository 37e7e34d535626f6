import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectFeedType, htmlToText, isWordPressPostsUrl, parseFeed, parseFeedDate, truncateText } from '../../src/articles/index.js';

const iso = (s: string) => parseFeedDate(s)?.toISOString();

describe('parseFeedDate', () => {
  it.each([
    ['Thu, 04 Sep 2025 10:15:30 +0400', '2025-09-04T06:15:30.000Z'],
    ['Thu, 04 Sep 2025 10:15:30 GMT', '2025-09-04T10:15:30.000Z'],
    ['Thu, 04 Sep 2025 10:15:30 UT', '2025-09-04T10:15:30.000Z'],
    ['Wed, 03 Sep 2025 23:05:00 EST', '2025-09-04T04:05:00.000Z'],
    ['Thu, 04 Sep 2025 06:00:00 EDT', '2025-09-04T10:00:00.000Z'],
    ['Thu, 04 Sep 2025 06:00:00 PDT', '2025-09-04T13:00:00.000Z'],
    ['Thu, 04 Sep 2025 10:00:00 CEST', '2025-09-04T08:00:00.000Z'],
    ['4 Sep 2025 10:00 -0930', '2025-09-04T19:30:00.000Z'],
    ['Thu,04 September 2025 10:00:00 +0000', '2025-09-04T10:00:00.000Z'],
    ['Thu, 04 Sep 25 10:00:00 Z', '2025-09-04T10:00:00.000Z'],
    ['Thu, 04 Sep 2025 10:00:00', '2025-09-04T10:00:00.000Z'],
    ['2025-09-04T10:15:30+04:00', '2025-09-04T06:15:30.000Z'],
    ['2025-09-04T10:15:30.250-02:30', '2025-09-04T12:45:30.250Z'],
    ['2025-09-04T10:15:30Z', '2025-09-04T10:15:30.000Z'],
    ['2025-09-04 10:15:30+0530', '2025-09-04T04:45:30.000Z'],
    ['2025-09-04T10:15:30', '2025-09-04T10:15:30.000Z'],
    ['2025-09-04', '2025-09-04T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    // RFC 822 without weekday or seconds, day and month swapped, European and military zones
    ['10 Jun 2003 09:41 MEST', '2003-06-10T07:41:00.000Z'],
    ['Sun, 31 Dec 2006 23:59 MET', '2006-12-31T22:59:00.000Z'],
    ['Dec 31 2006 10:00 GMT', '2006-12-31T10:00:00.000Z'],
    ['Sun, 31 Dec 06 10:00:00 GMT+2', '2006-12-31T08:00:00.000Z'],
    ['Tue, 10 Jun 2003 09:41:01 Etc/GMT', '2003-06-10T09:41:01.000Z'],
    ['Mon, 26 Jan 2004 16:31:00 N', '2004-01-26T15:31:00.000Z'],
    ['10 Jun 2003', '2003-06-10T00:00:00.000Z'],
    // asctime and JavaScript's Date string
    ['Sun Jan  4 16:29:06 2004', '2004-01-04T16:29:06.000Z'],
    ['Sun Jan  4 16:29:06 PST 2004', '2004-01-05T00:29:06.000Z'],
    ['Thu Aug 30 2012 17:26:16 +0200', '2012-08-30T15:26:16.000Z'],
    ['Thu Aug 30 2012 17:26:16 GMT+0200 (CEST)', '2012-08-30T15:26:16.000Z'],
    // slashes, W3CDTF partial dates, ISO 8601 basic format
    ['2020/1/10 14:33:00', '2020-01-10T14:33:00.000Z'],
    ['2003', '2003-01-01T00:00:00.000Z'],
    ['2003-12', '2003-12-01T00:00:00.000Z'],
    ['2003-12-31T10:14Z', '2003-12-31T10:14:00.000Z'],
    ['20031231T235959Z', '2003-12-31T23:59:59.000Z'],
    ['20031231', '2003-12-31T00:00:00.000Z'],
    // Greek, Hungarian and Korean, as feedparser reads them
    ['Κυρ, 11 Ιούλ 2004 12:00:00 EST', '2004-07-11T17:00:00.000Z'],
    ['2004-július-13T9:15-05:00', '2004-07-13T14:15:00.000Z'],
    ['2004-05-25 오후 11:23:17', '2004-05-25T14:23:17.000Z'],
    ['2004년 05월 28일  01:31:15', '2004-05-27T16:31:15.000Z'],
    // Month names of other newsrooms (a Brazilian site's feed, French, German)
    ['Seg, 24 Set 2018 19:42:40 -0300', '2018-09-24T22:42:40.000Z'],
    ['mar., 05 févr. 2019 10:00:00 +0100', '2019-02-05T09:00:00.000Z'],
    ['Di, 01 Okt 2019 10:00:00 +0200', '2019-10-01T08:00:00.000Z'],
    ['jeu., 04 juil. 2019 10:00:00 GMT', '2019-07-04T10:00:00.000Z'],
  ])('reads %s → %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each(['Thu, 04 Sep 2025 10:15:30 +99:99', '2025-09-04T10:15:30+99:99', '2013-01-27-01', '2025-09-04T24:30:00Z', '2004-05-25 오후 13:23:17'])(
    'refuses the impossible %j',
    (input) => {
      expect(parseFeedDate(input)).toBeUndefined();
    },
  );

  it.each(['', 'yesterday', '2025-02-30T10:00:00Z', '2025-13-01', 'Thu, 31 Feb 2025 10:00:00 GMT', 'Thu, 04 Foo 2025 10:00:00 GMT', '04 Sep 2025 10:00:00 XYZ'])(
    'rejects %j',
    (input) => {
      expect(parseFeedDate(input)).toBeUndefined();
    },
  );
});

describe('detectFeedType', () => {
  it('recognises RSS 2.0, RDF, Atom (also prefixed) after a prolog', () => {
    expect(detectFeedType('\uFEFF<?xml version="1.0"?>\n<!-- c -->\n<rss version="2.0"></rss>')).toBe('rss');
    expect(detectFeedType('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss/>')).toBe('rss');
    expect(detectFeedType('<rdf:RDF xmlns:rdf="x"></rdf:RDF>')).toBe('rss');
    expect(detectFeedType('<feed xmlns="http://www.w3.org/2005/Atom"/>')).toBe('atom');
    expect(detectFeedType('<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"/>')).toBe('atom');
    expect(detectFeedType('<html></html>')).toBeUndefined();
  });

  it('recognises JSON Feed by version and WordPress by shape or URL', () => {
    expect(detectFeedType('{"version":"https://jsonfeed.org/version/1","items":[]}')).toBe('jsonfeed');
    expect(detectFeedType('{"version":"1.1","items":[]}')).toBeUndefined();
    expect(detectFeedType('[{"link":"https://w.example/p","title":{"rendered":"T"}}]')).toBe('wordpress');
    expect(detectFeedType('[{"link":"https://w.example/p","title":"T"}]')).toBeUndefined();
    expect(detectFeedType('', 'https://w.example/wp-json/wp/v2/posts')).toBe('wordpress');
    expect(isWordPressPostsUrl('https://w.example/blog/wp-json/wp/v2/posts?categories=3')).toBe(true);
    expect(isWordPressPostsUrl('https://w.example/wp-json/wp/v2/pages')).toBe(false);
  });

  it('parses a feed of each kind without being told its type', () => {
    const rss = '<rss version="2.0"><channel><item><title>x</title><link>https://a.example/</link><pubDate>Thu, 04 Sep 2025 08:00:00 GMT</pubDate></item></channel></rss>';
    expect(parseFeed(Buffer.from(rss), { label: 'r' }).type).toBe('rss');
    const json = '{"version":"https://jsonfeed.org/version/1.1","items":[]}';
    expect(parseFeed(Buffer.from(json), { label: 'j' }).type).toBe('jsonfeed');
  });
});

describe('decoding', () => {
  const feed = (title: string, decl = '') =>
    `${decl}<rss version="2.0"><channel><item><title>${title}</title><link>https://a.example/</link><pubDate>Thu, 04 Sep 2025 08:00:00 GMT</pubDate></item></channel></rss>`;
  const title = (bytes: Buffer, contentType?: string) =>
    parseFeed(bytes, { label: 'f', ...(contentType ? { contentType } : {}) }).articles[0]?.title;

  it('honours an iso-8859-1 declaration', () => {
    expect(title(iconv.encode(feed('Café Zürich', '<?xml version="1.0" encoding="ISO-8859-1"?>'), 'latin1'))).toBe('Café Zürich');
  });

  it('strips a UTF-8 BOM and decodes UTF-16 by its BOM', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(feed('Ünïcödé', '<?xml version="1.0"?>'))]);
    expect(title(withBom)).toBe('Ünïcödé');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(feed('Тбилиси', '<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]);
    expect(title(utf16)).toBe('Тбилиси');
  });

  it('uses the HTTP charset when there is no declaration', () => {
    expect(title(iconv.encode(feed('Ереван'), 'koi8-r'), 'application/rss+xml; charset=KOI8-R')).toBe('Ереван');
  });

  it('rejects an encoding it does not know, naming it', () => {
    expect(() => parseFeed(Buffer.from(feed('x', '<?xml version="1.0" encoding="x-klingon"?>')), { label: 'k.xml' })).toThrow(
      'k.xml: unsupported encoding "x-klingon"',
    );
  });
});

describe('htmlToText and truncateText', () => {
  it('drops tags, scripts, images and link targets, and collapses whitespace', () => {
    expect(htmlToText('<h1>Head</h1>\n<p>One&nbsp;<a href="https://x.example/">two</a><img src="i.png" alt="pic"></p><ul><li>a</li><li>b</li></ul><script>x()</script>')).toBe(
      'Head One two a b',
    );
  });

  it('cuts on a word boundary, adds an ellipsis, and leaves short text alone', () => {
    expect(truncateText('short', 300)).toBe('short');
    expect(truncateText('alpha beta gamma delta', 12)).toBe('alpha beta…');
    expect(truncateText('alpha, beta gamma', 8)).toBe('alpha…');
    expect(truncateText('x'.repeat(50), 10)).toBe('xxxxxxxxx…');
  });
});

describe('pathological input', () => {
  it('stays fast on long runs that make naive regular expressions backtrack', () => {
    const started = performance.now();
    expect(detectFeedType(' '.repeat(60_000) + 'x')).toBeUndefined();
    expect(detectFeedType('<?xml ' + '<?'.repeat(30_000))).toBeUndefined();
    expect(parseFeedDate('1 '.repeat(50_000))).toBeUndefined();
    const author = '('.repeat(50_000);
    const rss = `<rss version="2.0"><channel><item><title>t</title><link>https://a.example/</link><author>${author}</author><pubDate>Thu, 04 Sep 2025 08:00:00 GMT</pubDate></item></channel></rss>`;
    expect(parseFeed(Buffer.from(rss), { label: 'p' }).articles).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
