import { afterEach, describe, expect, it } from 'vitest';
import { testApp, waitFor, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { writeTimedFeed, dailyAtSecond, utcDate } from '../helpers/timed-feed.js';
import type { App, WorkerRuntime } from '../../src/wiring.js';
import { readMetricsSnapshot, renderMetrics } from '../../src/http/metrics.js';
import { compileEdition } from '../../src/compile-edition.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An occurrence a few whole seconds ahead (its UTC date names the edition). */
const occurrenceIn = (seconds: number): number => Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000;

describe('approval and hold (real Redis, BullMQ Job Schedulers, real SMTP)', () => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  const workers: WorkerRuntime[] = [];
  const apps: App[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
    for (const a of apps.splice(0)) await a.close();
    await t?.cleanup();
    await sink?.stop();
    t = sink = undefined;
  });

  it('waits in awaiting-approval past its occurrence, tells the approvers, and once approved sends exactly once', async () => {
    const occurrence = occurrenceIn(6);
    const id = `daily-${utcDate(occurrence)}`;
    sink = new SmtpSink();
    t = await testApp({
      smtpUrl: await sink.start(),
      schedule: dailyAtSecond(occurrence),
      timezone: 'UTC',
      newsletter: { approval: 'required', approvers: ['The Desk <desk@example.org>'] },
    });
    writeTimedFeed(t.feedFile, [
      { id: 'one', title: 'Story one', at: Date.now() - 2 * 3600_000 },
      { id: 'two', title: 'Story two', at: Date.now() - 3600_000 },
    ]);
    await t.app.subscribers.add('daily', 'reader@example.net', { name: 'Reader' });
    workers.push(await t.app.startWorkers());

    // The lead time (60 min) is already past: the approval step runs at the worker's start.
    await waitFor(async () => (await t!.app.editions.state(id)) === 'awaiting-approval', 15_000, 'awaiting-approval');
    const [note] = await waitFor(async () => {
      const m = await sink!.parsedFor('desk@example.org');
      return m.length ? m : undefined;
    }, 10_000, 'the approvers told');
    expect(note!.subject).toBe(`Approval needed: The Test Brief, ${utcDate(occurrence)}`);
    expect(note!.text).toContain(`https://brief.example.org/admin/editions/${id}`);

    // Past the occurrence (the Job Scheduler fired): still waiting, nothing sent.
    while (Date.now() < occurrence + 2500) await sleep(200);
    expect(await t.app.editions.state(id)).toBe('awaiting-approval');
    expect(sink.copies().get('reader@example.net')).toBeUndefined();
    const metrics = await renderMetrics(await readMetricsSnapshot(t.app));
    expect(metrics.text).toContain('brief_editions_awaiting_approval{newsletter="daily"} 1');

    // Approved after the occurrence: sent at once, once.
    const approved = await t.app.service.approve(id, 'second.editor@example.org');
    expect(approved.approvedBy).toBe('second.editor@example.org');
    await waitFor(async () => (await t!.app.editions.state(id)) === 'sent', 20_000, 'the send');
    await sink.quiet(1500, 5000);
    expect(sink.copies().get('reader@example.net')).toBe(1);
    const after = await renderMetrics(await readMetricsSnapshot(t.app));
    expect(after.text).toContain('brief_editions_awaiting_approval{newsletter="daily"} 0');
  }, 40_000);

  it('approved before its occurrence: frozen then (the window ends there), sent at the occurrence, once', async () => {
    const occurrence = occurrenceIn(7);
    const id = `daily-${utcDate(occurrence)}`;
    sink = new SmtpSink();
    t = await testApp({
      smtpUrl: await sink.start(),
      schedule: dailyAtSecond(occurrence),
      timezone: 'UTC',
      newsletter: { approval: 'required', approvers: ['desk@example.org'] },
    });
    writeTimedFeed(t.feedFile, [{ id: 'one', title: 'Story one', at: Date.now() - 3600_000 }]);
    await t.app.subscribers.add('daily', 'reader@example.net');
    workers.push(await t.app.startWorkers());
    await waitFor(async () => (await t!.app.editions.state(id)) === 'awaiting-approval', 15_000, 'awaiting-approval');
    const approved = await t.app.service.approve(id, 'desk@example.org');
    expect(approved.state).toBe('scheduled');
    expect(Date.parse(approved.cutoff!)).toBeLessThan(occurrence);
    await sleep(1000);
    expect(Date.now()).toBeLessThan(occurrence);
    expect(sink.copies().get('reader@example.net')).toBeUndefined();
    await waitFor(async () => (await t!.app.editions.state(id)) === 'sent', 20_000, 'the send at the occurrence');
    const [mail] = await sink.parsedFor('reader@example.net');
    expect(sink.messages.find((m) => m.rcpt.includes('reader@example.net'))!.at).toBeGreaterThanOrEqual(occurrence);
    expect(mail!.subject).toContain('The Test Brief');
    await sink.quiet(1500, 5000);
    expect(sink.copies().get('reader@example.net')).toBe(1);
  }, 40_000);

  it('a hold survives a worker restart: the occurrence passes, nothing goes out until the release', async () => {
    const occurrence = occurrenceIn(5);
    const id = `daily-${utcDate(occurrence)}`;
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start(), schedule: dailyAtSecond(occurrence), timezone: 'UTC' });
    writeTimedFeed(t.feedFile, [{ id: 'one', title: 'Story one', at: Date.now() - 3600_000 }]);
    await t.app.subscribers.add('daily', 'reader@example.net');
    expect((await t.app.service.hold(id)).state).toBe('held');
    workers.push(await t.app.startWorkers());
    await sleep(500);
    // The worker process goes away; a new one (new App, same Redis) takes over.
    await workers.pop()!.close();
    await t.app.close();
    const second = t.another();
    apps.push(second);
    workers.push(await second.startWorkers());
    while (Date.now() < occurrence + 2500) await sleep(200);
    expect(await second.editions.state(id)).toBe('held');
    expect(sink.copies().size).toBe(0);

    expect((await second.service.release(id)).state).toBe('scheduled');
    await waitFor(async () => (await second.editions.state(id)) === 'sent', 20_000, 'the send after release');
    await sink.quiet(1000, 5000);
    expect(sink.copies().get('reader@example.net')).toBe(1);
  }, 40_000);

  it('an edition frozen early ends its window at the freeze; the next one starts there (nothing lost, nothing twice)', async () => {
    const occurrence = Date.now() + 3600_000; // an hour ahead: "send now" freezes early
    const date = utcDate(occurrence);
    const id = `daily-${date}`;
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start(), schedule: dailyAtSecond(occurrence), timezone: 'UTC' });
    await t.app.subscribers.add('daily', 'reader@example.net');
    writeTimedFeed(t.feedFile, [{ id: 'before', title: 'Before the freeze', at: Date.now() - 60_000 }]);
    workers.push(await t.app.startWorkers());
    await t.app.service.request('daily', date);
    await waitFor(async () => (await t!.app.editions.state(id)) === 'sent', 20_000, 'the early send');
    const cutoff = (await t.app.service.status(id)).cutoff!;
    expect(Date.parse(cutoff)).toBeLessThan(occurrence);

    // A story published after the freeze but before the occurrence: the old rule would
    // put it in the edition already sent (lost); now it opens the next edition.
    // RSS dates have whole seconds: the first whole second after the cut-off, once it is past.
    const later = Math.ceil((Date.parse(cutoff) + 1) / 1000) * 1000;
    while (Date.now() <= later) await sleep(50);
    expect(later).toBeGreaterThan(Date.parse(cutoff));
    writeTimedFeed(t.feedFile, [
      { id: 'before', title: 'Before the freeze', at: Date.now() - 60_000 },
      { id: 'after', title: 'After the freeze', at: later },
    ]);
    const n = t.config.newsletters[0]!;
    const next = await compileEdition(t.config, n, utcDate(occurrence + 86400_000), { redis: t.app.redis, keys: t.app.keys, publicUrl: 'https://x.example' });
    expect(next.window.start).toBe(cutoff);
    expect(next.content.articles.map((a) => a.id)).toEqual(['after']);
    const again = await compileEdition(t.config, n, date, { redis: t.app.redis, keys: t.app.keys, publicUrl: 'https://x.example' });
    expect(again.window.end).toBe(cutoff);
    expect(again.content.articles.map((a) => a.id)).toEqual(['before']);
    const [mail] = await sink.parsedFor('reader@example.net');
    expect(String(mail!.html)).toContain('Before the freeze');
    expect(String(mail!.html)).not.toContain('After the freeze');
  }, 40_000);
});
