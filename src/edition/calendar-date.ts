import { DateTime } from 'luxon';
import { BriefError } from '../errors.js';

const shape = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks that `date` is a real calendar date written YYYY-MM-DD and returns it.
 * The shape test comes first because luxon's ISO parser also accepts "2025-W36-5",
 * "2025-248" and "20250905", which would name the right day but make edition ids ambiguous.
 */
export function assertCalendarDate(date: string): string {
  if (!shape.test(date) || !DateTime.fromISO(date, { zone: 'utc' }).isValid) {
    throw new BriefError('EDATE', `${JSON.stringify(date)} is not a date (YYYY-MM-DD)`);
  }
  return date;
}

/** The first year an edition may be dated. */
export const FIRST_EDITION_YEAR = 2000;

/**
 * An edition date that can be meant: a calendar date from FIRST_EDITION_YEAR up to a year
 * ahead of `now`. Past dates stay valid (re-sends and previews of last year's editions);
 * `0000-01-01` or `9999-12-31` are typing mistakes or probes, refused with EDATE before
 * anything is created.
 */
export function assertEditionDate(date: string, now: Date = new Date()): string {
  assertCalendarDate(date);
  const d = DateTime.fromISO(date, { zone: 'utc' });
  if (d.year < FIRST_EDITION_YEAR) {
    throw new BriefError('EDATE', `${JSON.stringify(date)} is before ${FIRST_EDITION_YEAR}: not an edition date`);
  }
  const limit = DateTime.fromJSDate(now, { zone: 'utc' }).plus({ years: 1 }).endOf('day');
  if (d > limit) {
    throw new BriefError('EDATE', `${JSON.stringify(date)} is more than a year ahead (the latest is ${limit.toISODate()})`);
  }
  return date;
}

/** "Saturday 6 September 2025": how a date reads in a one-line message. */
export function describeDate(date: string): string {
  return DateTime.fromISO(date, { zone: 'utc' }).setLocale('en-GB').toFormat('cccc d LLLL yyyy');
}

/**
 * Milliseconds of an ISO 8601 instant; one without an offset is read as UTC, never as the
 * machine's local time (which `Date.parse` would do). NaN for anything else, so every
 * comparison with it is false.
 */
export function isoInstantMs(iso: string): number {
  const parsed = DateTime.fromISO(iso, { zone: 'utc' });
  return parsed.isValid ? parsed.toMillis() : Number.NaN;
}
