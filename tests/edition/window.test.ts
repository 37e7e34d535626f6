import { describe, expect, it } from 'vitest';
import { defaultRepeatStrategy } from 'bullmq';
import { DateTime } from 'luxon';
import { BriefError } from '../../src/errors.js';
import { editionDateOf, editionWindow, inWindow, nextEditionDate } from '../../src/edition/index.js';

const HOUR = 3_600_000;
const hours = (w: { start: string; end: string }) => (Date.parse(w.end) - Date.parse(w.start)) / HOUR;

function expectBriefError(fn: () => unknown, code: string, message?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BriefError);
  expect((caught as BriefError).code).toBe(code);
  if (message !== undefined) expect((caught as BriefError).message).toBe(message);
}

describe('editionWindow: Europe/London "0 8 * * *"', () => {
  const at = (date: string) => editionWindow('0 8 * * *', 'Europe/London', date);

  it('is 24 hours on an ordinary day', () => {
    expect(at('2025-03-29')).toEqual({
      date: '2025-03-29',
      start: '2025-03-28T08:00:00.000Z',
      end: '2025-03-29T08:00:00.000Z',
      timezone: 'Europe/London',
    });
  });

  it('is 23 hours on the spring-forward day (2025-03-30)', () => {
    const w = at('2025-03-30');
    expect(w.start).toBe('2025-03-29T08:00:00.000Z'); // 08:00 GMT
    expect(w.end).toBe('2025-03-30T07:00:00.000Z'); // 08:00 BST
    expect(hours(w)).toBe(23);
    expect(hours(at('2025-03-31'))).toBe(24);
  });

  it('is 25 hours on the fall-back day (2025-10-26)', () => {
    const w = at('2025-10-26');
    expect(w.start).toBe('2025-10-25T07:00:00.000Z'); // 08:00 BST
    expect(w.end).toBe('2025-10-26T08:00:00.000Z'); // 08:00 GMT
    expect(hours(w)).toBe(25);
    expect(hours(at('2025-10-27'))).toBe(24);
  });
});

describe('editionWindow: Europe/London "30 1 * * *" (the missing and the doubled hour)', () => {
  const at = (date: string) => editionWindow('30 1 * * *', 'Europe/London', date);

  it('sends at 02:30 BST on the day 01:30 does not exist, as BullMQ fires', () => {
    const w = at('2025-03-30');
    expect(w.start).toBe('2025-03-29T01:30:00.000Z');
    expect(w.end).toBe('2025-03-30T01:30:00.000Z'); // 02:30 BST
    expect(hours(w)).toBe(24);
    const next = at('2025-03-31');
    expect(next.start).toBe('2025-03-30T01:30:00.000Z');
    expect(next.end).toBe('2025-03-31T00:30:00.000Z'); // 01:30 BST
    expect(hours(next)).toBe(23);
  });

  it('sends once, at the first 01:30 (BST), on the day 01:30 happens twice', () => {
    const w = at('2025-10-26');
    expect(w.start).toBe('2025-10-25T00:30:00.000Z');
    expect(w.end).toBe('2025-10-26T00:30:00.000Z'); // 01:30 BST, not 01:30 GMT
    expect(hours(w)).toBe(24);
    const next = at('2025-10-27');
    expect(next.start).toBe('2025-10-26T00:30:00.000Z');
    expect(next.end).toBe('2025-10-27T01:30:00.000Z');
    expect(hours(next)).toBe(25);
    // The second 01:30 (GMT) is no boundary: a story from between the two 01:30s is Monday's.
    expect(inWindow(next, '2025-10-26T01:00:00.000Z')).toBe(true);
    expect(inWindow(w, '2025-10-26T01:00:00.000Z')).toBe(false);
  });
});

