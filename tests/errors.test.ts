import { describe, expect, it } from 'vitest';
import { BriefError, ConfigError, ERROR_CODES, FeedError, oneLine } from '../src/errors.js';

describe('the error code catalogue', () => {
  it('is pinned: users script against these codes, so they are only ever added', () => {
    expect(Object.keys(ERROR_CODES)).toEqual([
      'ECONFIG', 'EFEED', 'EDATE', 'EEMPTY', 'ETEMPLATE', 'ENOTFOUND', 'EINPUT', 'ECSV', 'EREDIS',
      'ESMTP_TEMP', 'ESMTP_PERM', 'ESTATE', 'ETOKEN', 'ESECRET', 'EAUTH', 'EDISABLED', 'EINTERNAL', 'ECOMPILE', 'ETHROTTLED',
      'ECHROMIUM',
    ]);
    for (const [k, v] of Object.entries(ERROR_CODES)) expect(v).toBe(k);
  });

  it('gives one line per problem, naming where', () => {
    expect(new FeedError('feeds/main.xml', 'not well-formed XML at line 1').message).toBe('feeds/main.xml: not well-formed XML at line 1');
    const c = new ConfigError('brief.config.json', ['newsletters[0].timezone: unknown time zone "Mars/Olympus"', 'newsletters[0].bogus: unknown key']);
    expect(c.code).toBe('ECONFIG');
    expect(c.message.split('\n')).toEqual([
      'brief.config.json: newsletters[0].timezone: unknown time zone "Mars/Olympus"',
      'brief.config.json: newsletters[0].bogus: unknown key',
    ]);
    expect(oneLine(new Error('first\nsecond'))).toBe('first');
    expect(oneLine(new BriefError('EINPUT', 'bad'))).toBe('bad');
  });
});
