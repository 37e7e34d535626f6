import { describe, expect, it } from 'vitest';
import { tokensEqual, bearerToken, basicPassword, liveWorkers, redactUrl, renderMetrics } from '../../src/http/index.js';
import { describeError, FieldError } from '../../src/http/http-error.js';
import { isOneClick } from '../../src/http/subscriber-routes.js';
import { newsletterOf, relatedLists, listLabel } from '../../src/http/subscriptions.js';
import { BriefError } from '../../src/errors.js';
import type { BriefConfig } from '../../src/config/schema.js';

describe('admin credentials', () => {
  it('compares tokens of any length in constant time', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
    expect(tokensEqual('a'.repeat(1000), 'a')).toBe(false);
  });

  it('reads Bearer and Basic headers', () => {
    expect(bearerToken('Bearer s3cret')).toBe('s3cret');
    expect(bearerToken('bearer  s3cret ')).toBe('s3cret');
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(basicPassword(basic('ops:pa:ss'))).toBe('pa:ss');
    expect(basicPassword(basic(':pw'))).toBe('pw');
    expect(basicPassword(basic('nocolon'))).toBeUndefined();
    expect(basicPassword('Basic !!!')).toBeUndefined();
    expect(basicPassword('Bearer x')).toBeUndefined();
  });
});

describe('liveWorkers', () => {
  it('counts heartbeats younger than 30 s and ignores broken ones', () => {
    const now = 1_000_000;
    const hb = (seen: unknown) => JSON.stringify({ host: 'h', pid: 1, seen });
    expect(
      liveWorkers({ a: hb(now - 1000), b: hb(now - 29_999), c: hb(now - 30_000), d: 'not json', e: hb('soon'), f: hb(now + 60_000) }, now).sort(),
    ).toEqual(['a', 'b']);
  });
});

describe('redactUrl', () => {
  it('hides link tokens, which name an address', () => {
    expect(redactUrl('/u/eyJhYmMi.def')).toBe('/u/[token]');
    expect(redactUrl('/p/abc.def?x=1')).toBe('/p/[token]');
    // Encoded and doubled paths reach the same route, so they are redacted the same way.
    expect(redactUrl('/%75/eyJhYmMi.def')).toBe('/u/[token]');
    expect(redactUrl('//u/eyJhYmMi.def')).toBe('//u/[token]');
    expect(redactUrl('/U/eyJhYmMi.def')).toBe('/U/[token]');
    expect(redactUrl('/archive/x?email=ana@example.net')).toBe('/archive/x');
    expect(redactUrl('/x/dWRhaWx5YW5hQGV4YW1w.bGUubmV0ZGFpbHkt')).toBe('/x/[token]');
    expect(redactUrl('/a%0d%0ab')).toBe('/a??b');
    expect(redactUrl('/archive/daily/2025-09-05')).toBe('/archive/daily/2025-09-05');
    expect(redactUrl('/api/editions')).toBe('/api/editions');
  });
});

describe('describeError', () => {
  it('maps codes to statuses and hides server-side details', () => {
    expect(describeError(new BriefError('ENOTFOUND', 'no edition "x"'))).toMatchObject({ status: 404, code: 'ENOTFOUND' });
    expect(describeError(new BriefError('ESTATE', 'cannot pause'))).toMatchObject({ status: 409 });
    expect(describeError(new BriefError('EDATE', 'no occurrence'))).toMatchObject({ status: 400 });
    expect(describeError(new BriefError('ETOKEN', 'bad'))).toMatchObject({ status: 400 });
    expect(describeError(new FieldError('date', new BriefError('EDATE', 'no occurrence')))).toMatchObject({
      status: 400,
      field: 'date',
      message: 'date: no occurrence',
    });
    const secret = describeError(new BriefError('ETEMPLATE', '/srv/templates/x.mjml: broken'));
    expect(secret.status).toBe(500);
    expect(secret.message).not.toContain('/srv');
    expect(describeError(new Error('boom'))).toMatchObject({ status: 500, code: 'EINTERNAL' });
    expect(describeError(Object.assign(new Error('too large'), { statusCode: 413 }))).toMatchObject({ status: 413, code: 'EINPUT' });
  });

  it('names the field of a schema failure', () => {
    const err = Object.assign(new Error('x'), {
      statusCode: 400,
      validation: [{ keyword: 'pattern', instancePath: '/date', schemaPath: '', params: {}, message: 'must match pattern' }],
      validationContext: 'body',
    });
    expect(describeError(err, { date: 'must be a date, YYYY-MM-DD' })).toMatchObject({
      status: 400,
      field: 'date',
      message: 'date: must be a date, YYYY-MM-DD',
    });
    const missing = Object.assign(new Error('x'), {
      validation: [{ keyword: 'required', instancePath: '', schemaPath: '', params: { missingProperty: 'newsletter' } }],
    });
    expect(describeError(missing)).toMatchObject({ field: 'newsletter', message: 'newsletter: is required' });
    const item = Object.assign(new Error('x'), {
      validation: [{ keyword: 'maxLength', instancePath: '/to/3', schemaPath: '', params: {}, message: 'too long' }],
    });
    expect(describeError(item).field).toBe('to[3]');
  });
});

