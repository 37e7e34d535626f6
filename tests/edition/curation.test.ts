import { describe, expect, it } from 'vitest';
import { selectEdition } from '../../src/edition/select.js';
import { NO_CURATION, isNewArrival, type Curation } from '../../src/edition/curation.js';
import type { Article } from '../../src/articles/types.js';
import { linkifyHtml } from '../../src/render/template-set.js';

const window = { date: '2025-09-05', start: '2025-09-04T04:00:00.000Z', end: '2025-09-05T04:00:00.000Z', timezone: 'Asia/Tbilisi' };
const newsletter = { id: 'daily', sections: [{ title: 'Georgia', tags: ['Georgia'] }], featuredTag: 'featured', picksTag: 'pick', catchAllTitle: 'More', maxArticles: 3 };
const art = (id: string, hour: number, tags: string[] = []): Article => ({
  id, url: `https://example.org/${id}`, title: id, summary: '', published: `2025-09-04T${String(hour).padStart(2, '0')}:00:00.000Z`, tags, membersOnly: false, source: 'feed',
});
const articles = [art('a', 10, ['Georgia', 'featured']), art('b', 11, ['Georgia']), art('c', 12, ['Georgia', 'pick']), art('d', 13)];
const curation = (c: Partial<Curation>): Curation => ({ ...NO_CURATION, savedAt: 1, ...c });

describe('curation in selectEdition', () => {
  it('without curation, the featured lead and the cap', () => {
    const e = selectEdition({ newsletter, window, articles })!;
    expect(e.lead.id).toBe('a');
    expect(e.articles.map((a) => a.id)).toEqual(['a', 'd', 'c']);
  });

  it('an excluded article is gone before the cap, so the next moves up; a chosen lead leads', () => {
    const e = selectEdition({ newsletter, window, articles, curation: curation({ excluded: new Set(['d']), lead: 'b' }) })!;
    expect(e.lead.id).toBe('b');
    expect(e.articles.map((a) => a.id)).toEqual(['b', 'c', 'a']);
  });

  it('an excluded lead falls back to the default', () => {
    const e = selectEdition({ newsletter, window, articles, curation: curation({ excluded: new Set(['a']) }) })!;
    expect(e.lead.id).toBe('d');
  });

  it('picks by hand, unpicks a tagged one, orders a section and carries the note', () => {
    const e = selectEdition({
      newsletter: { ...newsletter, maxArticles: 10 },
      window,
      articles,
      curation: curation({ picks: new Map([['b', true], ['c', false]]), order: { Georgia: ['b', 'c'] }, note: 'Hello' }),
    })!;
    expect(e.picks.map((a) => a.id)).toEqual(['b']);
    expect(e.sections.find((s) => s.title === 'Georgia')!.articles.map((a) => a.id)).toEqual(['b', 'c']);
    expect(e.note).toBe('Hello');
  });

  it('an article the editor has not seen is new, and included', () => {
    const c = curation({ known: new Set(['a', 'b', 'c']) });
    expect(isNewArrival(c, { id: 'd' })).toBe(true);
    expect(isNewArrival(c, { id: 'a' })).toBe(false);
    expect(isNewArrival(NO_CURATION, { id: 'd' })).toBe(false);
    expect(selectEdition({ newsletter, window, articles, curation: c })!.articles.map((a) => a.id)).toContain('d');
  });
});

describe('the intro note in HTML', () => {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  it('escapes once, makes links clickable, keeps lines, leaves trailing punctuation out of the link', () => {
    expect(linkifyHtml('Read <this> & https://example.org/a?b=1&c=2.\nBye', esc)).toBe(
      'Read &lt;this&gt; &amp; <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.<br>Bye',
    );
  });
  it('never makes a link of another scheme', () => {
    expect(linkifyHtml('javascript:alert(1) "x"', esc)).toBe('javascript:alert(1) &quot;x&quot;');
  });
});
