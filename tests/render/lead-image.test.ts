/**
 * Issue 12, item 5: the lead image gets its real width and height from the feed when the
 * feed states them (no height="auto", which collapses with images off), and its alt text
 * does not repeat the headline printed beside it.
 */
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/articles/index.js';
import { imageSize } from '../../src/articles/normalise-feed.js';
import { personalise, renderEdition } from '../../src/render/index.js';
import { ARCHIVE_URL, makeEdition, newsletter, recipient } from './helpers.js';

const rss = (media: string) =>
  Buffer.from(`<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>https://example.org/</link>
<item><title>Tbilisi budget talks</title><link>https://example.org/a</link><guid>a</guid><pubDate>Thu, 04 Sep 2025 10:00:00 GMT</pubDate>${media}</item>
</channel></rss>`);

describe('lead image size from the feed', () => {
  it('reads media:content and enclosure width/height, and WordPress media_details', () => {
    const [a] = parseFeed(rss('<media:content url="https://cdn.example.org/a.jpg" medium="image" width="1200" height="675"/>'), { label: 'f' }).articles;
    expect(a).toMatchObject({ imageUrl: 'https://cdn.example.org/a.jpg', imageWidth: 1200, imageHeight: 675 });
    const [e] = parseFeed(rss('<enclosure url="https://cdn.example.org/e.png" type="image/png" length="5000" width="800" height="600"/>'), { label: 'f' }).articles;
    expect(e).toMatchObject({ imageWidth: 800, imageHeight: 600 });
    const [none] = parseFeed(rss('<media:content url="https://cdn.example.org/b.jpg" medium="image" width="1200"/>'), { label: 'f' }).articles;
    expect(none!.imageWidth).toBeUndefined();
    const wp = [{
      id: 7, link: 'https://example.org/w', guid: { rendered: 'https://example.org/?p=7' }, title: { rendered: 'W' }, excerpt: { rendered: '<p>x</p>' },
      date_gmt: '2025-09-04T10:00:00',
      _embedded: { 'wp:featuredmedia': [{ source_url: 'https://example.org/w.jpg', alt_text: 'A vineyard', media_details: { width: 1024, height: 683 } }] },
    }];
    const [w] = parseFeed(Buffer.from(JSON.stringify(wp)), { label: 'wp', type: 'wordpress' }).articles;
    expect(w).toMatchObject({ imageWidth: 1024, imageHeight: 683, imageAlt: 'A vineyard' });
    expect(imageSize('640px', ' 480 ')).toEqual({ width: 640, height: 480 });
    expect(imageSize('50%', 10)).toBeUndefined();
    expect(imageSize(0, 10)).toBeUndefined();
  });

  it('gives the lead <img> its scaled width and height, and an alt that is not the headline', async () => {
    const content = makeEdition(3);
    const lead = { ...content.lead, imageWidth: 1200, imageHeight: 675 };
    const r = await renderEdition({ newsletter, content: { ...content, lead, articles: [lead, ...content.articles.slice(1)] }, editionId: 'x', archiveUrl: ARCHIVE_URL });
    const { html } = personalise(r.variants.public, recipient());
    const img = /<img [^>]*>/.exec(html)![0];
    expect(img).toContain('width="550"');
    expect(img).toContain('height="309"'); // 675 × 550 / 1200
    expect(img).not.toContain('height="auto"');
    expect(img).toMatch(/ alt(="")?[ />]/); // empty: the headline is read right after
    expect(img).not.toContain(lead.title);
    // Decorative, so not a link: a link around an empty-alt image would have no name.
    expect(html).not.toMatch(/<a [^>]*>\s*<img /);

    const described = { ...lead, imageAlt: 'Deputies leave the chamber' };
    const r2 = await renderEdition({ newsletter, content: { ...content, lead: described, articles: [described] }, editionId: 'x', archiveUrl: ARCHIVE_URL });
    expect(/<img [^>]*>/.exec(personalise(r2.variants.public, recipient()).html)![0]).toContain('alt="Deputies leave the chamber"');
    expect(personalise(r2.variants.public, recipient()).html).toMatch(/<a [^>]*>\s*<img [^>]*alt="Deputies leave the chamber"/);
  });
});
