/**
 * Issue 11: feeds that feedparser and gofeed read, and this project refused or misread.
 * Each fixture is small and shows one class of the issue.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFeed, type Article } from '../../src/articles/index.js';
import { FeedError } from '../../src/errors.js';

const DATE = '<pubDate>Thu, 04 Sep 2025 08:00:00 GMT</pubDate>';
const rss = (items: string, channel = '<link>https://site.example/</link>', rootAttrs = '') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"${rootAttrs}><channel><title>T</title>${channel}${items}</channel></rss>`;
const item = (inner: string) => `<item>${inner}</item>`;
const read = (xml: string, opts: { url?: string; baseUrl?: string } = {}) => parseFeed(Buffer.from(xml), { label: 'f.xml', ...opts });
const only = (xml: string, opts: { url?: string; baseUrl?: string } = {}): Article => {
  const { articles, warnings } = read(xml, opts);
  if (articles.length !== 1) throw new Error(`expected one article, got ${articles.length}; warnings: ${warnings.join(' | ')}`);
  return articles[0]!;
};

describe('1: whitespace before the XML declaration', () => {
  it('reads a feed with a newline and spaces before <?xml', () => {
    const xml = '\n   \n' + rss(item(`<title>One</title><link>https://site.example/1</link>${DATE}`));
    expect(only(xml).title).toBe('One');
  });

  it('reads it after a BOM too, and still uses the declared encoding', () => {
    const xml = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\r\n' + rss(item(`<title>Ünï</title><link>https://site.example/1</link>${DATE}`)))]);
    expect(parseFeed(xml, { label: 'f' }).articles[0]!.title).toBe('Ünï');
  });
});

describe('2: escaped literal markup is decoded once', () => {
  it('keeps a description that talks about <body> and the sentences around it', () => {
    const a = only(rss(item(`<title>Tags</title><link>https://site.example/1</link>${DATE}
      <description><![CDATA[<p>Put the script before &lt;/body&gt; so the page draws first. Then test it.</p>]]></description>`)));
    expect(a.summary).toBe('Put the script before </body> so the page draws first. Then test it.');
  });

  it('reads <pre>&lt;b&gt;test&lt;b&gt;</pre> as the text <b>test<b>', () => {
    const a = only(rss(item(`<title>Pre</title><link>https://site.example/1</link>${DATE}
      <description>&lt;pre&gt;&amp;lt;b&amp;gt;test&amp;lt;b&amp;gt;&lt;/pre&gt;</description>`)));
    expect(a.summary).toBe('<b>test<b>');
  });

  it('keeps a plain-text &lt;br /&gt; as text', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Br</title><link href="https://site.example/1"/>
      <updated>2025-09-04T08:00:00Z</updated><summary type="text">&lt;br /&gt;</summary></entry></feed>`;
    expect(only(xml).summary).toBe('<br />');
  });
});

describe('3: content types', () => {
  const atom = (entry: string) =>
    `<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://site.example/1"/><updated>2025-09-04T08:00:00Z</updated>${entry}</entry></feed>`;

  it('Atom type="text" is plain text, kept exactly', () => {
    expect(only(atom('<title type="text">History of the &lt;blink&gt; tag</title>')).title).toBe('History of the <blink> tag');
    expect(only(atom('<title>AT&amp;T &amp;amp; friends</title>')).title).toBe('AT&T &amp; friends');
  });

  it('Atom type="html" is escaped HTML, type="xhtml" inline XHTML', () => {
    expect(only(atom('<title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title>')).title).toBe('Bold & more');
    const x = only(atom('<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An &lt;em&gt; is <em>emphasis</em></div></title>'));
    expect(x.title).toBe('An <em> is emphasis');
  });

  it('decodes mode="base64" content (Atom 0.3)', () => {
    const body = Buffer.from('<p>Decoded <b>body</b></p>').toString('base64');
    const xml = `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title>B64</title><link rel="alternate" href="https://site.example/1"/>
      <issued>2025-09-04T08:00:00Z</issued><content type="text/html" mode="base64">${body}</content></entry></feed>`;
    expect(only(xml).summary).toBe('Decoded body');
  });

  it('JSON Feed title and content_text are plain text; content_html is HTML', () => {
    const feed = (it: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: [{ id: '1', url: 'https://site.example/1', date_published: '2025-09-04T08:00:00Z', ...it }] }));
    const a = parseFeed(feed({ title: 'Use <b> for bold', content_text: 'Write &lt;p&gt; & go' }), { label: 'j' }).articles[0]!;
    expect(a).toMatchObject({ title: 'Use <b> for bold', summary: 'Write &lt;p&gt; & go' });
    const b = parseFeed(feed({ title: 'T', content_html: '<p>Write &lt;p&gt; &amp; go</p>' }), { label: 'j' }).articles[0]!;
    expect(b.summary).toBe('Write <p> & go');
  });

  it('RSS titles are plain text unless they hold markup, as feedparser decides', () => {
    const title = (t: string) => only(rss(item(`<title>${t}</title><link>https://site.example/1</link>${DATE}`))).title;
    expect(title('History of the &lt;blink&gt; tag')).toBe('History of the <blink> tag');
    expect(title('5 &lt; 6 and 7 &gt; 3')).toBe('5 < 6 and 7 > 3');
    expect(title('&lt;b&gt;Big&lt;/b&gt; news')).toBe('Big news');
    expect(title('Caf&amp;eacute; open')).toBe('Café open');
  });
});

describe('10: refused but readable', () => {
  it('reads a feed whose DOCTYPE declares a parameter entity, expanding nothing', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % ext SYSTEM "https://evil.example/x.dtd">\n%ext;\n<!ENTITY site "https://evil.example/">\n]>\n<rss version="2.0"><channel><link>https://site.example/</link>
      <item><title>Hi &site;</title><link>https://site.example/1</link>${DATE}</item></channel></rss>`;
    expect(only(xml).title).toBe('Hi &site;');
  });

  it('keeps the line numbers of errors after a DOCTYPE', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % e "x">\n]>\n<rss><channel>\n<title>a < b</title></channel></rss>`;
    expect(() => read(xml)).toThrow(/^f\.xml: not well-formed XML at line 6: /);
  });

  it('reads prefixed roots: <r:rss> and RSS 1.0 without a default namespace', () => {
    const prefixed = `<r:rss xmlns:r="http://backend.userland.com/rss2" version="2.0"><r:channel><r:link>https://site.example/</r:link>
      <r:item><r:title>Prefixed</r:title><r:link>https://site.example/1</r:link><r:pubDate>Thu, 04 Sep 2025 08:00:00 GMT</r:pubDate></r:item></r:channel></r:rss>`;
    expect(only(prefixed).title).toBe('Prefixed');
    const rdf = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <rss:channel rdf:about="https://site.example/"><rss:link>https://site.example/</rss:link></rss:channel>
      <rss:item rdf:about="https://site.example/1"><rss:title>RDF item</rss:title><rss:link>https://site.example/1</rss:link><dc:date>2025-09-04T08:00:00Z</dc:date></rss:item></rdf:RDF>`;
    const r = read(rdf);
    expect(r.type).toBe('rss');
    expect(r.articles.map((a) => a.title)).toEqual(['RDF item']);
  });

  it('reads a bare & in otherwise good XML as &amp;, with a warning', () => {
    const xml = rss(item(`<title>Tom & Jerry</title><link>https://site.example/1?a=1&b=2</link>${DATE}`));
    const { articles, warnings } = read(xml);
    expect(articles[0]).toMatchObject({ title: 'Tom & Jerry', url: 'https://site.example/1?a=1&b=2' });
    expect(warnings).toEqual(['f.xml: 2 bare "&"s read as "&amp;" (first at line 2); the feed is not well-formed XML']);
  });

  it('refuses a WordPress media list with one line', () => {
    const media = JSON.stringify([
      { id: 7, type: 'attachment', media_type: 'image', link: 'https://wp.example/a/', title: { rendered: 'a.jpg' }, source_url: 'https://wp.example/a.jpg' },
    ]);
    expect(() => parseFeed(Buffer.from(media), { label: 'https://wp.example/wp-json/wp/v2/media' })).toThrow(FeedError);
    expect(() => parseFeed(Buffer.from(media), { label: 'm' })).toThrow(/^m: a WordPress media list \(\/wp\/v2\/media\), not posts/);
  });
});

describe('7: authors', () => {
  const by = (inner: string, ns = '') =>
    only(rss(item(`<title>A</title><link>https://site.example/1</link>${DATE}${inner}`), undefined, ns)).author;
  const NS = ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"';

  it('shows the name, never the address, of an RSS author', () => {
    expect(by('<author>Nino Beridze (nino@example.com)</author>')).toBe('Nino Beridze');
    expect(by('<author>nino@example.com (Nino Beridze)</author>')).toBe('Nino Beridze');
    expect(by('<author>Nino Beridze &lt;nino@example.com&gt;</author>')).toBe('Nino Beridze');
    expect(by('<author>nino@example.com</author>')).toBeUndefined();
  });

  it('reads <author><name>, atom:author, dc:creator (all of them) and itunes:author', () => {
    expect(by('<author><name>Nested Name</name></author>')).toBe('Nested Name');
    expect(by('<atom:author><atom:name>Atom Name</atom:name></atom:author>', NS)).toBe('Atom Name');
    expect(by('<dc:creator>One</dc:creator><dc:creator>Two</dc:creator>', NS)).toBe('One, Two');
    expect(by('<itunes:author>Pod Host</itunes:author>', NS)).toBe('Pod Host');
  });

  it('names every JSON Feed author', () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      items: [{ id: '1', url: 'https://site.example/1', title: 'J', date_published: '2025-09-04T08:00:00Z', authors: [{ name: 'Ana' }, { url: 'https://x' }, { name: 'Levan' }] }],
    });
    expect(parseFeed(Buffer.from(json), { label: 'j' }).articles[0]!.author).toBe('Ana, Levan');
  });
});

describe('8: media', () => {
  const NS = ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"';
  const a = (inner: string) => only(rss(item(`<title>M</title><link>https://site.example/1</link>${DATE}${inner}`), undefined, NS));

  it('takes media:group/media:description (YouTube) as the summary, and its thumbnail as the image', () => {
    const v = a(`<media:group><media:title>Clip</media:title><media:content url="https://yt.example/v/1" type="application/x-shockwave-flash"/>
      <media:thumbnail url="https://i.yt.example/1.jpg" width="480" height="360"/><media:description>What the clip shows &amp; why.</media:description></media:group>`);
    expect(v).toMatchObject({ summary: 'What the clip shows & why.', imageUrl: 'https://i.yt.example/1.jpg' });
  });

  it('reads media:thumbnail, itunes:image and image enclosures', () => {
    expect(a('<media:thumbnail url="https://site.example/t.jpg"/>').imageUrl).toBe('https://site.example/t.jpg');
    expect(a('<itunes:image href="https://site.example/cover.png"/>').imageUrl).toBe('https://site.example/cover.png');
    expect(a('<enclosure url="https://site.example/e.webp" type="image/webp" length="1"/>').imageUrl).toBe('https://site.example/e.webp');
    expect(a('<enclosure url="https://site.example/e.mp3" type="audio/mpeg" length="1"/>').imageUrl).toBeUndefined();
  });

  it('keeps an image title as its alt text', () => {
    const v = a('<media:content url="https://site.example/p.jpg" medium="image"><media:title>A ferry</media:title><media:description>Ferries resume</media:description></media:content>');
    expect(v).toMatchObject({ imageUrl: 'https://site.example/p.jpg', imageAlt: 'A ferry', imageCaption: 'Ferries resume' });
  });
});

describe('9: links', () => {
  it('resolves xml:base at feed, entry and element level', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/blog/">
      <entry><title>Feed</title><link href="2025/a"/><updated>2025-09-04T08:00:00Z</updated></entry>
      <entry xml:base="/news/"><title>Entry</title><link href="b"/><updated>2025-09-04T08:00:00Z</updated></entry>
      <entry><title>Element</title><link xml:base="https://cdn.example/x/" href="c"/><updated>2025-09-04T08:00:00Z</updated></entry></feed>`;
    expect(read(xml).articles.map((x) => x.url)).toEqual(['https://site.example/blog/2025/a', 'https://site.example/news/b', 'https://cdn.example/x/c']);
  });

  it('resolves a file feed’s relative links against its own rel="self" link', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="https://site.example/feeds/all.atom"/>
      <entry><title>Self</title><link href="/s/1"/><updated>2025-09-04T08:00:00Z</updated></entry></feed>`;
    expect(only(xml, { url: '/srv/feeds/all.atom' }).url).toBe('https://site.example/s/1');
  });

  it('uses the source option baseUrl when the feed says nothing', () => {
    const xml = `<rss version="2.0"><channel><title>t</title><item><title>Rel</title><link>/news/1</link>${DATE}</item></channel></rss>`;
    expect(read(xml).warnings).toEqual(['f.xml: item 1 "Rel": relative link "/news/1" and no site URL to resolve it against']);
    expect(only(xml, { baseUrl: 'https://base.example/' }).url).toBe('https://base.example/news/1');
  });
});

describe('4: encodings', () => {
  const feed = (title: string, decl = '') =>
    `${decl}<rss version="2.0"><channel><item><title>${title}</title><link>https://a.example/</link>${DATE}</item></channel></rss>`;
  const title = (bytes: Buffer, contentType?: string) => parseFeed(bytes, { label: 'f', ...(contentType ? { contentType } : {}) }).articles[0]?.title;
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

  it('reads windows-1252 bytes in a feed that declares ISO-8859-1 as curly quotes, not C1 controls', () => {
    const [head, tail] = feed('@', '<?xml version="1.0" encoding="ISO-8859-1"?>').split('@');
    expect(title(bytes(head!, [0x93], 'Quoted', [0x94, 0x20, 0x96, 0x20, 0x80], tail!))).toBe('“Quoted” – €');
  });

  it('falls back to windows-1252 for invalid UTF-8 with no declaration, not U+FFFD', () => {
    const [head, tail] = feed('@').split('@');
    expect(title(bytes(head!, 'Caf', [0xe9], ' ', [0x93], 'ok', [0x94], tail!))).toBe('Café “ok”');
  });

  it('lets the HTTP charset of an XML type win over the declaration (RFC 7303), and not of text/html', () => {
    const xml = iconv.encode(feed('Ереван', '<?xml version="1.0" encoding="utf-8"?>'), 'koi8-r');
    expect(title(xml, 'text/xml; charset=KOI8-R')).toBe('Ереван');
    expect(title(xml, 'application/rss+xml; charset=koi8-r')).toBe('Ереван');
    const utf8 = Buffer.from(feed('Ереван', '<?xml version="1.0" encoding="utf-8"?>'));
    expect(title(utf8, 'text/html; charset=iso-8859-1')).toBe('Ереван');
  });

  it('decodes UTF-32 with a byte order mark', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), iconv.encode(feed('Թբիլիսի', '<?xml version="1.0" encoding="UTF-32"?>'), 'utf32le')]);
    const be = Buffer.concat([Buffer.from([0x00, 0x00, 0xfe, 0xff]), iconv.encode(feed('Թբիլիսի'), 'utf32be')]);
    expect(title(le)).toBe('Թբիլիսի');
    expect(title(be)).toBe('Թբիլիսի');
  });
});

describe('found by measuring public feed readers’ test files', () => {
  it('reads a JSON Feed whose version is a bare "1.0"', () => {
    const json = JSON.stringify({ version: '1.0', items: [{ id: 'i', url: 'https://site.example/i', title: 'T', date_published: '2019-10-12T07:20:50.52Z' }] });
    const r = parseFeed(Buffer.from(json), { label: 'j' });
    expect(r.type).toBe('jsonfeed');
    expect(r.articles[0]!.published).toBe('2019-10-12T07:20:50.520Z');
  });

  it('reads an Atom link written with its URL as text instead of href', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>L</title><updated>2025-09-04T08:00:00Z</updated>
      <link rel="enclosure" type="text/html">https://site.example/enclosure</link><link rel="alternate" type="text/html">https://site.example/alternate</link></entry></feed>`;
    expect(only(xml).url).toBe('https://site.example/alternate');
  });
});

describe('5: items without dates', () => {
  it('a feed that dates none of its items hands them all back as undated, in feed order', () => {
    const xml = `<rss version="0.91"><channel><link>https://site.example/</link>
      <item><title>One</title><link>https://site.example/1</link></item><item><title>Two</title><link>https://site.example/2</link></item></channel></rss>`;
    const r = read(xml);
    expect(r.articles).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.undated.map((a) => a.title)).toEqual(['One', 'Two']);
  });
});

describe('a web page where a feed was expected', () => {
  it('is refused with one line that says it is an HTML page', () => {
    const page = '<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="https://x.example/">here</a></body>';
    expect(() => read(page)).toThrow(/^f\.xml: not a feed: an HTML page \("Document Moved"\), not RSS, Atom or JSON Feed$/);
    expect(() => read('<!DOCTYPE html><html><body>Sign in<br></body></html>')).toThrow(/^f\.xml: not a feed: an HTML page, not RSS, Atom or JSON Feed$/);
  });
});