describe('one-click bodies', () => {
  it('recognises RFC 8058 bodies, form-encoded or multipart', () => {
    expect(isOneClick({ 'List-Unsubscribe': 'One-Click' })).toBe(true);
    expect(isOneClick({ 'List-Unsubscribe': ['One-Click'] })).toBe(true);
    expect(isOneClick({ confirm: 'yes' })).toBe(false);
    expect(isOneClick(undefined)).toBe(false);
    expect(isOneClick({ '\u0000raw': '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--' })).toBe(true);
    expect(isOneClick({ '\u0000raw': 'List-Unsubscribe=One-Click' })).toBe(true);
    expect(isOneClick({ '\u0000raw': 'hello' })).toBe(false);
  });
});

describe('lists of a token', () => {
  const config = {
    newsletters: [
      { id: 'daily', title: 'Daily', lists: ['daily', 'vip'] },
      { id: 'weekly', title: 'Weekly', lists: ['weekly'] },
    ],
  } as unknown as BriefConfig;

  it('counts an unsubscribe for the newsletter of the edition, else the one that mails the list', () => {
    expect(newsletterOf(config, { edition: 'weekly-2025-09-05', list: 'daily' })).toBe('weekly');
    expect(newsletterOf(config, { edition: 'daily-2025-09-05-test-ab12cd34', list: 'vip' })).toBe('daily');
    expect(newsletterOf(config, { edition: '', list: 'weekly' })).toBe('weekly');
    expect(newsletterOf(config, { edition: 'gone-2025-09-05', list: 'nope' })).toBe('unknown');
  });

  it('offers the lists of the newsletters that share the list', () => {
    expect(relatedLists(config, 'vip')).toEqual(['vip', 'daily']);
    expect(relatedLists(config, 'weekly')).toEqual(['weekly']);
    expect(listLabel(config, 'vip')).toBe('Daily (vip)');
    expect(listLabel(config, 'weekly')).toBe('Weekly');
  });
});

describe('renderMetrics', () => {
  it('shows every newsletter, the failure classes, queues, progress and workers', async () => {
    const { text, contentType } = await renderMetrics({
      newsletters: ['daily', 'weekly'],
      counters: [
        { name: 'sent', newsletter: 'daily', value: 118 },
        { name: 'failed', newsletter: 'daily', value: 2 },
        { name: 'failed_temporary', newsletter: 'daily', value: 5 },
        { name: 'failed_permanent', newsletter: 'daily', value: 1 },
        { name: 'suppressed', newsletter: 'daily', value: 1 },
        { name: 'unsubscribes', newsletter: 'daily', value: 3 },
        { name: 'feed_errors', newsletter: 'daily', source: 'https://a.example/feed|x', value: 2 },
      ],
      queues: [{ queue: 'send-batch', state: 'waiting', count: 7 }],
      progress: [{ newsletter: 'daily', edition: 'daily-2025-09-05', ratio: 0.5 }],
      workers: 2,
      feedSources: [{ newsletter: 'daily', source: 'https://a.example/feed|x' }, { newsletter: 'weekly', source: './weekly.xml' }],
    });
    expect(text).toContain('brief_feed_errors_total{newsletter="daily",source="https://a.example/feed|x"} 2');
    expect(text).toContain('brief_feed_errors_total{newsletter="weekly",source="./weekly.xml"} 0');
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('brief_emails_sent_total{newsletter="daily"} 118');
    expect(text).toContain('brief_emails_sent_total{newsletter="weekly"} 0');
    expect(text).toContain('brief_emails_failed_total{newsletter="daily",class="temporary"} 5');
    expect(text).toContain('brief_emails_failed_total{newsletter="daily",class="permanent"} 1');
    expect(text).toContain('brief_emails_suppressed_total{newsletter="daily"} 1');
    expect(text).toContain('brief_unsubscribes_total{newsletter="daily"} 3');
    expect(text).toContain('brief_queue_jobs{queue="send-batch",state="waiting"} 7');
    expect(text).toContain('brief_edition_progress{newsletter="daily",edition="daily-2025-09-05"} 0.5');
    expect(text).toContain('brief_workers 2');
  });
});

describe('credentials in connection URLs (parsed, not pattern-matched)', () => {
  it('masks the user and the password whatever they hold, and secret query parameters', async () => {
    const { redactCredentials } = await import('../../src/redact-credentials.js');
    const { describeSmtpUrl } = await import('../../src/delivery/smtp-transport.js');
    const { redactUrl: redactRedis } = await import('../../src/redis/connect.js');
    const cases: Array<[string, string]> = [
      ['smtp://user:p@ss@relay.example.org:587', 'smtp://***:***@relay.example.org:587'],
      ['smtp://APIKEY@relay.example.org', 'smtp://***@relay.example.org'],
      ['smtps://u:p%40ss%2Fx@relay.example.org/?pool=true', 'smtps://***:***@relay.example.org/?pool=true'],
      ['smtp://relay.example.org:25', 'smtp://relay.example.org:25'],
      ['smtp://relay.example.org?user=me&pass=hunter2&token=abc', 'smtp://relay.example.org?user=me&pass=***&token=***'],
      ['redis://:s3cret@127.0.0.1:6379/0', 'redis://***:***@127.0.0.1:6379/0'],
      ['redis-cluster://default:pw@a:7000,b:7001?tls=true', 'redis-cluster://***:***@a:7000,b:7001?tls=true'],
      ['redis-sentinel://u:p@@s1:26379,s2:26379/mymaster', 'redis-sentinel://***:***@s1:26379,s2:26379/mymaster'],
    ];
    for (const [url, shown] of cases) {
      expect(redactCredentials(url), url).toBe(shown);
      expect(describeSmtpUrl(url), url).toBe(shown);
      expect(redactRedis(url), url).toBe(shown);
    }
    expect(redactCredentials('user:pw@host')).not.toContain('pw');
  });
});
