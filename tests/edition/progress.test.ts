import { describe, expect, it } from 'vitest';
import { editionProgress } from '../../src/edition/index.js';

describe('editionProgress', () => {
  it('counts every settled recipient as done and estimates the rest', () => {
    expect(
      editionProgress({ total: 1000, sent: 300, failed: 10, suppressed: 5, skipped: 85, startedAt: 0, now: 20_000 }),
    ).toEqual({ done: 400, remaining: 600, percent: 40, ratePerSecond: 20, etaSeconds: 30 });
  });

  it('floors the percentage so it reads 100 only when everyone is done', () => {
    expect(editionProgress({ total: 1000, sent: 999, failed: 0, suppressed: 0, skipped: 0, startedAt: 0, now: 1000 }).percent).toBe(99.9);
    expect(editionProgress({ total: 3, sent: 1, failed: 0, suppressed: 0, skipped: 0, now: 0 }).percent).toBe(33.3);
    expect(editionProgress({ total: 3, sent: 3, failed: 0, suppressed: 0, skipped: 0, now: 0 }).percent).toBe(100);
  });

  it('rounds the ETA up', () => {
    expect(editionProgress({ total: 10, sent: 3, failed: 0, suppressed: 0, skipped: 0, startedAt: 0, now: 1000 }).etaSeconds).toBe(3);
  });

  it('has no rate or ETA before the start or before anything is done', () => {
    expect(editionProgress({ total: 10, sent: 0, failed: 0, suppressed: 0, skipped: 0, now: 5000 })).toEqual({
      done: 0,
      remaining: 10,
      percent: 0,
      ratePerSecond: 0,
      etaSeconds: null,
    });
    expect(editionProgress({ total: 10, sent: 0, failed: 0, suppressed: 0, skipped: 0, startedAt: 1000, now: 5000 }).etaSeconds).toBeNull();
    expect(editionProgress({ total: 10, sent: 2, failed: 0, suppressed: 0, skipped: 0, startedAt: 5000, now: 5000 }).ratePerSecond).toBe(0);
  });

  it('is complete for an empty snapshot and when done, never past the total', () => {
    expect(editionProgress({ total: 0, sent: 0, failed: 0, suppressed: 0, skipped: 0, now: 0 })).toMatchObject({
      done: 0,
      remaining: 0,
      percent: 100,
      etaSeconds: 0,
    });
    expect(editionProgress({ total: 5, sent: 4, failed: 0, suppressed: 0, skipped: 3, startedAt: 0, now: 1000 })).toMatchObject({
      done: 5,
      remaining: 0,
      percent: 100,
      etaSeconds: 0,
    });
  });

  it('refuses negative or non-finite counts', () => {
    expect(() => editionProgress({ total: 10, sent: -1, failed: 0, suppressed: 0, skipped: 0, now: 0 })).toThrow(RangeError);
    expect(() => editionProgress({ total: Number.NaN, sent: 0, failed: 0, suppressed: 0, skipped: 0, now: 0 })).toThrow(/total/);
  });
});
