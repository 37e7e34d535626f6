import { describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE } from '../helpers/app.js';
import { liveStack } from '../helpers/live-stack.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { readVerpAddress, verpAddress } from '../../src/delivery/verp.js';

const SECRET = 'test-secret-0123456789abcdef';

describe('VERP return paths', () => {
  it('fit in a local part, survive case folding, and refuse forgeries', () => {
    const a = verpAddress(SECRET, 'bounces.example.org', 'a-very-long-newsletter-identifier-of-sixty-characters-or-more-2025-09-05', `${'x'.repeat(200)}@example.net`);
    expect(a.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(readVerpAddress(SECRET, 'bounces.example.org', a.toUpperCase())).not.toBeNull();
    expect(readVerpAddress('another-secret-0123456789', 'bounces.example.org', a)).toBeNull();
    expect(readVerpAddress(SECRET, 'other.example.org', a)).toBeNull();
    const flipped = a.replace(/^(bounces\+)(.)/, (_, p, c) => p + (c === 'a' ? 'b' : 'a'));
    expect(readVerpAddress(SECRET, 'bounces.example.org', flipped)).toBeNull();
  });
});

describe('bulk messages with a bounce domain', () => {
  const live = liveStack();

  it('carry a VERP envelope sender naming edition and recipient, and an unchanged From', async () => {
    live.sink = new SmtpSink();
    live.t = await testApp({ smtpUrl: await live.sink.start(), config: { bounces: { domain: 'bounces.example.org' } } });
    for (let i = 0; i < 3; i++) await live.t.app.subscribers.add('daily', `reader${i}@example.net`);
    live.worker = await live.t.app.startWorkers();
    await live.t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await live.t!.app.service.status(`daily-${FIXTURE_DATE}`)).state === 'sent', 30_000, 'sent');
    expect(live.sink.messages).toHaveLength(3);
    for (const m of live.sink.messages) {
      expect(m.mailFrom).toMatch(/^bounces\+[a-z2-7]{36}@bounces\.example\.org$/);
      expect(m.header('From')).toBe('The Test Brief <brief@example.org>');
      const token = readVerpAddress(SECRET, 'bounces.example.org', m.mailFrom)!;
      expect(await live.t.app.verp.resolve(token)).toEqual({ editionId: `daily-${FIXTURE_DATE}`, email: m.rcpt[0] });
    }
  });

  it('without a bounce domain, keep the From address as envelope sender', async () => {
    live.sink = new SmtpSink();
    live.t = await testApp({ smtpUrl: await live.sink.start() });
    await live.t.app.subscribers.add('daily', 'reader@example.net');
    live.worker = await live.t.app.startWorkers();
    await live.t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await live.t!.app.service.status(`daily-${FIXTURE_DATE}`)).state === 'sent', 30_000, 'sent');
    expect(live.sink.messages[0]!.mailFrom).toBe('brief@example.org');
  });
});
