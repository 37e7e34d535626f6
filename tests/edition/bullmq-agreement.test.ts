/**
 * The edition window's one promise to the scheduler: the edition of D ends exactly when
 * BullMQ's Job Scheduler fires on D, and starts exactly when it fired for the edition
 * before. Checked against BullMQ's own `defaultRepeatStrategy`, followed from firing to
 * firing as a worker does (a few milliseconds late), across the DST changes of 2025 in
 * zones that change at 01:00, 02:00, at midnight, by half an hour, and not at all.
 */
import { describe, expect, it } from 'vitest';
import { defaultRepeatStrategy } from 'bullmq';
import { DateTime } from 'luxon';
import { BriefError } from '../../src/errors.js';
import { editionDateOf, editionWindow } from '../../src/edition/index.js';

const DAY = 86_400_000;
/** How late a worker starts the job of a firing: BullMQ computes the next one from then. */
const LATENCY_MS = 37;

async function bullmqFirings(pattern: string, tz: string, fromMs: number, toMs: number): Promise<number[]> {
  const firings: number[] = [];
  let at = fromMs;
  for (;;) {
    const next = await defaultRepeatStrategy(at, { pattern, tz });
    if (next === undefined || next > toMs) return firings;
    firings.push(next);
    at = next + LATENCY_MS;
  }
}

const around = (...days: string[]): string[] =>
  days.flatMap((day) =>
    [-3, -2, -1, 0, 1, 2, 3].map((k) => DateTime.fromISO(day, { zone: 'utc' }).plus({ days: k }).toISODate() ?? ''),
  );

const cases: Array<{ tz: string; patterns: string[]; dates: string[] }> = [
  {
    tz: 'Europe/London',
    patterns: ['0 8 * * *', '30 1 * * *', '0 1 * * *', '0 0 * * *', '*/30 1 * * *', '15 30 1 * * *', '0 8 * * 1-5'],
    dates: around('2025-03-30', '2025-10-26'),
  },
  { tz: 'America/New_York', patterns: ['0 8 * * *', '30 2 * * *', '30 1 * * *', '0 2 * * *'], dates: around('2025-03-09', '2025-11-02') },
  // Clocks change at midnight: 2025-04-06 00:00 → 23:00 the day before, 2025-09-07 00:00 → 01:00.
  { tz: 'America/Santiago', patterns: ['0 0 * * *', '30 0 * * *', '0 23 * * *', '0 8 * * *'], dates: around('2025-04-06', '2025-09-07') },
  { tz: 'Asia/Beirut', patterns: ['0 0 * * *', '0 8 * * *'], dates: around('2025-03-30', '2025-10-26') },
  { tz: 'America/Havana', patterns: ['0 0 * * *'], dates: around('2025-03-09', '2025-11-02') },
  // Half-hour change at 02:00. October only: in April cron-parser gives up and BullMQ's
  // scheduler stops firing altogether (pinned in schedule-clock.test.ts).
  { tz: 'Australia/Lord_Howe', patterns: ['30 2 * * *', '0 2 * * *', '0 8 * * *'], dates: around('2025-10-05') },
  { tz: 'Asia/Tbilisi', patterns: ['0 8 * * 1-5', '0 8 * * *'], dates: around('2025-09-04', '2025-09-11') },
];

describe.each(cases)('$tz', ({ tz, patterns, dates }) => {
  it.each(patterns)('"%s": every window is (previous edition firing, this firing]', async (pattern) => {
    const firstDay = Date.parse(`${dates[0]}T00:00:00Z`);
    const lastDay = Date.parse(`${dates[dates.length - 1]}T00:00:00Z`);
    const firings = await bullmqFirings(pattern, tz, firstDay - 15 * DAY, lastDay + 2 * DAY);
    const firstFiringOn = new Map<string, number>();
    for (const firing of firings) {
      const date = editionDateOf(new Date(firing), tz);
      if (!firstFiringOn.has(date)) firstFiringOn.set(date, firing);
    }
    const editionDates = [...firstFiringOn.keys()];

    for (const date of dates) {
      const end = firstFiringOn.get(date);
      if (end === undefined) {
        let caught: unknown;
        try {
          editionWindow(pattern, tz, date);
        } catch (err) {
          caught = err;
        }
        expect(caught, `${date} has no firing, so no edition`).toBeInstanceOf(BriefError);
        expect((caught as BriefError).code).toBe('EDATE');
        continue;
      }
      const previousDate = editionDates[editionDates.indexOf(date) - 1];
      expect(previousDate, `a firing before ${date}`).toBeDefined();
      const start = firstFiringOn.get(previousDate ?? '');
      expect(editionWindow(pattern, tz, date), date).toEqual({
        date,
        start: new Date(start ?? 0).toISOString(),
        end: new Date(end).toISOString(),
        timezone: tz,
      });
    }
  });
});
