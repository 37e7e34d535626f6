import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/types.js';
import { articleKeys, editionWindow, selectEdition, type SelectEditionInput } from '../../src/edition/index.js';

// Monday's edition: (Friday 2025-09-05 08:00, Monday 2025-09-08 08:00] in Tbilisi.
const window = editionWindow('0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-08');

const newsletter: SelectEditionInput['newsletter'] = {
  id: 'daily',
  sections: [
    { title: 'Georgia', tags: ['Georgia'] },
    { title: 'Armenia', tags: ['Armenia', 'Yerevan'] },
  ],
  featuredTag: 'featured',
  picksTag: 'editors-pick',
  catchAllTitle: 'More news',
  maxArticles: 30,
};

let serial = 0;
function article(published: string, tags: string[] = [], extra: Partial<Article> = {}): Article {
  serial++;
  return {
    id: `guid-${serial}`,
    url: `https://example.org/news/${serial}`,
    title: `Story ${serial}`,
    summary: '',
    published,
    tags,
    membersOnly: false,
    source: 'feeds/main.xml',
    ...extra,
  };
}

const ids = (articles: Article[]) => articles.map((a) => a.id);

describe('selectEdition', () => {
  it('keeps only articles inside the window, boundaries included as (start, end]', () => {
    const atStart = article('2025-09-05T04:00:00.000Z');
    const justAfterStart = article('2025-09-05T04:00:01.000Z');
    const atEnd = article('2025-09-08T04:00:00.000Z');
    const justAfterEnd = article('2025-09-08T04:00:01.000Z');
    const content = selectEdition({ newsletter, window, articles: [atStart, justAfterStart, atEnd, justAfterEnd] });
    expect(ids(content?.articles ?? [])).toEqual([atEnd.id, justAfterStart.id]);
    expect(content?.window).toBe(window);
    expect(content?.newsletterId).toBe('daily');
  });

  it('returns null when nothing is left', () => {
    expect(selectEdition({ newsletter, window, articles: [] })).toBeNull();
    const old = article('2025-09-01T10:00:00.000Z');
    const sent = article('2025-09-06T10:00:00.000Z');
    expect(selectEdition({ newsletter, window, articles: [old, sent], alreadySent: (a) => a === sent })).toBeNull();
  });

  it('leaves out articles sent before, by id and by URL even when the feed re-dated them', () => {
    // What an earlier edition recorded, as the sent-articles ledger stores it.
    const ledger = new Set([
      ...articleKeys({ id: 'guid-old-1', url: 'https://example.org/a' }),
      ...articleKeys({ id: 'guid-old-2', url: 'https://example.org/b' }),
    ]);
    const alreadySent = (a: Article) => articleKeys(a).some((key) => ledger.has(key));
    const sameGuidNewDate = article('2025-09-07T09:00:00.000Z', [], { id: 'guid-old-1', url: 'https://example.org/a-renamed' });
    const sameUrlNewGuid = article('2025-09-07T10:00:00.000Z', [], { id: 'guid-new', url: 'https://EXAMPLE.org/b/?utm_source=rss' });
    const fresh = article('2025-09-07T08:00:00.000Z');
    const content = selectEdition({ newsletter, window, articles: [sameGuidNewDate, sameUrlNewGuid, fresh], alreadySent });
    expect(ids(content?.articles ?? [])).toEqual([fresh.id]);
  });

  it('keeps one copy of a story two sources both carry: the newer', () => {
    const older = article('2025-09-06T10:00:00.000Z', [], { url: 'https://example.org/story' });
    const newer = article('2025-09-06T11:00:00.000Z', [], { url: 'https://example.org/story/#x' });
    const sameId = article('2025-09-06T09:00:00.000Z', [], { id: newer.id });
    const content = selectEdition({ newsletter, window, articles: [older, sameId, newer] });
    expect(content?.articles).toEqual([newer]);
  });

  it('leads with the newest featured article, matching the tag in any case', () => {
    const newest = article('2025-09-08T03:00:00.000Z');
    const featuredOld = article('2025-09-06T10:00:00.000Z', ['FEATURED']);
    const featuredOlder = article('2025-09-06T09:00:00.000Z', ['featured']);
    const content = selectEdition({ newsletter, window, articles: [featuredOlder, newest, featuredOld] });
    expect(content?.lead).toBe(featuredOld);
    expect(ids(content?.articles ?? [])).toEqual([featuredOld.id, newest.id, featuredOlder.id]);
  });

  it('leads with the newest article when none is featured, and does not repeat it in a section', () => {
    const older = article('2025-09-06T10:00:00.000Z', ['Georgia']);
    const newest = article('2025-09-07T10:00:00.000Z', ['Georgia']);
    const content = selectEdition({ newsletter, window, articles: [older, newest] });
    expect(content?.lead).toBe(newest);
    expect(content?.sections).toEqual([{ title: 'Georgia', articles: [older] }]);
  });

  it('files each article under the first configured section it matches, the rest under the catch-all', () => {
    const lead = article('2025-09-08T04:00:00.000Z');
    const both = article('2025-09-07T12:00:00.000Z', ['armenia', 'georgia']); // Georgia comes first in config
    const yerevan = article('2025-09-07T11:00:00.000Z', ['YEREVAN']);
    const georgia = article('2025-09-07T10:00:00.000Z', [' Georgia ']);
    const other = article('2025-09-07T09:00:00.000Z', ['Azerbaijan']);
    const untagged = article('2025-09-07T08:00:00.000Z');
    const content = selectEdition({ newsletter, window, articles: [untagged, other, georgia, yerevan, both, lead] });
    expect(content?.sections.map((s) => [s.title, ids(s.articles)])).toEqual([
      ['Georgia', [both.id, georgia.id]],
      ['Armenia', [yerevan.id]],
      ['More news', [other.id, untagged.id]],
    ]);
  });

  it('drops empty sections, the catch-all included', () => {
    const lead = article('2025-09-08T04:00:00.000Z');
    const armenia = article('2025-09-07T11:00:00.000Z', ['Armenia']);
    const content = selectEdition({ newsletter, window, articles: [lead, armenia] });
    expect(content?.sections).toEqual([{ title: 'Armenia', articles: [armenia] }]);
    expect(selectEdition({ newsletter, window, articles: [lead] })?.sections).toEqual([]);
  });

  it('caps the edition at maxArticles, lead included, keeping the newest', () => {
    const featured = article('2025-09-05T05:00:00.000Z', ['featured']);
    const others = [1, 2, 3, 4, 5].map((h) => article(`2025-09-07T0${h}:00:00.000Z`));
    const content = selectEdition({ newsletter: { ...newsletter, maxArticles: 3 }, window, articles: [...others, featured] });
    expect(ids(content?.articles ?? [])).toEqual([featured.id, others[4]?.id, others[3]?.id]);
    expect(content?.sections.flatMap((s) => ids(s.articles))).toEqual([others[4]?.id, others[3]?.id]);
    expect(selectEdition({ newsletter: { ...newsletter, maxArticles: 1 }, window, articles: others })?.articles).toEqual([others[4]]);
  });

  it("lists editor's picks, newest first, without the lead and without what the cap cut", () => {
    const leadPick = article('2025-09-08T03:00:00.000Z', ['Editors-Pick']);
    const pickA = article('2025-09-07T10:00:00.000Z', ['editors-pick', 'Georgia']);
    const plain = article('2025-09-07T09:00:00.000Z');
    const pickB = article('2025-09-07T08:00:00.000Z', ['EDITORS-PICK']);
    const pickCut = article('2025-09-06T08:00:00.000Z', ['editors-pick']);
    const articles = [pickCut, pickB, plain, pickA, leadPick];
    const content = selectEdition({ newsletter: { ...newsletter, maxArticles: 4 }, window, articles });
    expect(content?.lead).toBe(leadPick);
    expect(ids(content?.picks ?? [])).toEqual([pickA.id, pickB.id]);
    // Picks also stay in their sections.
    expect(content?.sections.map((s) => [s.title, ids(s.articles)])).toEqual([
      ['Georgia', [pickA.id]],
      ['More news', [plain.id, pickB.id]],
    ]);
  });

  it('keeps the sources’ order between articles published at the same instant', () => {
    const a = article('2025-09-07T10:00:00.000Z');
    const b = article('2025-09-07T10:00:00.000Z');
    const c = article('2025-09-07T10:00:00.000Z');
    expect(ids(selectEdition({ newsletter, window, articles: [b, a, c] })?.articles ?? [])).toEqual([b.id, a.id, c.id]);
  });

  it('puts the lead first in articles, then everything else newest first', () => {
    const x = article('2025-09-06T10:00:00.000Z', ['Armenia']);
    const y = article('2025-09-07T10:00:00.000Z', ['featured']);
    const z = article('2025-09-08T01:00:00.000Z', ['Georgia']);
    const content = selectEdition({ newsletter, window, articles: [x, y, z] });
    expect(ids(content?.articles ?? [])).toEqual([y.id, z.id, x.id]);
    const inSections = content?.sections.flatMap((s) => s.articles) ?? [];
    expect(new Set([content?.lead, ...inSections])).toEqual(new Set(content?.articles));
  });
});
