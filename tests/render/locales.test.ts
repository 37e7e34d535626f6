import { beforeAll, describe, expect, it } from 'vitest';
import { makeScriptEdition } from '../../bench/fixtures.js';
import { CATALOGUES, STRING_KEYS } from '../../src/i18n/index.js';
import { personalise, renderEdition, type RenderedEdition } from '../../src/render/index.js';
import { ARCHIVE_URL, makeEdition, newsletter, recipient } from './helpers.js';

/** The English email strings without their {placeholders}: none may show in a Georgian edition. */
const englishChrome = STRING_KEYS.filter((k) => k.startsWith('email.'))
  .flatMap((k) => CATALOGUES.en![k].split(/\{\w+\}/))
  .map((s) => s.trim().replace(/[.:,]$/, ''))
  .filter((s) => s.length > 3);

describe('an edition in the newsletter language', () => {
  let ka: RenderedEdition;
  beforeAll(async () => {
    const { newsletter: n, content } = makeScriptEdition('ka', 12);
    ka = await renderEdition({ newsletter: n, content, editionId: 'daily-2025-09-05', archiveUrl: ARCHIVE_URL });
  });

  it('has no English chrome in either part of a ka-GE edition, and says the date in Georgian', () => {
    for (const v of Object.values(ka.variants)) {
      const { html, text } = personalise(v, recipient({ name: 'ნინო' }));
      expect(html).toContain('<html lang="ka-GE"');
      for (const phrase of englishChrome) {
        expect(html, phrase).not.toContain(phrase.replace(/'/g, '&#x27;'));
        expect(html, phrase).not.toContain(phrase);
        expect(text, phrase).not.toContain(phrase);
      }
      expect(html).toContain('ბრაუზერში ნახვა');
      expect(html).toContain('დილა მშვიდობისა, ნინო');
      expect(text).toContain('დილა მშვიდობისა, ნინო. აი, რა უნდა იცოდეთ დღეს.');
      expect(text).toContain('პარასკევი'); // Friday: dates follow the locale, as before
    }
    expect(ka.warnings).toBeUndefined();
  });

  it('greets a reader without a name without a stray comma', () => {
    const { text } = personalise(ka.variants.public, recipient({ name: '' }));
    expect(text).toContain('დილა მშვიდობისა. აი,');
  });

  it("applies the newsletter's own strings, and warns once for a locale without a catalogue", async () => {
    const content = makeEdition(3);
    const custom = await renderEdition({
      newsletter: { ...newsletter, locale: 'de-DE', strings: { 'email.picks': 'Unsere Auswahl', 'email.greeting.named': 'Hallo {name}' } },
      content,
      editionId: 'x',
      archiveUrl: ARCHIVE_URL,
    });
    expect(custom.warnings).toEqual([expect.stringContaining('no strings for locale "de-DE"')]);
    const { html, text } = personalise(custom.variants.member, recipient({ name: 'Ann' }));
    expect(text).toContain('Hallo Ann. Here is what you need to know today.');
    expect(html).toContain('Hallo Ann.');
    if (content.picks.length) expect(html).toContain('Unsere Auswahl');
    expect(text).toContain('View in your browser:'); // English for everything not overridden
  });

  it('underlines section titles as wide as they are, in any script', () => {
    const { text } = personalise(ka.variants.public, recipient());
    for (const s of ['საქართველო', 'სომხეთი']) expect(text).toContain(`\n${s}\n${'-'.repeat([...s].length)}\n`);
    expect(text).toContain(`\nმთავარი ამბავი\n${'='.repeat(14)}\n`);
  });
});
