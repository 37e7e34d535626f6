import { afterEach, describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import type { WorkerRuntime } from '../../src/wiring.js';
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
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  let worker: WorkerRuntime | undefined;
  afterEach(async () => {
    await worker?.close();
    await t?.cleanup();
    await sink?.stop();
  });

  it('carry a VERP envelope sender naming edition and recipient, and an unchanged From', async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start(), config: { bounces: { domain: 'bounces.example.org' } } });
    for (let i = 0; i < 3; i++) await t.app.subscribers.add('daily', `reader${i}@example.net`);
    worker = await t.app.startWorkers();
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await t!.app.service.status(`daily-${FIXTURE_DATE}`)).state === 'sent', 30_000, 'sent');
    expect(sink.messages).toHaveLength(3);
    for (const m of sink.messages) {
      expect(m.mailFrom).toMatch(/^bounces\+[a-z2-7]{36}@bounces\.example\.org$/);
      expect(m.header('From')).toBe('The Test Brief <brief@example.org>');
      const token = readVerpAddress(SECRET, 'bounces.example.org', m.mailFrom)!;
      expect(await t.app.verp.resolve(token)).toEqual({ editionId: `daily-${FIXTURE_DATE}`, email: m.rcpt[0] });
    }
  });

  it('without a bounce domain, keep the From address as envelope sender', async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start() });
    await t.app.subscribers.add('daily', 'reader@example.net');
    worker = await t.app.startWorkers();
    await t.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await t!.app.service.status(`daily-${FIXTURE_DATE}`)).state === 'sent', 30_000, 'sent');
    expect(sink.messages[0]!.mailFrom).toBe('brief@example.org');
  });
});
