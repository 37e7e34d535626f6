import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeed, type Article } from '../../src/articles/index.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/feeds');
const parse = (name: string, extra: { url?: string; membersOnlyTag?: string } = {}) =>
  parseFeed(readFileSync(path.join(FIXTURES, name)), { label: name, ...extra });
const byTitle = (articles: Article[], title: string) => {
  const found = articles.find((a) => a.title === title);
  if (!found) throw new Error(`no article titled ${title}; have ${articles.map((a) => a.title).join(' | ')}`);
  return found;
};

describe('RSS 2.0', () => {
  const result = parse('rss.xml');

  it('is detected as rss and keeps the usable items in feed order', () => {
    expect(result.type).toBe('rss');
    expect(result.source).toBe('rss.xml');
    expect(result.articles.map((a) => a.title)).toEqual([
      'Tbilisi & Batumi: rail timetable changes',
      'Café culture — Yerevan’s new terraces',
      'Morning podcast: the week ahead',
      'Video: Caspian sunset from the Baku boulevard',
      'Members: the long read',
    ]);
  });

  it('reads every field of an item with CDATA, escaped HTML and media:content', () => {
    expect(result.articles[0]).toEqual({
      id: 'rail-timetable-2025',
      url: 'https://news.example.com/2025/09/04/rail-timetable',
      title: 'Tbilisi & Batumi: rail timetable changes',
      summary: 'New summer timetable & fares start on Monday.',
      author: 'Nino Beridze',
      published: '2025-09-04T06:15:30.000Z',
      tags: ['Georgia', 'Transport & Logistics'],
      imageUrl: 'https://news.example.com/img/rail.jpg',
      imageCaption: 'Trains at Tbilisi Central',
      membersOnly: false,
      source: 'rss.xml',
    });
  });

  it('uses a permalink guid as url and id, a named zone, and the name from author', () => {
    const a = result.articles[1]!;
    expect(a.url).toBe('https://news.example.com/2025/09/04/cafe-culture');
    expect(a.id).toBe(a.url);
    expect(a.published).toBe('2025-09-04T04:05:00.000Z'); // 23:05 EST = 04:05 UTC next day
    expect(a.author).toBe('Levan Kapanadze');
    expect(a.imageUrl).toBe('https://news.example.com/img/terraces.jpg');
    expect(a.imageCaption).toBe('Terraces on Abovyan Street');
  });

  it('cuts a long summary on a word boundary with an ellipsis', () => {
    const { summary } = result.articles[1]!;
    expect(summary.length).toBeLessThanOrEqual(300);
    expect(summary.length).toBeGreaterThan(250);
    expect(summary.endsWith('…')).toBe(true);
    const full = "Yerevan's cafés have spilled onto the pavements this summer";
    expect(summary.startsWith(full)).toBe(true);
    // The character before the ellipsis ends a whole word of the original text.
    const cutAt = summary.length - 1;
    const original =
      "Yerevan's cafés have spilled onto the pavements this summer, with more than two hundred new terrace permits issued since May. Owners say the longer evenings have brought in visitors who used to stay indoors, while residents of the busier streets have asked the city to enforce the eleven o'clock closing time more strictly. The council";
    expect(original.slice(0, cutAt)).toBe(summary.slice(0, cutAt));
    expect(original[cutAt]).toMatch(/[\s,.]/);
  });

  it('takes an image enclosure over an audio one, and an image media:content over a video one', () => {
    expect(result.articles[2]).toMatchObject({
      published: '2025-09-04T08:00:00.000Z',
      imageUrl: 'https://news.example.com/img/podcast-cover.png',
    });
    expect(result.articles[2]!.author).toBeUndefined();
    expect(result.articles[3]).toMatchObject({
      published: '2025-09-04T04:30:45.000Z', // 21:30:45 -0700
      imageUrl: 'https://news.example.com/img/sunset.jpg',
      imageCaption: 'Sunset over the Caspian',
    });
  });

  it('marks members-only case-insensitively and drops a non-http image', () => {
    const a = result.articles[4]!;
    expect(a.published).toBe('2025-09-04T05:30:00.000Z'); // 11:00 +0530
    expect(a.membersOnly).toBe(true);
    expect(a.imageUrl).toBeUndefined();
    expect(a.imageCaption).toBeUndefined();
    expect(parse('rss.xml', { membersOnlyTag: 'region' }).articles[4]!.membersOnly).toBe(true);
    expect(parse('rss.xml', { membersOnlyTag: 'paywall' }).articles[4]!.membersOnly).toBe(false);
  });

  it('skips items without a usable date or link, one warning each naming feed and item', () => {
    expect(result.warnings).toEqual([
      'rss.xml: item 5 "No date here": no usable date',
      'rss.xml: item 6 "Unreadable date": no usable date ("sometime yesterday")',
      'rss.xml: item 7 "No link": no link',
    ]);
    expect(result.skipped).toEqual({ 'no date': 1, 'unreadable date': 1, 'no link': 1 });
    // Placing by first sight is for feeds that date none of their items (RSS 0.91/0.92).
    expect(result.undated).toEqual([]);
  });
});

describe('RSS 1.0 (RDF)', () => {
  const result = parse('rdf.xml');

  it('reads items beside the channel with Dublin Core under any prefix', () => {
    expect(result.type).toBe('rss');
    expect(result.warnings).toEqual([]);
    expect(result.articles).toEqual([
      {
        id: 'https://rdf.example.org/apricots',
        url: 'https://rdf.example.org/apricots',
        title: 'Armenian apricot exports rise by a fifth',
        summary: 'Exporters shipped more fruit to the Gulf than ever before.',
        author: 'Ani Hakobyan',
        published: '2025-09-04T05:30:00.000Z',
        tags: ['Armenia', 'Economy'],
        membersOnly: false,
        source: 'rdf.xml',
      },
      {
        id: 'https://rdf.example.org/ferries',
        url: 'https://rdf.example.org/ferries',
        title: 'Ferries & freight: a busy week in Poti',
        summary: 'Three ferries in three days.',
        published: '2025-09-04T03:00:00.000Z',
        tags: ['Georgia'],
        membersOnly: false,
        source: 'rdf.xml',
      },
    ]);
  });
});

