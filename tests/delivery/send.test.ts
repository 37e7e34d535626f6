import { describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { testApp, waitFor, FIXTURE_DATE } from '../helpers/app.js';
import { liveStack } from '../helpers/live-stack.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { compileEdition } from '../../src/compile-edition.js';
import { editionDateOf } from '../../src/edition/index.js';
import { verifyToken } from '../../src/delivery/tokens.js';

const ID = `daily-${FIXTURE_DATE}`;

describe('delivery over a real SMTP server', () => {
  const live = liveStack();

  async function setup(n: number, opts: Parameters<typeof testApp>[0] = {}, faults: ConstructorParameters<typeof SmtpSink>[0] = {}) {
    live.sink = new SmtpSink(faults);
    const url = await live.sink.start();
    live.t = await testApp({ smtpUrl: url, ...opts });
    for (let i = 0; i < n; i++) {
      await live.t.app.subscribers.add('daily', `reader${i}@example.net`, { name: `Reader ${i}`, attributes: i % 2 ? { member: 'yes' } : {} });
    }
    return live.t;
  }

  const sentState = async () => {
    const s = await live.t!.app.service.status(ID);
    return s.state === 'sent' || s.state === 'failed' ? s : undefined;
  };

  it('sends exactly one copy to every active subscriber, with the headers subscribers rely on', async () => {
    await setup(120);
    await live.t!.app.subscribers.setStatus('daily', 'reader3@example.net', 'unsubscribed');
    await live.t!.app.subscribers.suppress('reader4@example.net', 'test');
    live.worker = await live.t!.app.startWorkers();
    const { created } = await live.t!.app.service.request('daily', FIXTURE_DATE);
    expect(created).toBe(true);
    const status = await waitFor(sentState, 30_000, 'edition sent');
    expect(status.state).toBe('sent');
    expect(status.total).toBe(118);
    expect(status.sent).toBe(118);
    expect(status.batches).toBe(3);

    const copies = live.sink!.copies();
    expect(copies.size).toBe(118);
    expect([...copies.values()].every((c) => c === 1)).toBe(true);
    expect(copies.has('reader3@example.net')).toBe(false);
    expect(copies.has('reader4@example.net')).toBe(false);

    const m = live.sink!.messages.find((x) => x.rcpt[0] === 'reader1@example.net')!;
    const p = await m.parse();
    expect(p.subject).toBe('The Test Brief — Friday, 5 September 2025');
    expect(p.to && 'value' in p.to ? p.to.value[0] : undefined).toMatchObject({ address: 'reader1@example.net', name: 'Reader 1' });
    expect(p.html).toContain('Parliament passes the budget');
    expect(p.text).toContain('https://news.example.org/rail');
    // Long headers are folded; unfold the header block before matching.
    const head = m.head.replace(/\r?\n[ \t]+/g, ' ');
    expect(head).toMatch(/^List-Unsubscribe: <https:\/\/brief\.example\.org\/u\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>\r?$/m);
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(head).toMatch(/^List-Id: The Test Brief <daily\.example\.org>\r?$/im);
    expect(head).toMatch(/^Content-Type: multipart\/alternative/m);
    const token = /^List-Unsubscribe: <https:\/\/brief\.example\.org\/u\/([^>\s]+)>/m.exec(head)![1]!;
    expect(verifyToken('test-secret-0123456789abcdef', token)).toEqual({
      action: 'unsubscribe', list: 'daily', email: 'reader1@example.net', edition: ID,
    });
    expect(m.messageId).toMatch(new RegExp(`^<${ID}\\.[A-Za-z0-9_-]+@example\\.org>$`));
    expect(new Set(live.sink!.messages.map((x) => x.messageId)).size).toBe(118);

    // The frozen articles joined the sent-articles ledger.
    const sentArticles = await live.t!.app.redis.hgetall(live.t!.app.keys.sentArticles('daily'));
    expect(Object.values(sentArticles).every((v) => v === ID)).toBe(true);
    expect(Object.keys(sentArticles)).toContain('id:budget-2025');
  });

  it('a repeated send sends nothing', async () => {
    await setup(10);
    live.worker = await live.t!.app.startWorkers();
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    await waitFor(sentState, 20_000);
    const again = await live.t!.app.service.request('daily', FIXTURE_DATE);
    expect(again.created).toBe(false);
    expect(again.status.state).toBe('sent');
    // Give a wrongly re-enqueued job every chance to run.
    await new Promise((r) => setTimeout(r, 800));
    expect(live.sink!.messages.length).toBe(10);
  });

  it('retries 451 replies with backoff and delivers once', async () => {
    await setup(30, {}, {
      rcpt: (a, n) => (/reader[0-4]@/.test(a) && n <= 2 ? { code: 451, message: 'try again later' } : undefined),
    });
    live.worker = await live.t!.app.startWorkers();
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    const s = await waitFor(sentState, 30_000);
    expect(s.state).toBe('sent');
    expect(s.sent).toBe(30);
    expect(s.failed).toBe(0);
    const copies = live.sink!.copies();
    expect(copies.size).toBe(30);
    expect([...copies.values()].every((c) => c === 1)).toBe(true);
  });

  it('a 550 suppresses that address, is reported, and the send goes on', async () => {
    await setup(20, {}, {
      rcpt: (a) => (a === 'reader7@example.net' ? { code: 550, message: 'no such user' } : undefined),
    });
    live.worker = await live.t!.app.startWorkers();
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    const s = await waitFor(sentState, 30_000);
    expect(s).toMatchObject({ state: 'sent', sent: 19, suppressed: 1, failed: 0, total: 20 });
    expect(await live.t!.app.subscribers.isSuppressed('reader7@example.net')).toBe(true);
    expect((await live.t!.app.subscribers.get('daily', 'reader7@example.net'))?.status).toBe('bounced');
    expect(await live.t!.app.editions.ledger(ID, 'reader7@example.net')).toMatch(/^x:\d+:550\t1\t\d{13}\t550 /);
  });

  it('skips a subscriber who unsubscribed between the snapshot and their batch', async () => {
    await setup(15);
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    // Prepare by hand (no workers yet): snapshot taken, batches queued but not run.
    await live.t!.app.service.prepare(ID);
    expect((await live.t!.app.service.status(ID)).total).toBe(15);
    await live.t!.app.subscribers.setStatus('daily', 'reader2@example.net', 'unsubscribed');
    live.worker = await live.t!.app.startWorkers();
    const s = await waitFor(sentState, 20_000);
    expect(s).toMatchObject({ state: 'sent', sent: 14, skipped: 1 });
    expect(live.sink!.copies().has('reader2@example.net')).toBe(false);
  });

  it('pause, resume and cancel never send a second copy', async () => {
    await setup(80, { delivery: { batchSize: 10, poolSize: 2, concurrency: 1 } }, { delayMs: 15 });
    live.worker = await live.t!.app.startWorkers();
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => live.sink!.messages.length >= 15, 20_000, 'some messages');
    await live.t!.app.service.pause(ID);
    // Within one batch the send stops: at most one batch of messages arrives after pausing.
    const atPause = live.sink!.messages.length;
    await new Promise((r) => setTimeout(r, 1000));
    const afterPause = live.sink!.messages.length;
    expect(afterPause - atPause).toBeLessThanOrEqual(10);
    await new Promise((r) => setTimeout(r, 500));
    expect(live.sink!.messages.length).toBe(afterPause);
    expect((await live.t!.app.service.status(ID)).state).toBe('paused');

    await live.t!.app.service.resume(ID);
    const s = await waitFor(sentState, 30_000);
    expect(s).toMatchObject({ state: 'sent', sent: 80 });
    const copies = live.sink!.copies();
    expect(copies.size).toBe(80);
    expect([...copies.values()].every((c) => c === 1)).toBe(true);
  });

  it('cancel stops the send within one batch', async () => {
    await setup(80, { delivery: { batchSize: 10, poolSize: 2, concurrency: 1 } }, { delayMs: 15 });
    live.worker = await live.t!.app.startWorkers();
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => live.sink!.messages.length >= 15, 20_000, 'some messages');
    await live.t!.app.service.cancel(ID);
    const atCancel = live.sink!.messages.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(live.sink!.messages.length - atCancel).toBeLessThanOrEqual(10);
    const s = await live.t!.app.service.status(ID);
    expect(s.state).toBe('cancelled');
    expect(s.sent).toBe(live.sink!.messages.length);
    expect(s.sent).toBeLessThan(80);
    await expect(live.t!.app.service.resume(ID)).rejects.toMatchObject({ code: 'ESTATE' });
  });

  it('an article re-dated in the feed is not repeated in the next edition', async () => {
    await setup(3);
    live.worker = await live.t!.app.startWorkers();
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    await waitFor(sentState, 20_000);
    // The feed re-dates "rail" into the next day's window and adds one new story.
    const xml = readFileSync(live.t!.feedFile, 'utf8')
      .replace('Thu, 04 Sep 2025 15:30:00 +0400', 'Fri, 05 Sep 2025 12:00:00 +0400')
      .replace(
        '</channel>',
        `<item><title>Vineyards report early harvest</title><link>https://news.example.org/vines</link><guid>vines</guid>
         <pubDate>Fri, 05 Sep 2025 18:00:00 +0400</pubDate><description>Early.</description></item></channel>`,
      );
    writeFileSync(live.t!.feedFile, xml);
    const next = await compileEdition(live.t!.config, live.t!.config.newsletters[0]!, '2025-09-06', {
      redis: live.t!.app.redis, keys: live.t!.app.keys, publicUrl: 'https://brief.example.org',
    });
    const titles = next.content.articles.map((a) => a.title);
    expect(titles).toEqual(['Vineyards report early harvest']);
    // The console shows what was left out, and why.
    expect(next.skipped).toEqual([expect.objectContaining({ why: 'sent in an earlier edition' })]);
  });

  it("the scheduler fires in the newsletter's zone and creates that date's edition", async () => {
    // Every 2 s, in a zone 14 hours ahead of UTC, so the local date often differs from UTC's.
    await setup(2, {
      schedule: '*/2 * * * * *',
      timezone: 'Pacific/Kiritimati',
      newsletter: { sources: [{ type: 'rss', url: './feed.xml', shiftToWindow: true }] },
    });
    live.worker = await live.t!.app.startWorkers();
    const ids = await waitFor(async () => {
      const list = await live.t!.app.editions.ids('daily');
      return list.length ? list : undefined;
    }, 15_000, 'a scheduled edition');
    const expected = `daily-${editionDateOf(new Date(), 'Pacific/Kiritimati')}`;
    expect(ids[0]).toBe(expected);
    // Redeploys: upserting at every live.worker start keeps one scheduler.
    const w2 = await live.t!.app.startWorkers();
    await w2.close();
    expect(await live.t!.app.editionsQueue.getJobSchedulersCount()).toBe(1);
  });
});
