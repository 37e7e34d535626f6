import { describe, expect, it } from 'vitest';
import { CronExpressionParser } from 'cron-parser';
import { defaultRepeatStrategy } from 'bullmq';
import { BriefError } from '../../src/errors.js';
import { ScheduleClock } from '../../src/edition/schedule-clock.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const rawNext = (pattern: string, tz: string, at: string) =>
  CronExpressionParser.parse(pattern, { tz, currentDate: new Date(at) }).next().toISOString();
const rawPrev = (pattern: string, tz: string, at: string) =>
  CronExpressionParser.parse(pattern, { tz, currentDate: new Date(at) }).prev().toISOString();

/**
 * What cron-parser 5.10.3 does that ScheduleClock works around. If an upgrade makes one of
 * these fail, the workaround may have become unnecessary: read ScheduleClock's comment.
 */
describe('cron-parser 5.10.3 around DST (why ScheduleClock walks the chain)', () => {
  it('next() from just before a skipped midnight names a time the chain skips (America/Santiago)', () => {
    expect(rawNext('0 0 * * *', 'America/Santiago', '2025-09-06T04:00:00.000Z')).toBe('2025-09-08T03:00:00.000Z');
    expect(rawNext('0 0 * * *', 'America/Santiago', '2025-09-07T03:59:59.999Z')).toBe('2025-09-07T04:00:00.000Z');
    expect(() => rawPrev('0 0 * * *', 'America/Santiago', '2025-09-08T03:00:00.000Z')).toThrow(/loop limit/);
  });

  it('prev() disagrees with next() on both London change days for "30 1 * * *"', () => {
    expect(rawNext('30 1 * * *', 'Europe/London', '2025-03-29T01:30:00.000Z')).toBe('2025-03-30T01:30:00.000Z');
    expect(rawPrev('30 1 * * *', 'Europe/London', '2025-03-31T00:30:00.000Z')).toBe('2025-03-29T01:30:00.000Z');
    expect(rawNext('30 1 * * *', 'Europe/London', '2025-10-26T00:30:00.000Z')).toBe('2025-10-27T01:30:00.000Z');
    expect(rawPrev('30 1 * * *', 'Europe/London', '2025-10-27T01:30:00.000Z')).toBe('2025-10-26T01:30:00.000Z');
  });

  it("gives up in Australia/Lord_Howe's April change, so BullMQ's scheduler stops firing", async () => {
    const next = await defaultRepeatStrategy(ms('2025-04-04T21:00:00.037Z'), { pattern: '0 8 * * *', tz: 'Australia/Lord_Howe' });
    expect(next).toBeUndefined();
  });
});

describe('ScheduleClock', () => {
  it('refuses an unknown zone and a broken pattern with ECONFIG', () => {
    expect(() => new ScheduleClock('0 8 * * *', 'Europe/Atlantis')).toThrow(BriefError);
    expect(() => new ScheduleClock('61 8 * * *', 'UTC')).toThrow(/invalid cron pattern "61 8 \* \* \*"/);
  });

  it('around(): the firing before and the firing at or after, on the chain', () => {
    const clock = new ScheduleClock('0 8 * * 1-5', 'Asia/Tbilisi');
    const at = clock.around(ms('2025-09-08T04:00:00.000Z'));
    expect(iso(at.before)).toBe('2025-09-05T04:00:00.000Z');
    expect(iso(at.atOrAfter)).toBe('2025-09-08T04:00:00.000Z');
    const after = clock.around(ms('2025-09-08T04:00:00.001Z'));
    expect(iso(after.before)).toBe('2025-09-08T04:00:00.000Z');
    expect(iso(after.atOrAfter)).toBe('2025-09-09T04:00:00.000Z');
  });

  it('around() does not take the off-chain answer at a skipped midnight', () => {
    const clock = new ScheduleClock('0 0 * * *', 'America/Santiago');
    const at = clock.around(clock.startOfDay('2025-09-07'));
    expect(iso(at.before)).toBe('2025-09-06T04:00:00.000Z');
    expect(iso(at.atOrAfter)).toBe('2025-09-08T03:00:00.000Z');
    expect(clock.firstOn('2025-09-07')).toBeNull();
    expect(iso(clock.firstOn('2025-09-08'))).toBe('2025-09-08T03:00:00.000Z');
  });

  it('around() does not take the second 01:30 of a fall-back night', () => {
    const clock = new ScheduleClock('30 1 * * *', 'Europe/London');
    const at = clock.around(ms('2025-10-26T01:00:00.000Z')); // 01:00 GMT, inside the repeated hour
    expect(iso(at.before)).toBe('2025-10-26T00:30:00.000Z');
    expect(iso(at.atOrAfter)).toBe('2025-10-27T01:30:00.000Z');
  });

  it('finds the previous firing however often or rarely the schedule fires', () => {
    const everySecond = new ScheduleClock('* * * * * *', 'UTC').around(ms('2025-09-05T08:00:00.500Z'));
    expect(iso(everySecond.before)).toBe('2025-09-05T08:00:00.000Z');
    expect(iso(everySecond.atOrAfter)).toBe('2025-09-05T08:00:01.000Z');
    const leapDay = new ScheduleClock('0 9 29 2 *', 'Europe/Paris').around(ms('2025-09-05T00:00:00.000Z'));
    expect(iso(leapDay.before)).toBe('2024-02-29T08:00:00.000Z');
    expect(iso(leapDay.atOrAfter)).toBe('2028-02-29T08:00:00.000Z');
  });

  it('startOfDay() is the first instant that exists on the date', () => {
    const santiago = new ScheduleClock('0 8 * * *', 'America/Santiago');
    expect(iso(santiago.startOfDay('2025-09-07'))).toBe('2025-09-07T04:00:00.000Z'); // 01:00 -03
    expect(iso(santiago.startOfDay('2025-09-08'))).toBe('2025-09-08T03:00:00.000Z');
    expect(santiago.dateOf(ms('2025-09-08T02:59:59.999Z'))).toBe('2025-09-07');
    expect(ScheduleClock.dayAfter('2024-02-28')).toBe('2024-02-29');
  });
});
