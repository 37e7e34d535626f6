import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import { DEFAULT_HEAP_GROWING_PERCENT, tuneHeapForLongRun } from '../../src/cli/heap-tuning.js';
import { BriefError } from '../../src/errors.js';

describe('tuneHeapForLongRun', () => {
  it('sets V8 heap growing percent from BRIEF_HEAP_GROWING_PERCENT, 50 by default', () => {
    try {
      expect(tuneHeapForLongRun({}, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
      expect(DEFAULT_HEAP_GROWING_PERCENT).toBe(50);
      expect(tuneHeapForLongRun({ BRIEF_HEAP_GROWING_PERCENT: ' 40 ' }, [])).toBe(40);
    } finally {
      // Back to V8's own heuristics for the rest of this test process.
      v8.setFlagsFromString('--heap-growing-percent=0');
    }
  });

  it('leaves V8 alone when told 0 or when node was given the flag', () => {
    expect(tuneHeapForLongRun({ BRIEF_HEAP_GROWING_PERCENT: '0' }, [])).toBeUndefined();
    expect(tuneHeapForLongRun({}, ['--heap-growing-percent=20'])).toBeUndefined();
    expect(tuneHeapForLongRun({ NODE_OPTIONS: '--max-semi-space-size=4 --heap_growing_percent=80' }, [])).toBeUndefined();
  });

  it('refuses a value that is not an integer from 0 to 300, in one line naming the variable', () => {
    for (const bad of ['-5', '1.5', 'lots', '301']) {
      const err = (() => {
        try {
          tuneHeapForLongRun({ BRIEF_HEAP_GROWING_PERCENT: bad }, []);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(BriefError);
      expect((err as BriefError).code).toBe('ECONFIG');
      expect((err as Error).message).toBe(`BRIEF_HEAP_GROWING_PERCENT: "${bad}" must be an integer from 0 to 300`);
    }
  });
});
