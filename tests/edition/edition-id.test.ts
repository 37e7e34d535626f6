import { describe, expect, it } from 'vitest';
import { BriefError } from '../../src/errors.js';
import { editionId, parseEditionId } from '../../src/edition/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BriefError ? err.code : 'not a BriefError';
  }
  return undefined;
}

describe('editionId', () => {
  it('joins newsletter and date', () => {
    expect(editionId('daily', '2025-09-05')).toBe('daily-2025-09-05');
  });

  it('round-trips newsletter ids with "-", "_" and digits', () => {
    for (const newsletter of ['my-news_letter', 'daily-2', 'a', '2025-09-05', 'x-2025-09-05']) {
      const id = editionId(newsletter, '2025-09-05');
      expect(id).not.toContain(':');
      expect(parseEditionId(id)).toEqual({ newsletter, date: '2025-09-05' });
    }
  });

  it('refuses newsletter ids a job id or key cannot carry', () => {
    for (const bad of ['a:b', 'Daily', '', '-daily', 'my news', 'daily:2025']) {
      expect(codeOf(() => editionId(bad, '2025-09-05')), bad).toBe('EINPUT');
    }
  });

  it('refuses a date that is not YYYY-MM-DD', () => {
    expect(codeOf(() => editionId('daily', '2025-9-5'))).toBe('EDATE');
    expect(codeOf(() => editionId('daily', '2025-02-30'))).toBe('EDATE');
  });
});

describe('parseEditionId', () => {
  it('refuses what editionId cannot have made', () => {
    for (const bad of ['daily', 'daily-2025-9-5', 'daily:2025-09-05', '-2025-09-05', '2025-09-05', 'Daily-2025-09-05', 'daily-2025-09-05 ']) {
      expect(codeOf(() => parseEditionId(bad)), bad).toBe('EINPUT');
    }
    expect(codeOf(() => parseEditionId('daily-2025-02-30'))).toBe('EDATE');
  });

  it('says what an edition id looks like', () => {
    expect(() => parseEditionId('daily')).toThrow('"daily" is not an edition id (NEWSLETTER-YYYY-MM-DD, e.g. daily-2025-09-05)');
  });
});
