/**
 * Issue 12, item 2: an edition near Gmail's clip is warned about where an editor or operator
 * sees it — `brief preview` (stderr) and the worker's log when the edition is frozen — and
 * an ordinary edition is not. The near-clip edition is 34 Georgian stories read from a feed
 * (30 of them stay under the 91.8 KB line; 34 go past it, base64 HTML part about 96 KB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { makeEdition, makeScriptEdition } from '../../bench/fixtures.js';
import type { Article } from '../../src/articles/types.js';
import { brief, newsletter, tempDir, writeConfig } from './brief.js';
import { testRedis, deleteByPrefix, type TestRedis } from '../helpers/redis.js';
import { testApp, waitFor } from '../helpers/app.js';

const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function rss(articles: Article[]): string {
  const items = articles.map((a) => `<item>
  <title>${x(a.title)}</title><link>${x(a.url)}</link><guid isPermaLink="false">${x(a.id)}</guid>
  <pubDate>${new Date(a.published!).toUTCString()}</pubDate>${a.author ? `<dc:creator>${x(a.author)}</dc:creator>` : ''}
  ${a.tags.map((t) => `<category>${x(t)}</category>`).join('')}
  <description>${x(a.summary)}</description>
  ${a.imageUrl ? `<enclosure url="${x(a.imageUrl)}" type="image/jpeg" length="0"/>` : ''}
</item>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Feed</title><link>https://example.org/</link><description>d</description>
${items.join('\n')}
</channel></rss>`;
}

const ka = makeScriptEdition('ka', 34);
const kaNewsletter = {
  title: ka.newsletter.title,
  from: ka.newsletter.from,
  locale: ka.newsletter.locale,
  sections: ka.newsletter.sections,
  maxArticles: 34,
};

let redis: TestRedis;
let tmp: { dir: string; cleanup(): void };
beforeAll(async () => {
  redis = await testRedis();
  tmp = tempDir();
  writeFileSync(path.join(tmp.dir, 'ka.xml'), rss(ka.content.articles));
  writeFileSync(path.join(tmp.dir, 'en.xml'), rss(makeEdition(8).articles));
});
afterAll(async () => {
  await deleteByPrefix(redis.redis, redis.prefix);
  await redis.redis.quit();
  tmp.cleanup();
});

describe('the near-clip warning', { timeout: 120_000 }, () => {
  it('brief preview warns on stderr for 34 Georgian stories, and not for 8 English ones', async () => {
    const kaCfg = writeConfig(tmp.dir, 'ka.config.json', { newsletters: [newsletter({ ...kaNewsletter, sources: [{ type: 'rss', url: './ka.xml' }] })] });
    const enCfg = writeConfig(tmp.dir, 'en.config.json', { newsletters: [newsletter({ sources: [{ type: 'rss', url: './en.xml' }] })] });
    const near = await brief(['preview', 'daily', '--date', '2025-09-05', '--out', path.join(tmp.dir, 'ka.html'), '--config', kaCfg], { cwd: tmp.dir, prefix: redis.prefix });
    expect(near.code, near.stderr).toBe(0);
    expect(near.stderr).toContain('daily-2025-09-05: 34 articles');
    expect(near.stderr).toMatch(/^warning: size: the HTML part is (9[2-9]|10[01])\.\d KB, within 10% of Gmail's 102\.0 KB clip/m);
    const fine = await brief(['preview', 'daily', '--date', '2025-09-05', '--out', path.join(tmp.dir, 'en.html'), '--config', enCfg], { cwd: tmp.dir, prefix: redis.prefix });
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stderr).not.toMatch(/size: the HTML part/);
  });

  it("the worker's log warns when it freezes such an edition, with the size in bytes", async () => {
    const lines: Array<{ level: number; msg: string; htmlPartBytes?: number; editionId?: string }> = [];
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
    const t = await testApp({ newsletter: kaNewsletter, logger: pino({ level: 'info' }, sink) });
    try {
      writeFileSync(t.feedFile, rss(ka.content.articles));
      await t.app.subscribers.add('daily', 'reader@example.net');
      const worker = await t.app.startWorkers();
      try {
        await t.app.service.request('daily', '2025-09-05');
        const warned = await waitFor(async () => lines.find((l) => l.msg.startsWith('size: the HTML part')), 60_000, 'the near-clip warning');
        expect(warned).toMatchObject({ level: 40, editionId: 'daily-2025-09-05' });
        expect(warned.htmlPartBytes).toBeGreaterThanOrEqual(Math.floor(102 * 1024 * 0.9));
        const frozen = lines.find((l) => l.msg === 'edition compiled and frozen');
        expect(frozen?.htmlPartBytes).toBe(warned.htmlPartBytes);
      } finally {
        await worker.close();
      }
    } finally {
      await t.cleanup();
    }
  });
});
