import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/types.js';
import type { EditionContent } from '../../src/edition/types.js';
import { personalise, renderEdition, type RenderedEdition } from '../../src/render/index.js';
import { ARCHIVE_URL, count, makeEdition, newsletter, recipient } from './helpers.js';

/** Feed text an attacker controls; every field of every article gets one of these. */
const HOSTILE_TEXT = [
  '<script>alert(1)</script>',
  '<iframe src="https://evil.example/"></iframe>',
  '" onmouseover="alert(1)',
  "' onfocus='alert(1)' autofocus='",
  '<img src=x onerror=alert(1)>',
  '{{constructor.constructor "alert(1)"}}',
  '{{#with "x"}}{{lookup this "constructor"}}{{/with}}',
  '{{{lead.title}}}',
  '</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>',
  '<![CDATA[ ]]><!-- -->',
  'javascript:alert(1)',
];
const HOSTILE_URLS = ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>'];

function hostile(a: Article, i: number): Article {
  const t = (k: number) => HOSTILE_TEXT[(i + k) % HOSTILE_TEXT.length] ?? '';
  return {
    ...a,
    title: `Title ${t(0)}`,
    summary: `Summary ${t(1)} and ${t(2)}`,
    author: t(3),
    imageCaption: t(4),
    // Article promises http(s); the template's safeUrl must hold even if that promise breaks.
    url: HOSTILE_URLS[i % HOSTILE_URLS.length] ?? '',
    imageUrl: HOSTILE_URLS[(i + 1) % HOSTILE_URLS.length],
  };
}

/** Every attribute value of every tag, decoded enough to compare schemes. */
function urlAttributes(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|background|action|formaction)="([^"]*)"/gi)].map((m) => m[1] ?? '');
}

describe('feed text cannot inject markup, script or placeholders', () => {
  let content: EditionContent;
  let edition: RenderedEdition;
  const documents: string[] = [];

  beforeAll(async () => {
    const base = makeEdition(HOSTILE_TEXT.length + 2);
    const articles = base.articles.map(hostile);
    const byId = new Map(articles.map((a) => [a.id, a]));
    const swap = (a: Article) => byId.get(a.id) ?? a;
    content = {
      ...base,
      lead: swap(base.lead),
      picks: base.picks.map(swap),
      sections: base.sections.map((s, i) => ({ title: HOSTILE_TEXT[i] ?? s.title, articles: s.articles.map(swap) })),
      articles,
    };
    edition = await renderEdition({
      newsletter: { ...newsletter, postalAddress: '<b>Evil</b> Street\n<script>alert(1)</script>' },
      content,
      editionId: 'e',
      archiveUrl: ARCHIVE_URL,
    });
    for (const v of Object.values(edition.variants)) {
      documents.push(v.html, personalise(v, recipient()).html);
    }
  });

  it('the hostile edition really is in the output (the test tests something)', () => {
    for (const html of documents) {
      expect(html).toContain('Title &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&lt;iframe src&#x3D;&quot;https://evil.example/&quot;&gt;');
      expect(html).toContain('Title &quot; onmouseover&#x3D;&quot;alert(1)');
      expect(html).toContain('Title javascript&#58;alert(1)'); // shown as text, colon as an entity
    }
  });

  it('contains no script, iframe, event handler or javascript: URL', () => {
    for (const html of documents) {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<iframe/i);
      expect(html).not.toMatch(/<img[^>]*\ssrc=x/i);
      expect(html).not.toMatch(/<mj-|<\/mj-/i);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html).not.toMatch(/javascript:/i);
      expect(html).not.toMatch(/data:text/i);
    }
  });

  it('puts only http(s) URLs (or "#") in href and src', () => {
    for (const html of documents) {
      const urls = urlAttributes(html);
      expect(urls.length).toBeGreaterThan(content.articles.length);
      for (const url of urls) expect(url).toMatch(/^(https?:\/\/|#$|%%BRIEF_[A-Z_]+%%$)/);
      expect(urls.filter((u) => u === '#').length).toBeGreaterThanOrEqual(content.articles.length);
    }
  });

  it('does not evaluate Handlebars syntax found in feed text', () => {
    for (const html of documents) {
      expect(html).toContain('{{constructor.constructor &quot;alert(1)&quot;}}');
      expect(html).toContain('{{{lead.title}}}');
    }
  });

  it('escapes config text too (the postal address keeps its line break)', () => {
    for (const html of documents) expect(html).toContain('&lt;b&gt;Evil&lt;/b&gt; Street<br>&lt;script&gt;');
  });

  it('does not let feed text smuggle in a placeholder', async () => {
    const base = makeEdition(3);
    const sneaky: Article = {
      ...base.lead,
      title: 'Read %%BRIEF_UNSUBSCRIBE_URL%% and %%BRIEF_EMAIL%%',
      summary: '%%BRIEF_GREETING%%',
      url: 'https://evil.example/collect?who=%%BRIEF_EMAIL%%',
    };
    const clean = await renderEdition({ newsletter, content: base, editionId: 'e', archiveUrl: ARCHIVE_URL });
    const dirty = await renderEdition({
      newsletter,
      content: { ...base, lead: sneaky, articles: [sneaky, ...base.articles.slice(1)] },
      editionId: 'e',
      archiveUrl: ARCHIVE_URL,
    });
    const who = recipient();
    for (const variant of ['member', 'public'] as const) {
      const a = personalise(clean.variants[variant], who);
      const b = personalise(dirty.variants[variant], who);
      for (const part of ['html', 'text'] as const) {
        expect(count(b[part], who.unsubscribeUrl)).toBe(count(a[part], who.unsubscribeUrl));
        expect(count(b[part], 'Good morning, Ann')).toBe(1);
        expect(b[part]).not.toContain(who.email);
      }
      expect(b.html).toContain('https://evil.example/collect?who=%25%25BRIEF_EMAIL%25%25');
    }
  });
});
