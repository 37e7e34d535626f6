import { afterEach, describe, expect, it } from 'vitest';
import { chaosEnv, EDITION, FIXTURE_DATE, seed, sleep, until, type ChaosEnv } from '../harness/chaos-env.js';
import { SmtpSink } from '../../helpers/smtp-sink.js';
import { PrivateRedis } from '../harness/private-redis.js';
import { checkDelivery, describeCheck, reportFigures } from '../harness/delivery-report.js';
import type { ChaosSize } from '../harness/sizes.js';

const POOL = 3;

/**
 * A private redis-server with AOF is stopped (SIGTERM) and started again on the same port
 * and folder in the middle of a send. The worker processes reconnect on their own and the
 * edition finishes with everybody served; a repeat is allowed only in the acceptance window
 * (same Message-ID).
 */
export function redisRestartScenario(size: ChaosSize): void {
  describe(`Redis restart mid-send (${size.name})`, () => {
    let env: ChaosEnv | undefined;
    let sink: SmtpSink | undefined;
    let redis: PrivateRedis | undefined;
    afterEach(async () => {
      // Processes first, so nothing is left retrying against a stopped server.
      await env?.procs.killAll();
      // A test that failed during an outage: bring the server back so the Apps can close.
      if (redis && redis.starts > 0 && !redis.running) await redis.start().catch(() => {});
      await env?.cleanup();
      await redis?.destroy();
      await sink?.stop();
      env = undefined;
      sink = undefined;
      redis = undefined;
    });

    const { recipients: N, restarts } = size.redis;

    it(`${N} recipients, ${restarts} restart(s) of redis-server (AOF, appendfsync always): nothing lost`, async () => {
      redis = new PrivateRedis();
      await redis.start();
      sink = new SmtpSink({ delayMs: 3 }, { keepRaw: false });
      await sink.start();
      // The lock outlives the outage (as the default 30 s does): a restart of a second or two
      // must not let a second worker take over a batch that is still being sent.
      env = await chaosEnv({
        redisUrl: redis.url,
        smtpUrl: sink.url,
        delivery: { batchSize: 100, poolSize: POOL, concurrency: 2, lockDurationMs: 10_000, backoffMs: 50, attempts: 8 },
      });
      const e = env;
      const s = sink;
      const r = redis;
      const addresses = await seed(e.app, N);
      const started = Date.now();
      // Two worker processes, as two machines would run.
      const workers = [await e.procs.worker(e.configFile), await e.procs.worker(e.configFile)];
      await e.app.service.request('daily', FIXTURE_DATE);
      const outages: number[] = [];
      const acceptedAtStop: number[] = [];

      for (let i = 1; i <= restarts; i++) {
        const target = Math.floor((N * i) / (restarts + 2));
        await until(() => s.uniqueRecipients() >= target, 60_000 * size.slack, `${target} recipients before restart ${i}`,
          () => `${s.uniqueRecipients()} accepted`, 10);
        const t = Date.now();
        await r.stop();
        acceptedAtStop.push(s.messages.length);
        await sleep(1000);
        await r.start();
        outages.push(Date.now() - t);
      }

      const status = await until(
        async () => {
          const st = await e.status();
          return st.state === 'sent' ? st : undefined;
        },
        90_000 * size.slack,
        'the edition to be sent after the Redis restart(s)',
        async () => `${s.uniqueRecipients()} of ${N} accepted; ${JSON.stringify(await e.status().catch((err) => String(err)))}`,
      );
      const check = checkDelivery(s.messages, addresses);
      reportFigures(`redis-restart/${size.name}`, {
        recipients: N,
        restarts,
        outageMs: outages,
        acceptedAtStop,
        messages: check.accepted,
        doubled: check.doubled,
        extraCopies: check.extraCopies,
        seconds: (Date.now() - started) / 1000,
      });
      expect(status).toMatchObject({ state: 'sent', total: N, sent: N, failed: 0 });
      expect(check.missing, describeCheck(check)).toEqual([]);
      expect(check.unexpected, describeCheck(check)).toEqual([]);
      expect(check.differentIds, describeCheck(check)).toEqual([]);
      expect(check.extraCopies, describeCheck(check)).toBeLessThanOrEqual(POOL * workers.length * restarts);
      const ledger = await e.app.redis.hvals(e.app.keys.editionLedger(EDITION));
      expect(ledger.length).toBe(N);
      expect(ledger.filter((v) => !v.startsWith('s:'))).toEqual([]);
      // Both workers reconnected and are still there.
      for (const w of workers) expect(w.running, `worker ${w.pid}:\n${w.stderr.slice(-1500)}`).toBe(true);
    }, 240_000 * size.slack);
  });
}
