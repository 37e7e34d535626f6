import { beforeAll, describe, expect, it } from 'vitest';
import {
  PLACEHOLDERS,
  escapeHtml,
  personalise,
  renderArchivePage,
  renderEdition,
  type CompiledVariant,
  type RenderedEdition,
} from '../../src/render/index.js';
import { ARCHIVE_URL, count, makeEdition, newsletter, recipient } from './helpers.js';

describe('personalise', () => {
  let edition: RenderedEdition;
  let variant: CompiledVariant;

  beforeAll(async () => {
    edition = await renderEdition({ newsletter, content: makeEdition(12), editionId: 'e', archiveUrl: ARCHIVE_URL });
    variant = edition.variants.public;
  });

  it('replaces every placeholder in both parts', () => {
    const { html, text } = personalise(variant, recipient());
    expect(html).not.toContain('%%BRIEF_');
    expect(text).not.toContain('%%BRIEF_');
    expect(html).toContain('href="https://brief.example.org/u/tok3n-ann"');
    expect(html).toContain('href="https://brief.example.org/preferences/tok3n-ann"');
    expect(count(html, 'href="https://brief.example.org/view/tok3n-ann"')).toBe(2); // top and footer
    expect(html).toContain('Good morning, Ann. Here is');
    expect(text).toContain('Good morning, Ann. Here is');
    expect(text).toContain('View in your browser:\nhttps://brief.example.org/view/tok3n-ann');
    expect(text).toContain('Unsubscribe:\nhttps://brief.example.org/u/tok3n-ann');
  });

  it('escapes values in the HTML part and leaves them raw in the text part', () => {
    const name = '<b>Ann & "Bo"</b>';
    const unsubscribeUrl = "https://brief.example.org/u/a?b=1&c='2'";
    const { html, text } = personalise(variant, recipient({ name, unsubscribeUrl }));
    expect(html).toContain('Good morning, &lt;b&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt;.');
    expect(html).not.toContain('<b>Ann');
    expect(html).toContain('href="https://brief.example.org/u/a?b=1&amp;c=&#39;2&#39;"');
    expect(text).toContain(`Good morning, ${name}.`);
    expect(text).toContain(`Unsubscribe:\n${unsubscribeUrl}\n`);
  });

  it('greets without a name when there is none', () => {
    for (const name of ['', '   ']) {
      const { html, text } = personalise(variant, recipient({ name }));
      expect(html).toContain('>Good morning. Here is');
      expect(text).toContain('\nGood morning. Here is');
    }
  });

  it('reuses the cached split without mixing recipients up', () => {
    const ann = personalise(variant, recipient());
    const bo = personalise(variant, recipient({ name: 'Bo', unsubscribeUrl: 'https://brief.example.org/u/bo' }));
    const annAgain = personalise(variant, recipient());
    expect(annAgain).toEqual(ann);
    expect(bo.html).toContain('Good morning, Bo.');
    expect(bo.html).not.toContain('/u/tok3n-ann"');
    expect(bo.html.replace('Bo.', 'Ann.').replace('/u/bo"', '/u/tok3n-ann"')).toBe(ann.html);
  });

  it('leaves text that merely looks like a placeholder alone', () => {
    const plain: CompiledVariant = { ...variant, html: '%%BRIEF_NAME %%BRIEF_NAME%%%', text: '100%% %%BRIEF_FOO%%' };
    expect(personalise(plain, recipient())).toEqual({ html: '%%BRIEF_NAME Ann%', text: '100%% %%BRIEF_FOO%%' });
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('renderArchivePage', () => {
  it('fills the placeholders with neutral values, with no subscriber data', async () => {
    const edition = await renderEdition({ newsletter, content: makeEdition(5), editionId: 'e', archiveUrl: ARCHIVE_URL });
    const html = renderArchivePage(edition, {
      archiveUrl: ARCHIVE_URL,
      unsubscribeUrl: 'https://brief.example.org/unsubscribe',
    });
    expect(html).not.toContain('%%BRIEF_');
    expect(html).toContain('>Good morning. Here is');
    expect(html).toContain('href="https://brief.example.org/unsubscribe">Unsubscribe</a>'.replace('">', '" style="color:#57606a">'));
    expect(count(html, 'href="https://brief.example.org/unsubscribe"')).toBe(2); // preferences falls back to it
    expect(html).toContain(`href="${ARCHIVE_URL}"`);
    expect(html).toContain(newsletter.membership?.text); // public variant by default
    expect(html).not.toMatch(/[\w.+-]+@[\w-]+\.\w/); // no address of anyone

    const member = renderArchivePage(edition, {
      archiveUrl: ARCHIVE_URL,
      unsubscribeUrl: 'https://brief.example.org/unsubscribe',
      preferencesUrl: 'https://brief.example.org/preferences',
      variant: 'member',
    });
    expect(member).toContain('Thank you for being a member');
    expect(member).toContain('href="https://brief.example.org/preferences"');
  });

  it('exports the placeholder names', () => {
    expect(PLACEHOLDERS).toEqual({
      name: '%%BRIEF_NAME%%',
      email: '%%BRIEF_EMAIL%%',
      greeting: '%%BRIEF_GREETING%%',
      unsubscribeUrl: '%%BRIEF_UNSUBSCRIBE_URL%%',
      preferencesUrl: '%%BRIEF_PREFERENCES_URL%%',
      viewInBrowserUrl: '%%BRIEF_VIEW_URL%%',
    });
  });
});