describe('editionWindow: America/New_York', () => {
  it('is 23 hours on 2025-03-09 and 25 hours on 2025-11-02 for "0 8 * * *"', () => {
    const spring = editionWindow('0 8 * * *', 'America/New_York', '2025-03-09');
    expect(spring.start).toBe('2025-03-08T13:00:00.000Z'); // 08:00 EST
    expect(spring.end).toBe('2025-03-09T12:00:00.000Z'); // 08:00 EDT
    expect(hours(spring)).toBe(23);
    const fall = editionWindow('0 8 * * *', 'America/New_York', '2025-11-02');
    expect(fall.start).toBe('2025-11-01T12:00:00.000Z');
    expect(fall.end).toBe('2025-11-02T13:00:00.000Z');
    expect(hours(fall)).toBe(25);
  });

  it('handles the missing 02:30 and the doubled 01:30', () => {
    const missing = editionWindow('30 2 * * *', 'America/New_York', '2025-03-09');
    expect(missing.end).toBe('2025-03-09T07:30:00.000Z'); // 03:30 EDT
    expect(editionWindow('30 2 * * *', 'America/New_York', '2025-03-10').start).toBe(missing.end);
    const doubled = editionWindow('30 1 * * *', 'America/New_York', '2025-11-02');
    expect(doubled.end).toBe('2025-11-02T05:30:00.000Z'); // the first 01:30 (EDT)
    expect(editionWindow('30 1 * * *', 'America/New_York', '2025-11-03')).toMatchObject({
      start: '2025-11-02T05:30:00.000Z',
      end: '2025-11-03T06:30:00.000Z',
    });
  });
});

describe('editionWindow: Asia/Tbilisi (no DST)', () => {
  it('is 24 hours every day, including the days Europe and America change clocks', () => {
    for (const date of ['2025-03-09', '2025-03-30', '2025-10-26', '2025-11-02']) {
      const w = editionWindow('0 8 * * *', 'Asia/Tbilisi', date);
      expect(w.end).toBe(`${date}T04:00:00.000Z`);
      expect(hours(w)).toBe(24);
    }
  });
});

describe('editionWindow: weekday schedule "0 8 * * 1-5" in Asia/Tbilisi', () => {
  it("gives Monday's edition the weekend: it starts Friday 08:00", () => {
    expect(editionWindow('0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-08')).toEqual({
      date: '2025-09-08',
      start: '2025-09-05T04:00:00.000Z',
      end: '2025-09-08T04:00:00.000Z',
      timezone: 'Asia/Tbilisi',
    });
    expect(hours(editionWindow('0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-09'))).toBe(24);
  });

  it('refuses a Saturday and a Sunday with EDATE, saying why', () => {
    expectBriefError(
      () => editionWindow('0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-06'),
      'EDATE',
      'no edition on Saturday 6 September 2025: the schedule "0 8 * * 1-5" has no occurrence that day in Asia/Tbilisi',
    );
    expectBriefError(
      () => editionWindow('0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-07'),
      'EDATE',
      'no edition on Sunday 7 September 2025: the schedule "0 8 * * 1-5" has no occurrence that day in Asia/Tbilisi',
    );
  });
});

describe('editionWindow: other schedules', () => {
  it('keeps the seconds of a 6-field pattern', () => {
    expect(editionWindow('15 30 7 * * *', 'Asia/Tbilisi', '2025-09-05')).toMatchObject({
      start: '2025-09-04T03:30:15.000Z',
      end: '2025-09-05T03:30:15.000Z',
    });
    expect(editionWindow('15 30 1 * * *', 'Europe/London', '2025-10-26')).toMatchObject({
      start: '2025-10-25T00:30:15.000Z',
      end: '2025-10-26T00:30:15.000Z',
    });
  });

  it('puts a midnight send on the day it starts (the first instant of D)', () => {
    const w = editionWindow('0 0 * * *', 'Asia/Tbilisi', '2025-09-08');
    expect(w.start).toBe('2025-09-06T20:00:00.000Z');
    expect(w.end).toBe('2025-09-07T20:00:00.000Z'); // 2025-09-08 00:00 in Tbilisi
  });

  it('uses the first firing of a day that has several, and starts at the previous edition', () => {
    const w = editionWindow('0 8,17 * * *', 'UTC', '2025-09-05');
    expect(w.end).toBe('2025-09-05T08:00:00.000Z');
    // Not 2025-09-04T17:00: the edition of the 4th already covered up to its 08:00 only.
    expect(w.start).toBe('2025-09-04T08:00:00.000Z');
  });

  it('has no edition on a day whose send time is skipped entirely (America/Santiago midnight)', () => {
    // Chile springs forward at 00:00 on 2025-09-07; cron-parser, hence BullMQ, does not fire.
    expectBriefError(() => editionWindow('0 0 * * *', 'America/Santiago', '2025-09-07'), 'EDATE');
    expect(editionWindow('0 0 * * *', 'America/Santiago', '2025-09-08')).toMatchObject({
      start: '2025-09-06T04:00:00.000Z',
      end: '2025-09-08T03:00:00.000Z',
    });
  });
});

