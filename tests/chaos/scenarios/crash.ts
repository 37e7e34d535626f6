import { describe, expect, it } from 'vitest';
import { chaosSeed, EDITION, FIXTURE_DATE, rng, seed, sleep, until } from '../harness/chaos-env.js';
import { chaosFixture } from '../harness/fixture.js';
import { checkDelivery, describeCheck, reportFigures } from '../harness/delivery-report.js';
import type { ChaosSize } from '../harness/sizes.js';
import type { BriefProcess } from '../harness/processes.js';

const POOL = 3;

/**
 * The worker process is killed with SIGKILL again and again while it sends, and started
 * again each time. Nobody may be lost; a copy may be repeated only for a message the relay
 * accepted while the ledger had not yet recorded it — with the same Message-ID, and at most
 * one per pool connection per kill.
 */
export function crashScenario(size: ChaosSize): void {
  describe(`crash: SIGKILL of the worker process mid-send (${size.name})`, () => {
    const fx = chaosFixture();

    const { recipients: N, kills: K, lockDurationMs } = size.crash;

    it(`${N} recipients, ${K} SIGKILLs: everyone at least once, repeats only in the acceptance window`, async () => {
      const seedValue = chaosSeed();
      const rand = rng(seedValue);
      const { e, s } = await fx.withRelay({}, { delivery: { lockDurationMs, batchSize: 100, poolSize: POOL, concurrency: 2 } });
      const addresses = await seed(e.app, N);
      const started = Date.now();
      const restartMs: number[] = [];
      const restart = async () => {
        const t = Date.now();
        const w = await e.procs.worker(e.configFile);
        restartMs.push(Date.now() - t);
        return w;
      };
      const killHard = async (w: BriefProcess) => {
        w.kill('SIGKILL');
        const exit = await w.waitExit(5000);
        expect(exit?.signal, `worker pid ${w.pid} did not die of SIGKILL`).toBe('SIGKILL');
      };

      let worker = await restart();
      await e.app.service.request('daily', FIXTURE_DATE);
      const killPoints: number[] = [];

      // The first kill lands while the edition is compiled, frozen and snapshotted.
      await sleep(50 + Math.floor(rand() * 400));
      killPoints.push(s.messages.length);
      await killHard(worker);
      worker = await restart();

      // The others land after a random number of new acceptances: anywhere inside a batch.
      // Kills must stop early enough to leave recipients for the next one.
      const progressBound = 30_000 * size.slack;
      while (killPoints.length < K) {
        const left = K - killPoints.length;
        const remaining = N - s.uniqueRecipients();
        // Spread over the whole send, each kill at a random point of its stretch.
        const stretch = remaining / (left + 1);
        const want = Math.max(1, Math.floor(stretch * (0.3 + rand() * 1.2)));
        const before = s.messages.length;
        await until(
          () => s.messages.length >= before + want,
          progressBound,
          `${want} more acceptances after restart ${killPoints.length} (a killed batch must be taken over within a few lock durations)`,
          async () => `${s.uniqueRecipients()} of ${N} recipients accepted; edition ${JSON.stringify(await e.status())}`,
          20,
        );
        // Sometimes a little later, so that some kills fall between SMTP acceptance and the ledger write.
        if (rand() < 0.5) await sleep(Math.floor(rand() * 30));
        killPoints.push(s.messages.length);
        await killHard(worker);
        if (rand() < 0.3) await sleep(Math.floor(rand() * lockDurationMs));
        worker = await restart();
      }
      const lastRestart = Date.now();

      const finalBound = (20_000 + lockDurationMs * 6) * size.slack;
      const status = await until(
        async () => {
          const st = await e.status();
          return st.state === 'sent' ? st : undefined;
        },
        finalBound,
        `the edition to be sent after the last restart`,
        async () => `${s.uniqueRecipients()} of ${N} recipients accepted; edition ${JSON.stringify(await e.status())}`,
      );
      const seconds = (Date.now() - started) / 1000;
      const check = checkDelivery(s.messages, addresses);
      reportFigures(`crash/${size.name}`, {
        seed: seedValue,
        recipients: N,
        kills: killPoints.length,
        killedAtAcceptance: killPoints,
        messages: check.accepted,
        doubled: check.doubled,
        extraCopies: check.extraCopies,
        bound: POOL * killPoints.length,
        maxRestartMs: Math.max(...restartMs),
        afterLastRestartS: (Date.now() - lastRestart) / 1000,
        seconds,
      });

      const ledger = await e.app.redis.hgetall(e.app.keys.editionLedger(EDITION));
      const kinds: Record<string, number> = {};
      for (const v of Object.values(ledger)) kinds[v.split(':')[0]!] = (kinds[v.split(':')[0]!] ?? 0) + 1;
      const why = `status ${JSON.stringify(status)}; ledger kinds ${JSON.stringify(kinds)}; ${describeCheck(check)}; seed ${seedValue}`;
      expect(status, why).toMatchObject({ state: 'sent', total: N, sent: N, failed: 0, suppressed: 0, skipped: 0 });
      expect(check.missing, describeCheck(check)).toEqual([]);
      expect(check.unexpected, describeCheck(check)).toEqual([]);
      expect(check.differentIds, `a repeated copy must carry the same Message-ID: ${describeCheck(check)}`).toEqual([]);
      expect(check.extraCopies, `at most ${POOL} (pool) repeats per kill: ${describeCheck(check)}`).toBeLessThanOrEqual(POOL * killPoints.length);

      // The ledger agrees: every recipient recorded as sent, nobody left claimed.
      const notSent = Object.entries(ledger).filter(([, v]) => !v.startsWith('s:'));
      expect(Object.keys(ledger).length).toBe(N);
      expect(notSent.slice(0, 5)).toEqual([]);
      expect((await e.app.batchQueue.getJobCounts('failed')).failed).toBe(0);

      // K+2 starts of the worker (most of them killed) leave one scheduler and one scheduled job.
      expect(await e.app.editionsQueue.getJobSchedulersCount()).toBe(1);
      expect((await e.app.editionsQueue.getJobCounts('delayed')).delayed).toBe(1);

      // The survivor still stops cleanly.
      worker.kill('SIGTERM');
      expect(await worker.waitExit(10_000 * size.slack)).toEqual({ code: 0, signal: null });
    }, (240_000 + N * 60) * size.slack);
  });
}
