import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { configIssues } from '../helpers/config.js';

const newsletter = {
  id: 'daily', title: 'T', from: 'T <t@example.org>', timezone: 'Asia/Tbilisi', schedule: '0 8 * * 1-5',
  lists: ['daily'], sources: [{ url: './feed.xml' }],
};

const issues = configIssues;

describe('config validation', () => {
  it('accepts the DESIGN.md example and fills the defaults', () => {
    const c = parseConfig({ newsletters: [newsletter] }, '/x/brief.config.json');
    expect(c.baseDir).toBe('/x');
    expect(c.newsletters[0]).toMatchObject({ locale: 'en-GB', template: 'daily-brief', maxArticles: 30, catchAllTitle: 'More news' });
    expect(c.delivery).toMatchObject({ batchSize: 500, poolSize: 5, ratePerSecond: 0 });
  });

  it('names every bad field on its own line', () => {
    expect(issues({ newsletters: [{ ...newsletter, timezone: 'Mars/Olympus', schedule: '0 99 * * *', extra: 1 }] })).toEqual([
      'newsletters[0].timezone: unknown time zone "Mars/Olympus"',
      expect.stringMatching(/^newsletters\[0\]\.schedule: invalid cron pattern "0 99 \* \* \*"/),
      'newsletters[0].extra: unknown key',
    ]);
  });

  it('approval: defaults, one line per bad field, unknown keys refused, approvers needed when required', () => {
    const c = parseConfig({ newsletters: [newsletter] }, '/x/brief.config.json');
    expect(c.newsletters[0]).toMatchObject({ approval: 'none', approvalLeadMinutes: 60, approvers: [] });
    const ok = parseConfig({ newsletters: [{ ...newsletter, approval: 'required', approvalLeadMinutes: 30, approvers: ['Desk <desk@example.org>'] }] }, '/x/brief.config.json');
    expect(ok.newsletters[0]).toMatchObject({ approval: 'required', approvalLeadMinutes: 30 });
    const bad = issues({ newsletters: [{ ...newsletter, approval: 'maybe', approvalLeadMinutes: -5, approvers: ['not an address'], approverz: [] }] });
    expect(bad).toHaveLength(4);
    expect(bad[0]).toMatch(/^newsletters\[0\]\.approval: /);
    expect(bad[1]).toMatch(/^newsletters\[0\]\.approvalLeadMinutes: /);
    expect(bad[2]).toMatch(/^newsletters\[0\]\.approvers\[0\]: /);
    expect(bad).toContain('newsletters[0].approverz: unknown key');
    expect(bad.every((l) => !l.includes('\n'))).toBe(true);
    expect(issues({ newsletters: [{ ...newsletter, approval: 'required' }] })).toEqual([
      'newsletters[0].approvers: approval "required" needs at least one approver address',
    ]);
  });

  it('refuses cron patterns with the wrong number of fields', () => {
    expect(issues({ newsletters: [{ ...newsletter, schedule: '0 8 * *' }] })).toEqual([
      'newsletters[0].schedule: invalid cron pattern "0 8 * *": needs 5 fields (or 6 with seconds), has 4',
    ]);
    expect(issues({ newsletters: [{ ...newsletter, schedule: '*/2 * * * * *' }] })).toEqual([]);
  });

  it('refuses duplicate newsletter ids and ids with ":"', () => {
    expect(issues({ newsletters: [newsletter, newsletter] })).toEqual(['newsletters[1].id: duplicate newsletter id "daily"']);
    expect(issues({ newsletters: [{ ...newsletter, id: 'a:b' }] })[0]).toMatch(/^newsletters\[0\]\.id: /);
  });
});