describe('editionWindow: bad input', () => {
  it('refuses malformed dates with EDATE', () => {
    expectBriefError(() => editionWindow('0 8 * * *', 'UTC', '2025-13-01'), 'EDATE', '"2025-13-01" is not a date (YYYY-MM-DD)');
    for (const bad of ['2025-02-29', '2025-9-5', '2025-09-05T08:00', '20250905', '2025-W36-5', '', 'tomorrow']) {
      expectBriefError(() => editionWindow('0 8 * * *', 'UTC', bad), 'EDATE', `${JSON.stringify(bad)} is not a date (YYYY-MM-DD)`);
    }
    expect(editionWindow('0 8 * * *', 'UTC', '2024-02-29').end).toBe('2024-02-29T08:00:00.000Z');
  });

  it('refuses an unknown zone or a broken pattern with ECONFIG', () => {
    expectBriefError(() => editionWindow('0 8 * * *', 'Mars/Olympus', '2025-09-05'), 'ECONFIG', 'unknown time zone "Mars/Olympus"');
    expectBriefError(() => editionWindow('0 25 * * *', 'UTC', '2025-09-05'), 'ECONFIG');
  });
});

describe('editionWindow: consecutive windows tile time and agree with BullMQ', () => {
  const cases: Array<[string, string, string]> = [
    ['0 8 * * *', 'Europe/London', '2025-03-25'],
    ['30 1 * * *', 'Europe/London', '2025-03-25'],
    ['30 1 * * *', 'Europe/London', '2025-10-21'],
    ['0 8 * * *', 'America/New_York', '2025-03-04'],
    ['30 2 * * *', 'America/New_York', '2025-03-04'],
    ['30 1 * * *', 'America/New_York', '2025-10-28'],
    ['0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-01'],
    ['0 0 * * *', 'America/Santiago', '2025-09-03'],
    ['15 30 1 * * *', 'Europe/London', '2025-10-21'],
    ['0 8,17 * * *', 'Europe/London', '2025-10-21'],
  ];

  it.each(cases)('%s in %s for two weeks from %s', async (schedule, timezone, from) => {
    let previous: ReturnType<typeof editionWindow> | undefined;
    let editions = 0;
    for (let day = 0; day < 14; day++) {
      const date = DateTime.fromISO(from, { zone: 'utc' }).plus({ days: day }).toISODate() ?? '';
      let w: ReturnType<typeof editionWindow>;
      try {
        w = editionWindow(schedule, timezone, date);
      } catch (err) {
        expect((err as BriefError).code).toBe('EDATE');
        continue;
      }
      editions++;
      // The job BullMQ fires at `end` belongs to this edition.
      expect(editionDateOf(w.end, timezone)).toBe(date);
      // Having fired at `start`, BullMQ's own next-firing maths gives `end`, unless the
      // schedule fires more than once a day (then `start` is the previous edition's firing).
      if (!schedule.includes(',')) {
        const next = await defaultRepeatStrategy(Date.parse(w.start), { pattern: schedule, tz: timezone });
        expect(next).toBe(Date.parse(w.end));
      }
      // No gap, no overlap.
      if (previous) expect(w.start).toBe(previous.end);
      previous = w;
    }
    expect(editions).toBeGreaterThanOrEqual(9);
  });
});

