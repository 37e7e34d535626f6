import { describe, expect, it } from 'vitest';
import { EDITION, FIXTURE_DATE, seed, until } from '../harness/chaos-env.js';
import { chaosFixture } from '../harness/fixture.js';
import { checkDelivery, describeCheck, reportFigures } from '../harness/delivery-report.js';
import type { ChaosSize } from '../harness/sizes.js';

/**
 * SIGTERM to the worker process in the middle of a batch: it stops taking recipients,
 * finishes and records the messages in flight, exits 0 within a few seconds; the restart
 * sends the rest, and nobody gets a second copy.
 */
export function gracefulStopScenario(size: ChaosSize): void {
  describe(`graceful stop: SIGTERM to the worker process mid-batch (${size.name})`, () => {
    const fx = chaosFixture();

    const { recipients: N, stops } = size.graceful;

    it(`${N} recipients, ${stops} SIGTERM(s): exit 0, everything accepted is recorded, no duplicates`, async () => {
      // Slow acceptances keep messages in flight when the signal comes.
      const { e, s } = await fx.withRelay({ delayMs: 15 }, { delivery: { batchSize: 100, poolSize: 3, concurrency: 2, lockDurationMs: 2000 } });
      const addresses = await seed(e.app, N);
      const started = Date.now();
      let worker = await e.procs.worker(e.configFile);
      await e.app.service.request('daily', FIXTURE_DATE);
      const exitMs: number[] = [];
      const stoppedAt: number[] = [];

      for (let i = 1; i <= stops; i++) {
        const target = Math.floor((N * i) / (stops + 2));
        await until(() => s.uniqueRecipients() >= target, 60_000 * size.slack, `${target} recipients before SIGTERM ${i}`,
          async () => JSON.stringify(await e.status()), 10);
        const t = Date.now();
        worker.kill('SIGTERM');
        const exit = await worker.waitExit(15_000 * size.slack);
        exitMs.push(Date.now() - t);
        expect(exit, `the worker did not exit after SIGTERM:\n${worker.stderr.slice(-2000)}`).toEqual({ code: 0, signal: null });
        expect(exitMs.at(-1)!, 'exit within a few seconds of SIGTERM').toBeLessThan(5000 * size.slack);
        // Nothing is in the acceptance window after a graceful stop: the ledger has every
        // message the relay accepted.
        const accepted = s.messages.length;
        const status = await e.status();
        stoppedAt.push(accepted);
        expect(status.state).toBe('sending');
        expect(status.sent, 'status.sent == messages the relay accepted').toBe(accepted);
        const ledger = await e.app.redis.hgetall(e.app.keys.editionLedger(EDITION));
        const unrecorded = s.messages.flatMap((m) => m.rcpt).filter((a) => !ledger[a]?.startsWith('s:'));
        expect(unrecorded).toEqual([]);
        worker = await e.procs.worker(e.configFile);
      }

      const final = await until(
        async () => {
          const st = await e.status();
          return st.state === 'sent' ? st : undefined;
        },
        60_000 * size.slack,
        'the edition to be sent after the restart',
        async () => JSON.stringify(await e.status()),
      );
      const check = checkDelivery(s.messages, addresses);
      reportFigures(`graceful-stop/${size.name}`, {
        recipients: N,
        stops,
        acceptedAtStops: stoppedAt,
        exitMs,
        messages: check.accepted,
        doubled: check.doubled,
        seconds: (Date.now() - started) / 1000,
      });
      expect(final).toMatchObject({ state: 'sent', total: N, sent: N, failed: 0 });
      expect(check.missing, describeCheck(check)).toEqual([]);
      expect(check.extraCopies, describeCheck(check)).toBe(0);
      worker.kill('SIGTERM');
      expect(await worker.waitExit(10_000 * size.slack)).toEqual({ code: 0, signal: null });
    }, 180_000 * size.slack);

    // A supervisor (systemd, Kubernetes, a deploy script) may stop a worker the moment it is
    // up. The SIGTERM handler must be in place before the worker says it is running, or the
    // signal's default action kills it on the spot, mid-batch if it had already taken one.
    const attempts = size.name === 'ci' ? 5 : 10;
    it(`SIGTERM right after "running" still stops gracefully (${attempts} times)`, async () => {
      const e = await fx.env({ smtpUrl: 'smtp://127.0.0.1:9?ignoreTLS=true' });
      const exits: string[] = [];
      for (let i = 0; i < attempts; i++) {
        const w = await e.procs.worker(e.configFile);
        w.kill('SIGTERM');
        const exit = await w.waitExit(15_000 * size.slack);
        exits.push(exit ? `${exit.code}/${exit.signal}` : 'no exit');
      }
      reportFigures(`graceful-stop-at-start/${size.name}`, { exits });
      expect(
        exits.filter((x) => x !== '0/null'),
        'killed by SIGTERM\'s default action: src/cli/worker-command.ts prints "running" before untilSignal() installs the handlers',
      ).toEqual([]);
    }, 120_000 * size.slack);
  });
}