describe('Atom 1.0', () => {
  const result = parse('atom.xml');

  it('reads html titles, xhtml summaries, the alternate link and image enclosures', () => {
    expect(result.type).toBe('atom');
    expect(result.articles[0]).toEqual({
      id: 'tag:atom.example.net,2025:baku-caspian',
      url: 'https://atom.example.net/baku-caspian',
      title: 'Baku & the Caspian',
      summary: 'Ferries resume & ports reopen.',
      author: 'Leyla Mammadova',
      published: '2025-09-04T03:45:10.000Z',
      tags: ['azerbaijan', 'editors-pick'],
      imageUrl: 'https://atom.example.net/img/caspian.jpg',
      membersOnly: false,
      source: 'atom.xml',
    });
  });

  it('falls back to updated, content, the feed author, and resolves against the alternate link', () => {
    expect(result.articles[1]).toMatchObject({
      url: 'https://atom.example.net/stories/updated-only',
      published: '2025-09-04T01:02:03.456Z',
      summary: 'Body only, no summary.',
      author: 'Desk Editor',
      imageUrl: 'https://atom.example.net/img/thumb.jpg',
    });
  });

  it('reads a negative half-hour offset and a category with only a label', () => {
    expect(result.articles[2]).toMatchObject({ published: '2025-09-04T03:29:59.000Z', tags: ['Region'] });
  });
});

describe('JSON Feed', () => {
  const result = parse('jsonfeed.json');

  it('reads a 1.1 item: summary over content_html, authors, de-duplicated tags, image', () => {
    expect(result.type).toBe('jsonfeed');
    expect(result.articles[0]).toEqual({
      id: 'j-1',
      url: 'https://json.example.com/posts/1',
      // JSON Feed's title and summary are plain text: what looks like markup is text, as written.
      title: 'Gyumri &amp; the <b>tech</b> boom',
      summary: 'A short summary &mdash; with an entity.',
      author: 'Aram Petrosyan',
      published: '2025-09-04T08:00:00.000Z',
      tags: ['Armenia', 'Technology'],
      imageUrl: 'https://json.example.com/img/1.jpg',
      membersOnly: false,
      source: 'jsonfeed.json',
    });
  });

  it('titles an untitled item with its text and resolves relative urls against home_page_url', () => {
    expect(result.articles[1]).toMatchObject({
      id: '2',
      url: 'https://json.example.com/posts/2',
      title: 'A post with no title, only text: the first words become the title.',
      published: '2025-09-04T02:30:00.000Z',
      imageUrl: 'https://json.example.com/img/banner.jpg',
      author: 'Feed Desk',
    });
  });

  it('uses date_modified when date_published is missing and reads a 1.0 author', () => {
    expect(result.articles[2]).toMatchObject({ published: '2025-09-04T00:00:00.000Z', author: 'Old Style' });
  });

  it('skips the item without a url', () => {
    expect(result.articles).toHaveLength(3);
    expect(result.warnings).toEqual(['jsonfeed.json: item 4 "No URL": no link']);
  });
});

describe('WordPress REST posts (one local page)', () => {
  const result = parse('wordpress-posts.json');

  it('reads author, featured image and caption, and term names from _embedded', () => {
    expect(result.type).toBe('wordpress');
    expect(result.articles[0]).toEqual({
      id: 'https://wp.example.org/?p=101',
      url: 'https://wp.example.org/2025/09/04/bus-lanes/',
      title: 'Tbilisi’s new bus lanes',
      summary: 'Bus lanes on Rustaveli Avenue open on Monday … with cameras.',
      author: 'Tamar Gelashvili',
      published: '2025-09-04T08:30:00.000Z',
      tags: ['Georgia', 'Transport & Cities'],
      imageUrl: 'https://wp.example.org/wp-content/uploads/2025/09/bus-lane.jpg',
      imageAlt: 'A bus lane',
      imageCaption: 'The new lane on Rustaveli Avenue',
      membersOnly: false,
      source: 'wordpress-posts.json',
    });
  });

  it('survives a forbidden featured image and uses the content when the excerpt is empty', () => {
    expect(result.articles[1]).toMatchObject({
      title: 'Members’ briefing',
      summary: 'Only the content is set, so it becomes the summary.',
      published: '2025-09-04T05:00:00.000Z',
      membersOnly: true,
    });
    expect(result.articles[1]!.imageUrl).toBeUndefined();
  });
});

describe('encodings', () => {
  it('decodes a windows-1251 feed by its XML declaration', () => {
    const bytes = readFileSync(path.join(FIXTURES, 'windows-1251.xml'));
    // The fixture really is cp1251: "П" is one byte, 0xCF, and the file is not valid UTF-8.
    expect(bytes.includes(Buffer.from([0xcf, 0xee, 0xe3, 0xee, 0xe4, 0xe0]))).toBe(true); // "Погода"
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();

    const { articles } = parse('windows-1251.xml');
    expect(articles).toHaveLength(1);
    expect(articles[0]).toMatchObject({
      title: 'Погода в Тбилиси: жара отступает',
      summary: 'Синоптики обещают похолодание — до +24 °C к выходным.',
      tags: ['Грузия'],
      published: '2025-09-04T07:00:00.000Z',
    });
  });
});
