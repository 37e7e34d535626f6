import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { configIssues } from '../helpers/config.js';
import { BriefError } from '../../src/errors.js';
import { makeConfirmToken, makeToken, verifyConfirmToken, verifyToken } from '../../src/delivery/tokens.js';
import { packRecord, unpackRecord, statusOfRecord } from '../../src/subscribers/index.js';
import { redactUrl } from '../../src/http/index.js';
import { wordingVersion } from '../../src/signup/signup-types.js';
import { embedSnippet } from '../../src/http/signup-form.js';
import { redactAddress } from '../../src/signup/transactional-mail.js';
import { recount, storePerTest } from '../subscribers/helpers.js';

const newsletter = {
  id: 'daily', title: 'T <b>', from: 'T <t@example.org>', timezone: 'Asia/Tbilisi', schedule: '0 8 * * 1-5',
  lists: ['daily'], sources: [{ url: './feed.xml' }],
};
const SECRET = 'unit-secret-0123456789abcdef';

const issues = configIssues;

describe('the signup config block', () => {
  it('defaults to double opt-in, no foreign origins and hashed client addresses', () => {
    const c = parseConfig({ newsletters: [newsletter] }, '/x/brief.config.json');
    expect(c.newsletters[0]!.signup).toEqual({ doubleOptIn: true, allowedOrigins: [], storeIp: 'hash' });
  });

  it('is strict and checks origins and storeIp, naming the field', () => {
    const bad = issues({
      newsletters: [{ ...newsletter, signup: { allowedOrigins: ['https://ok.example.org', 'https://x.example.org/path', 'ftp://x.org'], storeIp: 'partial', typo: 1 } }],
    });
    expect(bad).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^newsletters\[0\]\.signup\.allowedOrigins\[1\]: "https:\/\/x\.example\.org\/path" is not an origin/),
        expect.stringMatching(/^newsletters\[0\]\.signup\.allowedOrigins\[2\]: /),
        expect.stringMatching(/^newsletters\[0\]\.signup\.storeIp: /),
        expect.stringMatching(/^newsletters\[0\]\.signup.*typo/),
      ]),
    );
    expect(bad.some((l) => l.includes('allowedOrigins[0]'))).toBe(false);
  });
});

describe('confirmation tokens', () => {
  const p = { newsletter: 'daily', email: 'a@example.net', nonce: 'n0nce-abcdefgh', expires: 1_800_000_000_000 };

  it('round-trip, and refuse anything altered', () => {
    const token = makeConfirmToken(SECRET, p);
    expect(verifyConfirmToken(SECRET, token)).toEqual(p);
    expect(() => verifyConfirmToken('another-secret-0123456789', token)).toThrow(BriefError);
    const flipped = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect(() => verifyConfirmToken(SECRET, flipped)).toThrow(/not valid/);
  });

  it('are not unsubscribe tokens, and unsubscribe tokens are not confirmation tokens', () => {
    const confirm = makeConfirmToken(SECRET, p);
    const unsub = makeToken(SECRET, { action: 'unsubscribe', list: 'daily', email: 'a@example.net', edition: '' });
    expect(() => verifyToken(SECRET, confirm)).toThrow(BriefError);
    expect(() => verifyConfirmToken(SECRET, unsub)).toThrow(BriefError);
  });

  it('are redacted from request logs', () => {
    expect(redactUrl(`/confirm/${makeConfirmToken(SECRET, p)}`)).toBe('/confirm/[token]');
  });
});

describe('pending records', () => {
  it('pack with the status character p', () => {
    const packed = packRecord({ status: 'pending', attributes: {}, createdAt: 1000, updatedAt: 1000 });
    expect(packed.charAt(0)).toBe('p');
    expect(statusOfRecord(packed)).toBe('pending');
    expect(unpackRecord('a@example.net', packed).status).toBe('pending');
  });

  describe('in Redis', () => {
    const fx = storePerTest();

    it('are counted exactly, and an import activates them (but a forgotten address is never re-added)', async () => {
      await fx.store.upsertMany('daily', [{ address: 'p1@example.net', status: 'pending' }, { address: 'p2@example.net', status: 'pending' }]);
      expect(await fx.store.counts('daily')).toMatchObject({ pending: 2, active: 0 });
      expect(await fx.store.upsertMany('daily', [{ address: 'p1@example.net' }])).toEqual(['updated']);
      expect(await fx.store.counts('daily')).toEqual({ active: 1, unsubscribed: 0, bounced: 0, complained: 0, pending: 1 });
      expect(await fx.store.counts('daily')).toEqual(await recount(fx.store, 'daily'));
      expect(await fx.store.confirm('daily', 'p2@example.net')).toBe('activated');
      expect(await fx.store.confirm('daily', 'p2@example.net')).toBe('already');
      expect(await fx.store.counts('daily')).toMatchObject({ active: 2, pending: 0 });

      await fx.store.rememberForgotten('gone@example.net');
      expect(await fx.store.upsertMany('daily', [{ address: 'gone@example.net' }], { resubscribe: true })).toEqual(['suppressed']);
      expect(await fx.store.get('daily', 'gone@example.net')).toBeNull();
      expect(await fx.store.unforget('gone@example.net')).toBe(true);
      expect(await fx.store.add('daily', 'gone@example.net')).toBe('added');
    });

    it('a pending address that is suppressed is not activated by an import', async () => {
      await fx.store.upsertMany('daily', [{ address: 's@example.net', status: 'pending' }]);
      await fx.store.suppress('s@example.net', '550 no such user');
      expect(await fx.store.upsertMany('daily', [{ address: 's@example.net' }])).toEqual(['suppressed']);
      expect((await fx.store.get('daily', 's@example.net'))?.status).toBe('pending');
    });
  });
});

describe('the signup form', () => {
  const n = () => parseConfig({ newsletters: [{ ...newsletter, lists: ['daily', 'weekend'] }] }, '/x/brief.config.json').newsletters[0]!;

  it('prints a plain snippet that posts to the public URL, escaped, with the lists, honeypot and wording version', () => {
    const html = embedSnippet(n(), 'https://brief.example.org');
    expect(html).toContain('action="https://brief.example.org/subscribe/daily"');
    expect(html).toContain('T &lt;b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<script');
    expect(html).toContain('name="list" value="weekend"');
    expect(html).toContain('name="website" tabindex="-1"');
    expect(html).toContain(`name="wording" value="${wordingVersion(n())}"`);
  });

  it('has a wording version that changes with the wording', () => {
    const a = wordingVersion(n());
    const changed = parseConfig(
      { newsletters: [{ ...newsletter, lists: ['daily', 'weekend'], strings: { 'page.signup.consent': 'Other words.' } }] },
      '/x/brief.config.json',
    ).newsletters[0]!;
    expect(a).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(wordingVersion(changed)).not.toBe(a);
  });

  it('keeps the recipient out of a relay error that is stored with a failed job', () => {
    expect(redactAddress('452 <a@example.net>: mailbox full', 'a@example.net')).toBe('452 <<recipient>>: mailbox full');
  });
});
