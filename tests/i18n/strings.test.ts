import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, STRING_KEYS, negotiateLanguage, stringsFor, t } from '../../src/i18n/index.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('string catalogues', () => {
  it('ship en, ka, hy, ru and az', () => {
    expect(LANGUAGES.sort()).toEqual(['az', 'en', 'hy', 'ka', 'ru']);
  });

  it.each(LANGUAGES)('%s has every key, non-empty, with the same {placeholders} as English', (lang) => {
    const c = CATALOGUES[lang]!;
    expect(Object.keys(c).sort()).toEqual([...STRING_KEYS].sort());
    for (const key of STRING_KEYS) {
      expect(c[key].trim(), `${lang} ${key}`).not.toBe('');
      expect(placeholders(c[key]), `${lang} ${key}`).toEqual(placeholders(CATALOGUES.en![key]));
    }
  });

  it('are translations, not copies of English (outside the Latin-script az, every ka/hy/ru string is in its script)', () => {
    const script = { ka: /\p{Script=Georgian}/u, hy: /\p{Script=Armenian}/u, ru: /\p{Script=Cyrillic}/u };
    for (const [lang, re] of Object.entries(script)) {
      for (const key of STRING_KEYS) expect(CATALOGUES[lang]![key], `${lang} ${key}`).toMatch(re);
    }
    const sameAsEnglish = STRING_KEYS.filter((k) => CATALOGUES.az![k] === CATALOGUES.en![k]);
    expect(sameAsEnglish).toEqual([]);
  });
});

describe('stringsFor', () => {
  it('picks the catalogue by the language of a BCP 47 locale', () => {
    expect(stringsFor('ka-GE')['email.viewInBrowser']).toBe(CATALOGUES.ka!['email.viewInBrowser']);
    expect(stringsFor('hy-AM')['email.picks']).toBe(CATALOGUES.hy!['email.picks']);
    expect(stringsFor('ru')['email.unsubscribe']).toBe('Отписаться');
    expect(stringsFor('az-Latn-AZ')['email.topStory']).toBe('Əsas xəbər');
    expect(stringsFor('en-GB')['email.topStory']).toBe('Top story');
  });

  it('falls back to English for an unknown locale, with one warning', () => {
    const warnings: string[] = [];
    const s = stringsFor('de-DE', undefined, (w) => warnings.push(w));
    expect(s['email.viewInBrowser']).toBe('View in browser');
    expect(warnings).toEqual([expect.stringContaining('no strings for locale "de-DE": using English')]);
    const none: string[] = [];
    stringsFor('ka-GE', undefined, (w) => none.push(w));
    expect(none).toEqual([]);
  });

  it("applies a newsletter's overrides over its language, ignoring unknown keys with a warning", () => {
    const warnings: string[] = [];
    const s = stringsFor('ka-GE', { 'email.picks': 'ჩვენი რჩეული', 'email.nope': 'x' }, (w) => warnings.push(w));
    expect(s['email.picks']).toBe('ჩვენი რჩეული');
    expect(s['email.membersOnly']).toBe(CATALOGUES.ka!['email.membersOnly']);
    expect(warnings).toEqual(['unknown string key "email.nope" in strings: ignored']);
    expect(CATALOGUES.ka!['email.picks']).not.toBe('ჩვენი რჩეული'); // the shipped catalogue is untouched
  });
});

describe('t', () => {
  it('fills {placeholders} without escaping and leaves unknown ones visible', () => {
    const s = stringsFor('en');
    expect(t(s, 'email.whyReceived', { title: 'A & <B>' })).toBe('You receive A & <B> because you subscribed to it.');
    expect(t(s, 'email.byline', { author: '$& Ann' })).toBe('By $& Ann');
    expect(t(s, 'email.byline')).toBe('By {author}');
  });
});

describe('negotiateLanguage', () => {
  it('honours q-values and falls back to English', () => {
    expect(negotiateLanguage('ka-GE,ka;q=0.9,en;q=0.8')).toBe('ka');
    expect(negotiateLanguage('de;q=1, hy;q=0.5, ru;q=0.7')).toBe('ru');
    expect(negotiateLanguage('de, fr')).toBe('en');
    expect(negotiateLanguage('ru;q=0')).toBe('en');
    expect(negotiateLanguage(undefined)).toBe('en');
  });
});

describe('the strings config field', () => {
  const newsletter = {
    id: 'daily', title: 'T', from: 'T <t@example.org>', timezone: 'Asia/Tbilisi', schedule: '0 8 * * 1-5',
    lists: ['daily'], sources: [{ url: './feed.xml' }],
  };
  it('accepts known keys and refuses an unknown one with one line naming it', () => {
    const ok = parseConfig({ newsletters: [{ ...newsletter, strings: { 'email.picks': 'Our picks' } }] }, '/x/brief.config.json');
    expect(ok.newsletters[0]!.strings).toEqual({ 'email.picks': 'Our picks' });
    try {
      parseConfig({ newsletters: [{ ...newsletter, strings: { 'email.pics': 'Our picks' } }] }, '/x/brief.config.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues).toEqual(['newsletters[0].strings.email.pics: unknown key']);
    }
  });
});
