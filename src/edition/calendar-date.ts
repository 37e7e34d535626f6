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
