import { DateTime, IANAZone } from 'luxon';
import { BriefError } from '../errors.js';
import type { EditionWindow } from './types.js';
import { assertCalendarDate, describeDate, isoInstantMs } from './calendar-date.js';
import { ScheduleClock } from './schedule-clock.js';

/**
 * The window of the edition of `date` (YYYY-MM-DD in `timezone`): `(start, end]`, where
 * `end` is when the scheduler sends it and `start` is when it sent the edition before.
 *
 * `end` is the schedule's first firing on `date`. A schedule that fires several times a
 * day still makes one edition per day (the edition id is newsletter + date, so the later
 * firings of the day find it already made), and so `start` is the *previous edition's*
 * send time, i.e. the first firing on the previous day that has one, rather than the
 * literal previous firing: with "0 8,17 * * *" the window is (08:00 yesterday, 08:00
 * today], not (17:00 yesterday, 08:00 today], which would never send the articles
 * published between 08:00 and 17:00. For schedules that fire at most once a day (every
 * real newsletter) the two readings are the same instant. Either way the windows of
 * consecutive editions meet exactly, with no gap and no overlap.
 *
 * Firings are the instants BullMQ's Job Scheduler fires at, to the millisecond (see
 * ScheduleClock for why that is not simply cron-parser's `next()`/`prev()`), so on DST
 * days a daily window is 23 or 25 hours long.
 *
 * @throws BriefError EDATE when `date` is malformed or the schedule does not fire on it;
 *   ECONFIG when the schedule or the zone is invalid.
 */
export function editionWindow(schedule: string, timezone: string, date: string): EditionWindow {
  assertCalendarDate(date);
  const clock = new ScheduleClock(schedule, timezone);
  const { before, atOrAfter: end } = clock.around(clock.startOfDay(date));
  if (end === null || clock.dateOf(end) !== date) {
    throw new BriefError(
      'EDATE',
      `no edition on ${describeDate(date)}: the schedule ${JSON.stringify(schedule)} has no occurrence that day in ${timezone}`,
    );
  }
  if (before === null) {
    throw new BriefError(
      'EDATE',
      `no edition before ${describeDate(date)}: the schedule ${JSON.stringify(schedule)} has no earlier occurrence in ${timezone}`,
    );
  }
  // `before` is the firing just before `end`, on the previous edition's date, so that
  // date's first firing exists and is at or before it.
  const start = clock.firstOn(clock.dateOf(before)) ?? before;
  return { date, start: new Date(start).toISOString(), end: new Date(end).toISOString(), timezone };
}

/**
 * The date of the next edition to be sent at or after `now`: preview's default. That is
 * the date of the schedule's next firing, unless that firing is a later one on a day whose
 * edition was already sent earlier that day (several firings a day), then the next day
 * the schedule fires.
 */
export function nextEditionDate(schedule: string, timezone: string, now: Date): string {
  const nowMs = instantMs(now);
  const clock = new ScheduleClock(schedule, timezone);
  const firing = clock.around(nowMs).atOrAfter;
  if (firing === null) {
    throw new BriefError('EDATE', `the schedule ${JSON.stringify(schedule)} has no occurrence after ${new Date(nowMs).toISOString()}`);
  }
  const date = clock.dateOf(firing);
  const sendTime = clock.firstOn(date) ?? firing;
  if (sendTime >= nowMs) return date;
  const later = clock.around(clock.startOfDay(ScheduleClock.dayAfter(date))).atOrAfter;
  if (later === null) {
    throw new BriefError('EDATE', `the schedule ${JSON.stringify(schedule)} has no occurrence after ${date}`);
  }
  return clock.dateOf(later);
}

/**
 * The zone's calendar date of an instant: a scheduler job's timestamp gives the date of
 * the edition it should send. A string without an offset is read as UTC, never as the
 * machine's local time.
 */
export function editionDateOf(instant: Date | string, timezone: string): string {
  if (!IANAZone.isValidZone(timezone)) {
    throw new BriefError('ECONFIG', `unknown time zone ${JSON.stringify(timezone)}`);
  }
  return DateTime.fromMillis(instantMs(instant), { zone: timezone }).toISODate() ?? '';
}

/**
 * Whether an article published at `publishedIso` belongs to `window`: after the start
 * (exclusive), up to and including the end, to the millisecond. The start is exclusive
 * because the previous edition's window included that instant: an article belongs to
 * exactly one edition. An unreadable date is never in a window.
 */
export function inWindow(window: EditionWindow, publishedIso: string): boolean {
  const at = isoInstantMs(publishedIso);
  const start = isoInstantMs(window.start);
  const end = isoInstantMs(window.end);
  return at > start && at <= end;
}

function instantMs(instant: Date | string): number {
  const ms = instant instanceof Date ? instant.getTime() : isoInstantMs(instant);
  if (!Number.isFinite(ms)) {
    const shown = instant instanceof Date ? 'Invalid Date' : JSON.stringify(instant);
    throw new BriefError('EDATE', `${shown} is not an instant (ISO 8601)`);
  }
  return ms;
}

/**
 * The edition a person means by "today's": the zone's today when the schedule has an
 * occurrence today, else the next edition.
 */
export function defaultEditionDate(schedule: string, timezone: string, now: Date): string {
  const today = editionDateOf(now, timezone);
  try {
    editionWindow(schedule, timezone, today);
    return today;
  } catch {
    return nextEditionDate(schedule, timezone, now);
  }
}
