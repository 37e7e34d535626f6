import { describe, expect, it } from 'vitest';
import { chaosSeed, EDITION, FIXTURE_DATE, rng, seed, sleep, until, type ChaosEnv } from '../harness/chaos-env.js';
import { chaosFixture } from '../harness/fixture.js';
import { checkDelivery, describeCheck, reportFigures } from '../harness/delivery-report.js';
import type { ChaosSize } from '../harness/sizes.js';
import { SCHEDULED_JOB } from '../../../src/delivery/queues.js';

const BATCH = 100;
const CONCURRENCY = 2;
/** Pause and cancel are read every 100 recipients of a batch (batch-sender's CHUNK). */
const CHECKED_EVERY = 100;
/** After a pause or cancel, each running batch may finish the chunk it is in. */
const WITHIN_ONE_BATCH = CONCURRENCY * Math.min(BATCH, CHECKED_EVERY);
/** 08:00 in Asia/Tbilisi (UTC+4) on FIXTURE_DATE: the occurrence the scheduler fires for. */
const OCCURRENCE_MS = Date.parse(`${FIXTURE_DATE}T04:00:00Z`);

/**
 * Editors pause, resume and cancel in the middle of a send, and the scheduler fires twice
 * for a date an editor is sending at the same moment: one edition, no second copy, and a
 * pause or cancel holds within one batch.
 */
