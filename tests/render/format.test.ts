import { describe, expect, it } from 'vitest';
import { formatEditionDate, formatStoryTime, formatSubject, safeUrl } from '../../src/render/index.js';

describe('formatEditionDate', () => {
  it('says the date in the locale', () => {
    expect(formatEditionDate('2025-09-05', 'Asia/Tbilisi', 'en-GB')).toBe('Friday, 5 September 2025');
    expect(formatEditionDate('2025-09-05', 'Europe/Berlin', 'de-DE')).toBe('Freitag, 5. September 2025');
  });

  it('keeps the calendar date of the zone even far from UTC', () => {
    expect(formatEditionDate('2025-09-05', 'Pacific/Kiritimati', 'en-GB')).toBe('Friday, 5 September 2025');
    expect(formatEditionDate('2025-09-05', 'Pacific/Pago_Pago', 'en-GB')).toBe('Friday, 5 September 2025');
  });
});

describe('formatStoryTime', () => {
  it('gives the time of day in the newsletter zone', () => {
    const published = '2025-09-04T21:30:00.000Z';
    expect(formatStoryTime(published, 'Asia/Tbilisi', 'en-GB')).toBe('01:30');
    expect(formatStoryTime(published, 'America/New_York', 'en-GB')).toBe('17:30');
    expect(formatStoryTime(published, 'America/New_York', 'en-US')).toMatch(/^5:30\sPM$/);
  });

  it('prints nothing for an unreadable instant', () => {
    expect(formatStoryTime('yesterday', 'Asia/Tbilisi', 'en-GB')).toBe('');
  });
});

describe('formatSubject', () => {
  const values = { title: 'The Brief', date: 'Friday, 5 September 2025' };

  it('fills the default pattern', () => {
    expect(formatSubject('{title} — {date}', values)).toBe('The Brief — Friday, 5 September 2025');
  });

  it('fills a custom pattern, every occurrence, with replacement syntax kept literal', () => {
    expect(formatSubject('{date}: {title} ({title})', values)).toBe(
      'Friday, 5 September 2025: The Brief (The Brief)',
    );
    expect(formatSubject('{title}', { title: 'Save $& now $1', date: '' })).toBe('Save $& now $1');
  });
});

describe('safeUrl', () => {
  it('passes absolute http(s) URLs', () => {
    expect(safeUrl('https://example.org/a?b=1&c=2')).toBe('https://example.org/a?b=1&c=2');
    expect(safeUrl('HTTP://example.org/')).toBe('HTTP://example.org/');
  });

  it('turns anything else into "#"', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', '//evil.example', '/relative', 'https://', 42, undefined]) {
      expect(safeUrl(bad)).toBe('#');
    }
  });
});
