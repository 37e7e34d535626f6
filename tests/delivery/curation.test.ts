import { afterEach, describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import type { App, WorkerRuntime } from '../../src/wiring.js';
import { BriefError } from '../../src/errors.js';

const ID = `daily-${FIXTURE_DATE}`;

describe('curation of an edition (real Redis, real SMTP)', () => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  let worker: WorkerRuntime | undefined;
  let other: App | undefined;
  afterEach(async () => {
    await worker?.close();
    await other?.close();
    await t?.cleanup();
    await sink?.stop();
    worker = other = t = sink = undefined;
  });

  it('applies exclude, lead, pick and note to a test send, and to the send after a restart', async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start() });
    await t.app.subscribers.add('daily', 'reader@example.net', { name: 'Reader' });

    const before = await t.app.service.compileFor(ID);
    expect(before.candidates.map((c) => c.id).sort()).toEqual(['budget-2025', 'harvest-2025', 'rail-2025']);
    expect(before.content.lead.id).toBe('budget-2025');

    const after = await t.app.service.curate(ID, {
      exclude: ['rail-2025'],
      lead: 'harvest-2025',
      pick: ['budget-2025'],
      note: 'A quiet morning <b>here</b>. More at https://example.org/notes.',
    });
    expect(after.content.lead.id).toBe('harvest-2025');
    expect(after.content.articles.map((a) => a.id)).toEqual(['harvest-2025', 'budget-2025']);
    expect(after.candidates.find((c) => c.id === 'rail-2025')).toMatchObject({ excluded: true, placement: null, isNew: false });

    await t.app.service.testSend('daily', FIXTURE_DATE, ['editor@example.net'], { transport: t.app.transport(), secret: await t.app.secret() });
    const [test] = await waitFor(async () => ((await sink!.parsedFor('editor@example.net')).length ? sink!.parsedFor('editor@example.net') : undefined), 10_000, 'the test');
    const html = String(test!.html);
    expect(html).not.toContain('New rail link opens');
    expect(html.indexOf('Harvest festival')).toBeLessThan(html.indexOf('Parliament passes'));
    expect(html).toContain('A quiet morning &lt;b&gt;here&lt;/b&gt;. More at <a href="https://example.org/notes">https://example.org/notes</a>.');
    expect(html).not.toContain('Good morning');
    expect(test!.text).toContain('A quiet morning <b>here</b>.');

    // A restart between curation and send: a new App on the same Redis sends the curated edition.
    await t.app.close();
    other = t.another();
    worker = await other.startWorkers();
    await other.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => (await other!.service.status(ID)).state === 'sent', 30_000, 'the send');
    const [sent] = await sink.parsedFor('reader@example.net');
    expect(String(sent!.html)).not.toContain('New rail link opens');
    expect(String(sent!.html).indexOf('Harvest festival')).toBeLessThan(String(sent!.html).indexOf('Parliament passes'));
    expect(sent!.text).toContain('A quiet morning');

    // Frozen now: curation is refused in one line.
    await expect(other.service.curate(ID, { include: ['rail-2025'] })).rejects.toThrow(/cannot curate daily-2025-09-05: it is frozen \(sent\)/);
  });

  it('refuses an id that is not in the window, naming it', async () => {
    t = await testApp();
    const err = await t.app.service.curate(ID, { exclude: ['nope'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BriefError);
    expect((err as BriefError).code).toBe('EINPUT');
    expect((err as BriefError).message).toMatch(/^exclude: no article "nope" in daily-2025-09-05/);
  });

  it('refuses to exclude the last article (an empty edition is never sent; hold or cancel it)', async () => {
    t = await testApp();
    await t.app.service.curate(ID, { exclude: ['rail-2025', 'budget-2025'] });
    await expect(t.app.service.curate(ID, { exclude: ['harvest-2025'] })).rejects.toThrow(/^exclude: that would leave daily-2025-09-05 with no articles/);
    expect((await t.app.service.compileFor(ID)).content.articles.map((a) => a.id)).toEqual(['harvest-2025']);
  });

  it('shows an article that arrived after curating as new, and includes it', async () => {
    t = await testApp();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const xml = readFileSync(t.feedFile, 'utf8');
    // Start with one story fewer, curate, then the feed gains it.
    const without = xml.replace(/<item>(?:(?!<\/item>)[\s\S])*harvest-2025[\s\S]*?<\/item>/, '');
    writeFileSync(t.feedFile, without);
    await t.app.service.curate(ID, { exclude: ['rail-2025'] });
    writeFileSync(t.feedFile, xml);
    const now = await t.app.service.compileFor(ID);
    expect(now.candidates.find((c) => c.id === 'harvest-2025')).toMatchObject({ isNew: true, excluded: false });
    expect(now.candidates.find((c) => c.id === 'budget-2025')!.isNew).toBe(false);
    expect(now.content.articles.map((a) => a.id)).toContain('harvest-2025');
  });
});
