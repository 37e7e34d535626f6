import { afterEach, describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { BatchSender, type BatchOutcome } from '../../src/delivery/batch-sender.js';
import { RateLimiter } from '../../src/delivery/rate-limiter.js';

const ID = `daily-${FIXTURE_DATE}`;
const N = 240;
const POOL = 3;

/**
 * A worker whose batch lock expired while it was alive (a long stall, or cut off from Redis
 * while the relay still answers) runs on after another worker took the batch over. Both
 * runs are played here side by side on the same batch, as BullMQ would hand it out.
 */
describe('a batch taken over while its first run is still alive', () => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await t?.cleanup();
    await sink?.stop();
    t = undefined;
    sink = undefined;
  });

  it('the first run stops at its next message; duplicates stay within the messages in flight', async () => {
    sink = new SmtpSink({ delayMs: 4 }, { keepRaw: false });
    const url = await sink.start();
    t = await testApp({ smtpUrl: url, delivery: { batchSize: N, poolSize: POOL } });
    for (let i = 0; i < N; i++) await t.app.subscribers.add('daily', `r${i}@example.net`);
    const { status } = await t.app.service.request('daily', FIXTURE_DATE);
    await t.app.service.prepare(status.id);
    expect((await t.app.editions.get(ID))?.batches).toBe(1);

    const { app } = t;
    const sender = new BatchSender({
      config: t.config, editions: app.editions, subscribers: app.subscribers, metrics: app.metrics, logger: app.logger,
      transport: app.transport(),
      limiter: new RateLimiter({ redis: app.redis, key: app.keys.rateLimiter() }, { ratePerSecond: 0 }),
      publicUrl: app.env.publicUrl,
      secret: await app.secret(),
    });
    const run = (token: string): Promise<BatchOutcome> =>
      sender.run({ editionId: ID, batch: 0, token, attemptsMade: 0, maxAttempts: 4, stopping: () => false });

    const first = run('first-run');
    await waitFor(async () => sink!.messages.length >= 40, 20_000, 'the first run under way');
    const second = run('second-run');
    const [a, b] = await Promise.all([first, second]);

    expect(a.kind).toBe('superseded');
    expect(b.kind).toBe('done');
    const copies = sink.copies();
    expect(copies.size).toBe(N);
    const extra = [...copies.values()].reduce((n, c) => n + c - 1, 0);
    // Only messages the first run had in flight (at most 2 × pool) around the take-over, or
    // started just before its next recorded outcome told it; without the ownership check the
    // rest of the batch went twice (192 of 240 here).
    expect(extra).toBeLessThanOrEqual(2 * POOL * 2);
    const final = await t.app.editions.get(ID);
    expect(final).toMatchObject({ state: 'sent', total: N, sent: N });
  });
});
