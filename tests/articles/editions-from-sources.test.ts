/**
 * Issue 11: one failing source does not sink the edition; undated items land in exactly
 * one edition through a first-seen record in Redis; an empty edition says why.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { compileEdition } from '../../src/compile-edition.js';
import { getNewsletter } from '../../src/config/load.js';
import { readMetricsSnapshot, renderMetrics } from '../../src/http/metrics.js';
import { BriefError } from '../../src/errors.js';

const ID = `daily-${FIXTURE_DATE}`;
// The window of the edition of 2025-09-05 (08:00 Asia/Tbilisi) is (2025-09-04T04:00Z, 2025-09-05T04:00Z].
const END_05 = Date.parse('2025-09-05T04:00:00Z');
const END_06 = Date.parse('2025-09-06T04:00:00Z');

let t: TestApp | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const undatedFeed = (titles: string[]) => `<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>https://old.example.org/</link>
  ${titles.map((x) => `<item><title>${x}</title><link>https://old.example.org/${x.replace(/\W+/g, '-')}</link><description>About ${x}</description></item>`).join('')}
  </channel></rss>`;

describe('one failing source', () => {
  it('the edition goes out from the sources that read; the failure is in status and /metrics', async () => {
    t = await testApp({ newsletter: { sources: [{ type: 'rss', url: './feed.xml' }, { url: './broken.xml', name: 'broken feed' }] } });
    writeFileSync(path.join(t.dir, 'broken.xml'), '<rss><channel><item><title>x</title></channel></rss>');
    await t.app.service.request('daily', FIXTURE_DATE);
    await t.app.service.prepare(ID);
    const status = await t.app.service.status(ID);
    expect(['sending', 'sent']).toContain(status.state);
    expect(status.articles).toBeGreaterThan(0);
    expect(status.feedErrors).toHaveLength(1);
    expect(status.feedErrors[0]).toMatchObject({ source: 'broken feed' });
    expect(status.feedErrors[0]!.error).toMatch(/^broken feed: not well-formed XML at line 1: /);
    const { text } = await renderMetrics(await readMetricsSnapshot(t.app));
    expect(text).toMatch(/^brief_feed_errors_total\{newsletter="daily",source="broken feed"\} 1$/m);
  });

  it('a required source that fails keeps all-or-nothing: the edition waits, saying why', async () => {
    t = await testApp({ newsletter: { sources: [{ type: 'rss', url: './feed.xml' }, { url: './missing.xml', required: true }] } });
    await t.app.service.request('daily', FIXTURE_DATE);
    await expect(t.app.service.prepare(ID)).rejects.toThrow(/^\.\/missing\.xml: no such file$/);
    const status = await t.app.service.status(ID);
    expect(status).toMatchObject({ state: 'scheduled', error: './missing.xml: no such file', articles: 0 });
  });

  it('every source failing fails the compile with one line per source', async () => {
    t = await testApp({ newsletter: { sources: [{ url: './missing-a.xml' }, { url: './missing-b.xml' }] } });
    const n = getNewsletter(t.config, 'daily');
    const err = await compileEdition(t.config, n, FIXTURE_DATE, { publicUrl: 'https://brief.example.org' }).catch((e: unknown) => e);
    expect((err as BriefError).code).toBe('EFEED');
    expect((err as BriefError).message).toBe('./missing-a.xml: no such file\n./missing-b.xml: no such file');
  });
});

describe('items without dates (RSS 0.91)', () => {
  it('land in exactly one edition: the one whose send first saw them', async () => {
    t = await testApp({ newsletter: { sources: [{ url: './old.xml', name: 'old' }] } });
    const file = path.join(t.dir, 'old.xml');
    writeFileSync(file, undatedFeed(['First story', 'Second story']));
    const n = getNewsletter(t.config, 'daily');
    const deps = { redis: t.app.redis, keys: t.app.keys, publicUrl: 'https://brief.example.org' };

    // A preview before the send shows them, and records nothing.
    const preview = await compileEdition(t.config, n, FIXTURE_DATE, { ...deps, now: END_05 - 3_600_000 });
    expect(preview.content.articles.map((a) => a.title).sort()).toEqual(['First story', 'Second story']);
    expect(await t.app.redis.hlen(t.app.keys.firstSeen('daily', 'old'))).toBe(0);

    // The send of the 5th, running late (after its cut-off), takes them at its cut-off.
    const sent = await compileEdition(t.config, n, FIXTURE_DATE, { ...deps, recordFirstSeen: true, now: END_05 + 60_000 });
    expect(sent.content.articles.map((a) => a.published)).toEqual([new Date(END_05).toISOString(), new Date(END_05).toISOString()]);
    const seen = await t.app.redis.hgetall(t.app.keys.firstSeen('daily', 'old'));
    expect(Object.values(seen)).toEqual([String(END_05), String(END_05)]);

    // The next day a third story appears; only it is in the edition of the 6th.
    writeFileSync(file, undatedFeed(['First story', 'Second story', 'Third story']));
    const next = await compileEdition(t.config, n, '2025-09-06', { ...deps, recordFirstSeen: true, now: END_06 - 1000 });
    expect(next.content.articles.map((a) => a.title)).toEqual(['Third story']);
    expect(next.content.articles[0]!.published).toBe(new Date(END_06 - 1000).toISOString());
  });
});

describe('an empty edition', () => {
  it('says why items were skipped: counts by reason and the first lines', async () => {
    t = await testApp();
    writeFileSync(t.feedFile, `<rss version="2.0"><channel><link>https://news.example.org/</link>
      <item><title>Bad date</title><link>https://news.example.org/1</link><pubDate>someday</pubDate></item>
      <item><title>No link</title><pubDate>Thu, 04 Sep 2025 10:00:00 +0400</pubDate></item>
      <item><title>Old</title><link>https://news.example.org/3</link><pubDate>Thu, 04 Sep 2020 10:00:00 +0400</pubDate></item>
    </channel></rss>`);
    const n = getNewsletter(t.config, 'daily');
    const err = await compileEdition(t.config, n, FIXTURE_DATE, { publicUrl: 'https://brief.example.org' }).catch((e: unknown) => e);
    expect((err as BriefError).code).toBe('EEMPTY');
    const lines = (err as BriefError).message.split('\n');
    expect(lines[0]).toMatch(/no new articles between .* nothing to send; 1 article read, none in the window or all sent before; skipped: 1 unreadable date, 1 no link$/);
    expect(lines.slice(1)).toEqual([
      'warning: ./feed.xml: item 1 "Bad date": no usable date ("someday")',
      'warning: ./feed.xml: item 2 "No link": no link',
    ]);
  });
});