describe('inWindow', () => {
  const w = editionWindow('0 8 * * 1-5', 'Asia/Tbilisi', '2025-09-08');
  const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

  it('includes the end and excludes the start, to the second', () => {
    expect(inWindow(w, w.end)).toBe(true);
    expect(inWindow(w, w.start)).toBe(false);
    expect(inWindow(w, shift(w.start, 1000))).toBe(true);
    expect(inWindow(w, shift(w.end, 1000))).toBe(false);
  });

  it('compares to the millisecond', () => {
    expect(inWindow(w, shift(w.start, 1))).toBe(true);
    expect(inWindow(w, shift(w.end, 1))).toBe(false);
    expect(inWindow(w, shift(w.end, -1))).toBe(true);
  });

  it('reads offsets, and instants without one as UTC', () => {
    expect(inWindow(w, '2025-09-08T08:00:00+04:00')).toBe(true); // = end
    expect(inWindow(w, '2025-09-08T08:00:01+04:00')).toBe(false);
    expect(inWindow(w, '2025-09-05T04:00:00')).toBe(false); // = start, as UTC
    expect(inWindow(w, '2025-09-05T04:00:01')).toBe(true);
  });

  it('never includes an unreadable date', () => {
    expect(inWindow(w, 'yesterday')).toBe(false);
    expect(inWindow(w, '')).toBe(false);
  });
});

describe('editionDateOf', () => {
  it("gives the zone's calendar date of an instant", () => {
    expect(editionDateOf(new Date('2025-09-07T20:00:00.000Z'), 'Asia/Tbilisi')).toBe('2025-09-08');
    expect(editionDateOf('2025-09-07T19:59:59.999Z', 'Asia/Tbilisi')).toBe('2025-09-07');
    expect(editionDateOf('2025-10-26T00:30:00.000Z', 'Europe/London')).toBe('2025-10-26');
    expect(editionDateOf('2025-11-02T03:59:59.999Z', 'America/New_York')).toBe('2025-11-01');
  });

  it('reads a string without an offset as UTC', () => {
    expect(editionDateOf('2025-09-07T20:00:00', 'Asia/Tbilisi')).toBe('2025-09-08');
  });

  it('refuses an unreadable instant or zone', () => {
    expectBriefError(() => editionDateOf('not a time', 'UTC'), 'EDATE', '"not a time" is not an instant (ISO 8601)');
    expectBriefError(() => editionDateOf(new Date(Number.NaN), 'UTC'), 'EDATE');
    expectBriefError(() => editionDateOf(new Date(), 'Nowhere/Town'), 'ECONFIG');
  });
});

describe('nextEditionDate', () => {
  const weekday = (iso: string) => nextEditionDate('0 8 * * 1-5', 'Asia/Tbilisi', new Date(iso));

  it('counts a firing exactly at now, but not one a millisecond before', () => {
    expect(weekday('2025-09-05T04:00:00.000Z')).toBe('2025-09-05');
    expect(weekday('2025-09-05T04:00:00.001Z')).toBe('2025-09-08');
    expect(weekday('2025-09-05T03:59:59.999Z')).toBe('2025-09-05');
  });

  it('skips days without a firing', () => {
    expect(weekday('2025-09-06T12:00:00.000Z')).toBe('2025-09-08');
  });

  it('uses the zone: late evening UTC is already tomorrow in Tbilisi', () => {
    expect(weekday('2025-09-08T21:00:00.000Z')).toBe('2025-09-09'); // 01:00 Tuesday in Tbilisi
    expect(weekday('2025-09-09T05:00:00.000Z')).toBe('2025-09-10'); // 09:00 Tuesday: Wednesday next
    expect(nextEditionDate('0 8 * * *', 'Asia/Tbilisi', new Date('2025-09-08T21:00:00.000Z'))).toBe('2025-09-09');
  });

  it('moves past a day whose edition went out at its first firing', () => {
    expect(nextEditionDate('0 8,17 * * *', 'UTC', new Date('2025-09-05T12:00:00.000Z'))).toBe('2025-09-06');
    expect(nextEditionDate('0 8,17 * * *', 'UTC', new Date('2025-09-05T07:00:00.000Z'))).toBe('2025-09-05');
  });
});
