import { beforeAll, describe, expect, it } from 'vitest';
import { personalise, renderEdition, type RenderedEdition } from '../../src/render/index.js';
import type { EditionContent } from '../../src/edition/types.js';
import { ARCHIVE_URL, makeEdition, newsletter, recipient } from './helpers.js';

/** Everything after the common start and before the common end of two strings. */
function difference(a: string, b: string): [string, string] {
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return [a.slice(start, a.length - end), b.slice(start, b.length - end)];
}

describe('renderEdition', () => {
  let content: EditionContent;
  let edition: RenderedEdition;

  beforeAll(async () => {
    content = makeEdition(30);
    edition = await renderEdition({ newsletter, content, editionId: 'daily:2025-09-05', archiveUrl: ARCHIVE_URL });
  });

  it('puts the title and the local long date in the masthead, and the locale on <html>', () => {
    const { html } = edition.variants.public;
    expect(html).toContain('>The Caucasus Daily Brief</h1>');
    expect(html).toContain('Friday, 5 September 2025');
    expect(html).toMatch(/<html[^>]* lang="en-GB"/);
  });

  it('says the date in German for a de-DE newsletter', async () => {
    const de = await renderEdition({
      newsletter: { ...newsletter, locale: 'de-DE', timezone: 'Europe/Berlin' },
      content: { ...content, window: { ...content.window, timezone: 'Europe/Berlin' } },
      editionId: 'daily:2025-09-05',
      archiveUrl: ARCHIVE_URL,
    });
    expect(de.subject).toBe('The Caucasus Daily Brief — Freitag, 5. September 2025');
    expect(de.variants.member.html).toContain('Freitag, 5. September 2025');
    expect(de.variants.member.html).toMatch(/<html[^>]* lang="de-DE"/);
  });

  it('shows each story time in the newsletter zone', () => {
    // The lead was published 04:30 UTC: 08:30 in Tbilisi (UTC+4).
    expect(content.lead.published).toBe('2025-09-04T04:30:00.000Z');
    expect(edition.variants.public.html).toContain('By Nino Beridze · 08:30');
  });

  it('builds the subject from the default pattern and keeps it on every variant', () => {
    expect(edition.subject).toBe('The Caucasus Daily Brief — Friday, 5 September 2025');
    expect(edition.variants.member.subject).toBe(edition.subject);
    expect(edition.variants.public.html).toContain(`<title>${edition.subject}</title>`);
    expect(edition.editionId).toBe('daily:2025-09-05');
  });

  it('builds the subject from a custom pattern', async () => {
    const custom = await renderEdition({
      newsletter: { ...newsletter, subject: 'Your brief for {date} | {title}' },
      content,
      editionId: 'x',
      archiveUrl: ARCHIVE_URL,
    });
    expect(custom.subject).toBe('Your brief for Friday, 5 September 2025 | The Caucasus Daily Brief');
  });

  it("uses the lead's title as preheader unless the newsletter sets one", async () => {
    expect(edition.variants.public.preheader).toBe(content.lead.title);
    const withPreheader = await renderEdition({
      newsletter: { ...newsletter, preheader: 'Five things to know this morning' },
      content,
      editionId: 'x',
      archiveUrl: ARCHIVE_URL,
    });
    expect(withPreheader.variants.member.preheader).toBe('Five things to know this morning');
    expect(withPreheader.variants.member.html).toMatch(/<div style="display:none;[^"]*">Five things to know this morning(&zwnj;&nbsp;)+<\/div>/);
  });

  it('shows the lead image full width, its alt text not repeating the headline beside it, and its caption', () => {
    const { html } = edition.variants.public;
    const img = html.match(/<img [^>]*>/)?.[0] ?? '';
    expect(img).not.toContain(content.lead.title);
    expect(img).toMatch(/ alt(="")?[ />]/);
    expect(img).toContain(`src="${content.lead.imageUrl}"`);
    expect(img).toContain('width="600"');
    expect(html).toContain(content.lead.imageCaption);
  });

  it('lists the picks and every section with its stories, marking members-only ones', () => {
    const { html } = edition.variants.member;
    expect(html).toMatch(/Editor(&#x27;|&#39;)s picks/);
    for (const section of content.sections) {
      expect(html).toContain(`>${section.title}</h2>`);
      for (const a of section.articles) expect(html).toContain(`>${a.title}</a></h3>`);
    }
    const membersOnly = content.articles.filter((a) => a.membersOnly);
    expect(membersOnly.length).toBeGreaterThan(0);
    const stories = html.split('<h3').length - 1;
    const markers = (html.match(/>Members only<\/span>/g) ?? []).length;
    expect(markers).toBe(membersOnly.filter((a) => a !== content.lead).length);
    expect(stories).toBe(content.articles.length - 1);
  });

  it('differs between variants only in the membership block', () => {
    const [member, pub] = difference(edition.variants.member.html, edition.variants.public.html);
    expect(member).toContain('Thank you for being a member');
    expect(pub).toContain(newsletter.membership?.text);
    expect(pub).toMatch(/>\s*Become a member\s*<\/a>/);
    expect(pub).toContain('href="https://example.org/membership?utm_source=brief&amp;utm_medium=email"');
    for (const part of [member, pub]) {
      for (const a of content.articles) expect(part).not.toContain(a.title);
      expect(part).not.toContain('Unsubscribe');
    }
    expect(edition.variants.member.html).not.toContain(newsletter.membership?.text);

    const [memberText, publicText] = difference(edition.variants.member.text, edition.variants.public.text);
    expect(memberText).toContain('Thank you for being a member');
    expect(publicText).toContain('Become a member:\nhttps://example.org/membership?utm_source=brief&utm_medium=email');
  });

  it('offers no call to action without a membership programme, and members are still thanked', async () => {
    const { membership: _omitted, ...noMembership } = newsletter;
    const r = await renderEdition({ newsletter: noMembership, content, editionId: 'x', archiveUrl: ARCHIVE_URL });
    expect(r.variants.public.html).not.toContain('Become a member');
    expect(r.variants.member.html).toContain('Thank you for being a member');
  });

  it('renders a minimal edition: one story without image, author, picks or postal address', async () => {
    const one = makeEdition(1);
    const { author: _a, imageUrl: _i, imageCaption: _c, ...bare } = one.lead;
    const { postalAddress: _p, ...plainNewsletter } = newsletter;
    const r = await renderEdition({
      newsletter: plainNewsletter,
      content: { ...one, lead: bare, picks: [], sections: [], articles: [bare] },
      editionId: 'x',
      archiveUrl: ARCHIVE_URL,
    });
    const { html, text } = personalise(r.variants.public, recipient());
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/Editor(&#x27;|&#39;|')s picks/);
    expect(html).not.toContain('By ');
    expect(html).toContain(`>${bare.title}</a></h2>`);
    expect(text.replace(/\s+/g, " ")).toContain(`${bare.title} ${bare.summary} ${bare.url} `);
    expect(text).not.toContain("Editor's picks");
  });

  it('writes a text part with every story as TITLE, SUMMARY, URL and the unsubscribe link', () => {
    const { text } = personalise(edition.variants.public, recipient());
    expect(text.startsWith('The Caucasus Daily Brief\nFriday, 5 September 2025\n')).toBe(true);
    // Title and summary are wrapped at 78 like every line, so compare with line breaks as spaces.
    const flat = text.replace(/\s+/g, ' ');
    for (const a of content.articles) expect(flat).toContain(`${a.title} ${a.summary} ${a.url} `);
    for (const s of content.sections) expect(text).toContain(`\n${s.title}\n`);
    expect(text).toContain('Unsubscribe:\nhttps://brief.example.org/u/tok3n-ann');
    expect(text).toContain('Manage preferences:\nhttps://brief.example.org/preferences/tok3n-ann');
    expect(text).toContain('12 Rustaveli Avenue');
    expect(text).not.toMatch(/<[a-z]/i); // not HTML with the tags stripped
    expect(text).not.toContain('&amp;');
  });

  it('wraps the text part at 78 (a URL alone on its line may be longer) and signs off with "-- "', () => {
    const { text } = personalise(edition.variants.public, recipient());
    for (const line of text.split('\n')) {
      if (line.length > 78) expect(line, line).toMatch(/^\s*https?:\/\/\S+$/);
    }
    expect(text).toContain('\n-- \n');
  });

  it('carries the per-recipient placeholders through MJML and minification untouched', () => {
    for (const v of Object.values(edition.variants)) {
      expect(v.html).toContain('href="%%BRIEF_UNSUBSCRIBE_URL%%"');
      expect(v.html).toContain('href="%%BRIEF_PREFERENCES_URL%%"');
      expect(v.html).toContain('href="%%BRIEF_VIEW_URL%%"');
      expect(v.html).toContain('%%BRIEF_GREETING%%. Here is');
      expect(v.text).toContain('Unsubscribe:\n%%BRIEF_UNSUBSCRIBE_URL%%');
    }
  });

  it('links the public archive page as the shareable edition link', () => {
    expect(edition.variants.public.html).toContain(`href="${ARCHIVE_URL}"`);
    expect(edition.variants.public.text).toContain(`Share this edition:\n${ARCHIVE_URL}`);
  });

  it('keeps a 30-story edition under Gmail’s 102 KB clip, after personalisation', () => {
    const long = recipient({
      name: 'Anastasia Konstantinopolskaya-Mkhitaryan',
      unsubscribeUrl: `https://brief.example.org/u/${'x'.repeat(180)}`,
      preferencesUrl: `https://brief.example.org/preferences/${'y'.repeat(180)}`,
      viewInBrowserUrl: `https://brief.example.org/view/${'z'.repeat(180)}`,
    });
    expect(content.articles).toHaveLength(30);
    for (const v of Object.values(edition.variants)) {
      const { html } = personalise(v, long);
      expect(html).toContain(content.articles[29]?.title);
      expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(102_000);
    }
  });

  it('minifies: no HTML comments other than Outlook conditionals, a body without line breaks or runs of spaces', () => {
    const { html } = edition.variants.public;
    const comments = html.match(/<!--(?!\[if|<!\[endif)[\s\S]*?-->/g) ?? [];
    expect(comments.filter((c) => !c.includes('[endif]'))).toEqual([]);
    // MJML's own <style> blocks in the head keep their indentation; the body must not.
    expect(html.slice(html.indexOf('<body'))).not.toMatch(/\n|\s{2,}/);
  });
});
