import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { BriefError } from '../errors.js';

/** The firings next to an instant: the last one before it and the first one at or after it. */
export interface FiringsAround {
  before: number | null;
  atOrAfter: number | null;
}

/**
 * A newsletter's schedule in its time zone, answering only what edition windows need,
 * and answering it the way BullMQ's Job Scheduler actually fires.
 *
 * BullMQ 6 finds each firing from the one before: when the job of firing F starts, it
 * asks `CronExpressionParser.parse(pattern, { tz, currentDate: F + a few ms }).next()`
 * (cron-parser 5.10.3, the version pinned here). So the firings are a *chain*, F → next(F).
 * cron-parser's answers around DST depend on where the search starts, so asking `next()`
 * from an arbitrary instant, or `prev()`, can name a time BullMQ never fires at. Found in
 * tests/edition/schedule-clock.test.ts, with 5.10.3:
 * - America/Santiago "0 0 * * *" (clocks jump 00:00 → 01:00 on 2025-09-07): from
 *   2025-09-06 00:00 the chain skips the 7th, but `next()` from one millisecond before
 *   the 7th begins answers 01:00 on the 7th; `prev()` from the 8th throws "loop limit
 *   exceeded". Asia/Beirut and America/Havana (midnight changes) behave the same.
 * - Europe/London "30 1 * * *": the chain fires at 02:30 BST on 2025-03-30 (01:30 does
 *   not exist) but `prev()` skips that day; on 2025-10-26 the chain fires once, at the
 *   first 01:30 (BST), but `prev()` also names the second (GMT) and `next()` from inside
 *   the repeated hour answers it.
 * So every answer here is read off the chain: find any instant a couple of firings
 * earlier, take `next()` from it, throw that first answer away (it may be one of those
 * off-chain answers; the one after it has been on the chain in every case
 * tests/edition/bullmq-agreement.test.ts checks), and walk the chain with `next()` from
 * there. `prev()` is never used.
 *
 * Not worked around: in Australia/Lord_Howe's April change (half an hour), `next()` gives
 * up for hours of start points, so BullMQ's own scheduler stops firing there; a window
 * whose search lands in that span is slow (seconds) or an EDATE.
 */
export class ScheduleClock {
  readonly pattern: string;
  readonly timezone: string;

  constructor(pattern: string, timezone: string) {
    if (!IANAZone.isValidZone(timezone)) {
      throw new BriefError('ECONFIG', `unknown time zone ${JSON.stringify(timezone)}`);
    }
    try {
      CronExpressionParser.parse(pattern, { tz: timezone });
    } catch (err) {
      throw new BriefError('ECONFIG', `invalid cron pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.pattern = pattern;
    this.timezone = timezone;
  }

  /**
   * cron-parser's raw `next()` from `afterMs`, parsed afresh exactly as BullMQ does; null
   * when it finds nothing (it throws when it gives up searching).
   */
  next(afterMs: number): number | null {
    try {
      const found = CronExpressionParser.parse(this.pattern, { tz: this.timezone, currentDate: new Date(afterMs) })
        .next()
        .getTime();
      return found > afterMs ? found : null;
    } catch {
      return null;
    }
  }

  /** The chain's last firing before `atMs` and its first firing at or after `atMs`. */
  around(atMs: number): FiringsAround {
    let firing = this.#chainFiringBefore(atMs);
    if (firing === null) return { before: null, atOrAfter: this.next(atMs - 1) };
    // The walk spans the couple of firings between the anchor and `atMs` (see
    // #chainFiringBefore); the bound only turns a pathological schedule into an error.
    for (let step = 0; step < 100_000; step++) {
      const after = this.next(firing);
      if (after === null || after >= atMs) return { before: firing, atOrAfter: after };
      firing = after;
    }
    throw new BriefError('ECONFIG', `the schedule ${JSON.stringify(this.pattern)} fires too often to compute an edition window`);
  }

  /** The first firing on `date` (YYYY-MM-DD in the zone), or null if none that day. */
  firstOn(date: string): number | null {
    const { atOrAfter } = this.around(this.startOfDay(date));
    return atOrAfter !== null && this.dateOf(atOrAfter) === date ? atOrAfter : null;
  }

  /** The zone's calendar date of an instant. */
  dateOf(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.timezone }).toISODate() ?? '';
  }

  /**
   * The first instant of `date` in the zone. Where midnight itself is skipped by DST
   * (America/Santiago), luxon moves forward to the first wall time that exists.
   */
  startOfDay(date: string): number {
    return DateTime.fromISO(date, { zone: this.timezone }).startOf('day').toMillis();
  }

  /** The calendar date after `date`. */
  static dayAfter(date: string): string {
    return DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate() ?? '';
  }

  /**
   * A firing on the chain before `atMs`, found as the second answer of `next()` from an
   * anchor, both before `atMs`. Anchors are tried further and further back, doubling from
   * the schedule's period just after `atMs` (one hint costing two calls), so that the
   * search takes a step or two for a daily or weekday schedule, a logarithm of the gap for
   * any other, and the walk that follows covers only a few firings.
   */
  #chainFiringBefore(atMs: number): number | null {
    const fromAnchor = (anchor: number): number | null => {
      const first = this.next(anchor);
      if (first === null || first >= atMs) return null;
      const second = this.next(first);
      return second !== null && second < atMs ? second : null;
    };
    const hintFirst = this.next(atMs - 1);
    const hintSecond = hintFirst === null ? null : this.next(hintFirst);
    const period = hintFirst === null || hintSecond === null ? 0 : hintSecond - hintFirst;
    for (let span = Math.max(1000, period); span <= 2 ** 41; span *= 2) {
      const found = fromAnchor(atMs - span);
      if (found !== null) return found;
    }
    return null;
  }
}