export function editorActionsScenario(size: ChaosSize): void {
  describe(`editor actions mid-send (${size.name})`, () => {
    const fx = chaosFixture();

    const { recipients: N, pauseCycles, concurrentRequests, snapshotRecipients } = size.editor;
    const delivery = { batchSize: BATCH, poolSize: 3, concurrency: CONCURRENCY, lockDurationMs: 5000 };

    const sentState = (e: ChaosEnv) => async () => {
      const st = await e.status();
      return st.state === 'sent' ? st : undefined;
    };

    it(`${pauseCycles} pause/resume cycles over ${N} recipients: each pause holds within one batch, nobody twice`, async () => {
      const rand = rng(chaosSeed());
      const { e, s } = await fx.withRelay({ delayMs: 8 }, { delivery });
      const addresses = await seed(e.app, N);
      const started = Date.now();
      await e.procs.worker(e.configFile);
      await e.app.service.request('daily', FIXTURE_DATE);
      const afterPause: number[] = [];
      for (let c = 1; c <= pauseCycles; c++) {
        const target = Math.floor((N * c) / (pauseCycles + 2));
        await until(() => s.uniqueRecipients() >= target, 60_000 * size.slack, `${target} recipients before pause ${c}`, undefined, 10);
        await e.app.service.pause(EDITION);
        const atPause = s.messages.length;
        if (c % 2 === 0) {
          // Resume at once: the batches are between "saw paused" and "parked".
          await sleep(Math.floor(rand() * 20));
          await e.app.service.resume(EDITION);
          continue;
        }
        const quiet = await s.quiet(1000, 20_000 * size.slack);
        afterPause.push(quiet - atPause);
        expect(quiet - atPause, 'messages accepted after the pause').toBeLessThanOrEqual(WITHIN_ONE_BATCH);
        await sleep(300);
        expect(s.messages.length, 'nothing more while paused').toBe(quiet);
        expect((await e.status()).state).toBe('paused');
        // A second pause (another editor) is harmless: still paused, nothing sent.
        expect((await e.app.service.pause(EDITION)).state).toBe('paused');
        await e.app.service.resume(EDITION);
      }
      const status = await until(sentState(e), 90_000 * size.slack, 'the edition to be sent', async () => JSON.stringify(await e.status()));
      const check = checkDelivery(s.messages, addresses);
      reportFigures(`editor-pause-resume/${size.name}`, {
        recipients: N,
        pauseCycles,
        afterPause,
        messages: check.accepted,
        doubled: check.doubled,
        seconds: (Date.now() - started) / 1000,
      });
      expect(status).toMatchObject({ state: 'sent', total: N, sent: N });
      expect(check.missing, describeCheck(check)).toEqual([]);
      expect(check.extraCopies, describeCheck(check)).toBe(0);
    }, 180_000 * size.slack);

    it(`cancel mid-send stops within one batch and stays stopped (${N} recipients)`, async () => {
      const { e, s } = await fx.withRelay({ delayMs: 8 }, { delivery });
      await seed(e.app, N);
      await e.procs.worker(e.configFile);
      await e.app.service.request('daily', FIXTURE_DATE);
      await until(() => s.uniqueRecipients() >= Math.floor(N / 4), 60_000 * size.slack, 'a quarter of the recipients', undefined, 10);
      await e.app.service.cancel(EDITION);
      const atCancel = s.messages.length;
      const quiet = await s.quiet(1000, 20_000 * size.slack);
      expect(quiet - atCancel, 'messages accepted after the cancel').toBeLessThanOrEqual(WITHIN_ONE_BATCH);
      // The batches still queued run, see the cancel and finish without sending.
      await until(
        async () => {
          const c = await e.app.batchQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          return Object.values(c).every((n) => n === 0);
        },
        30_000 * size.slack,
        'the queued batches to drain',
      );
      const status = await e.status();
      expect(status.state).toBe('cancelled');
      expect(status.sent, 'status.sent == messages accepted').toBe(s.messages.length);
      expect(status.sent).toBeLessThan(N);
      expect(status.batchesDone).toBe(status.batches);
      // Asking again finds the cancelled edition; resume is refused; nothing more is sent.
      const again = await e.app.service.request('daily', FIXTURE_DATE);
      expect(again).toMatchObject({ created: false, status: { state: 'cancelled' } });
      await expect(e.app.service.resume(EDITION)).rejects.toMatchObject({ code: 'ESTATE' });
      await sleep(1000);
      expect(s.messages.length).toBe(quiet);
      expect(checkDelivery(s.messages, []).extraCopies).toBe(0);
      reportFigures(`editor-cancel/${size.name}`, { recipients: N, atCancel, afterCancel: quiet - atCancel, sent: status.sent });
    }, 120_000 * size.slack);

    it(`the scheduler firing twice while editors send the same date (${concurrentRequests} at once, and \`brief send\`): one edition, one copy each`, async () => {
      const { e, s } = await fx.withRelay({ delayMs: 2 }, { delivery });
      const n = Math.min(N, 300);
      const addresses = await seed(e.app, n);
      // Two worker processes, so two prepare jobs could really run at the same time.
      await Promise.all([e.procs.worker(e.configFile), e.procs.worker(e.configFile)]);
      const apps = Array.from({ length: concurrentRequests }, () => e.otherApp());
      const cli = e.procs.run(['send', 'daily', '--date', FIXTURE_DATE], 60_000 * size.slack);
      const [results, scheduled] = await Promise.all([
        Promise.all(apps.map((a) => a.service.request('daily', FIXTURE_DATE))),
        // The scheduler's job for 08:00 on that date, delivered twice (a retry, a clock skew,
        // two schedulers after a bad deploy): distinct job ids, same occurrence.
        Promise.all(
          [1, 2].map((i) =>
            e.app.editionsQueue.add(SCHEDULED_JOB, { newsletter: 'daily' }, { jobId: `dup-occurrence-${i}`, prevMillis: OCCURRENCE_MS }),
          ),
        ),
      ]);
      const cliResult = await cli;
      expect(cliResult.code, cliResult.stderr).toBe(0);
      const status = await until(sentState(e), 60_000 * size.slack, 'the edition to be sent', async () => JSON.stringify(await e.status()));
      // Both scheduled jobs ran and found that same edition.
      for (const job of scheduled) {
        const done = await until(async () => {
          const j = await e.app.editionsQueue.getJob(job.id!);
          return j?.finishedOn ? j : undefined;
        }, 20_000 * size.slack, `scheduled job ${job.id} to finish`);
        expect(done.returnvalue).toBe(EDITION);
      }
      await sleep(500);
      const check = checkDelivery(s.messages, addresses);
      reportFigures(`editor-concurrent-requests/${size.name}`, {
        recipients: n,
        requests: concurrentRequests + 3,
        created: results.filter((r) => r.created).length,
        messages: check.accepted,
        doubled: check.doubled,
      });
      expect(results.filter((r) => r.created).length).toBeLessThanOrEqual(1);
      expect(new Set(results.map((r) => r.status.id))).toEqual(new Set([EDITION]));
      expect(await e.app.editions.ids('daily')).toEqual([EDITION]);
      expect(status).toMatchObject({ state: 'sent', total: n, sent: n });
      expect(check.missing, describeCheck(check)).toEqual([]);
      expect(check.extraCopies, describeCheck(check)).toBe(0);
    }, 120_000 * size.slack);

    it(`prepare run three times at once (a resume during the snapshot, a job taken over from a stalled worker): one snapshot of ${snapshotRecipients}`, async () => {
      const e = await fx.env({ delivery });
      await seed(e.app, snapshotRecipients);
      // Created and queued, but no worker: the three runs below are the only ones.
      await e.app.service.request('daily', FIXTURE_DATE);
      await Promise.all([1, 2, 3].map(() => e.otherApp().service.prepare(EDITION)));
      const status = await e.status();
      const batches = Math.ceil(snapshotRecipients / BATCH);
      expect(status, 'each page of the list appended once').toMatchObject({ state: 'sending', total: snapshotRecipients, batches });
      const entries: string[] = [];
      for (let b = 0; b < batches; b++) entries.push(...(await e.app.editions.batchEntries(EDITION, b)));
      expect(entries.length).toBe(snapshotRecipients);
      expect(new Set(entries).size).toBe(snapshotRecipients);
      expect(await e.app.redis.exists(e.app.keys.editionBatch(EDITION, batches))).toBe(0);
    }, 60_000 * size.slack);
  });
}
