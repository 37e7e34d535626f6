import { afterEach, describe, expect, it } from 'vitest';
import { chaosEnv, EDITION, FIXTURE_DATE, seed, until, type ChaosEnv } from '../harness/chaos-env.js';
import { SmtpSink } from '../../helpers/smtp-sink.js';
import { checkDelivery, describeCheck, reportFigures } from '../harness/delivery-report.js';
import { startLocalTopology, type LocalTopology } from '../../../src/redis/local-topology.js';

const POOL = 3;
const CONCURRENCY = 2;
const WORKERS = 3;

export interface FailoverSize {
  recipients: number;
  /** Multiplies the time bounds. */
  slack: number;
}

/**
 * Failover mid-send: three `brief worker` processes send one edition through a real Redis
 * Cluster (six nodes, a replica each) or a Sentinel set; halfway, the primary that holds
 * the queues' slot is killed with SIGKILL, and its replica is promoted. The workers
 * reconnect and the edition ends `sent`. Lost (nobody got a copy) must be 0; extra copies
 * come only from the acceptance window and from ledger writes the dead primary had
 * acknowledged but not yet passed to its replica, and carry the same Message-ID.
 */
export function failoverScenario(kind: 'cluster' | 'sentinel', size: FailoverSize): void {
  describe(`failover mid-send on Redis ${kind}`, () => {
    let env: ChaosEnv | undefined;
    let sink: SmtpSink | undefined;
    let topology: LocalTopology | undefined;
    afterEach(async () => {
      await env?.procs.killAll();
      await env?.cleanup();
      await topology?.stop();
      await sink?.stop();
      env = undefined;
      sink = undefined;
      topology = undefined;
    });

    const N = size.recipients;
    it(`${WORKERS} workers, ${N} recipients, SIGKILL of the primary holding the queues halfway: lost 0, extras same Message-ID`, async () => {
      topology = await startLocalTopology(kind);
      sink = new SmtpSink({ delayMs: 2 }, { keepRaw: false });
      await sink.start();
      // The lock outlives the failover: a worker cut off for a few seconds keeps its batch.
      env = await chaosEnv({
        redisUrl: topology.url,
        smtpUrl: sink.url,
        delivery: { batchSize: 100, poolSize: POOL, concurrency: CONCURRENCY, lockDurationMs: 10_000, backoffMs: 50, attempts: 8 },
      });
      const e = env;
      const s = sink;
      const t = topology;
      const addresses = await seed(e.app, N);
      const workers = await Promise.all(Array.from({ length: WORKERS }, () => e.procs.worker(e.configFile)));
      const started = Date.now();
      await e.app.service.request('daily', FIXTURE_DATE);

      await until(() => s.uniqueRecipients() >= N / 2, 120_000 * size.slack, `${N / 2} recipients before the kill`,
        () => `${s.uniqueRecipients()} accepted`, 5);
      const queueKey = `${e.app.keys.queuePrefix()}:send-batch`;
      const victim = await t.primaryFor(queueKey);
      const killedAt = Date.now();
      await victim.kill();
      const acceptedAtKill = s.messages.length;
      const promoted = await t.waitForFailover(queueKey, victim, 60_000 * size.slack);
      const failoverMs = Date.now() - killedAt;

      const status = await until(
        async () => {
          const st = await e.status();
          return st.state === 'sent' ? st : undefined;
        },
        180_000 * size.slack,
        'the edition to be sent after the failover',
        async () => `${s.uniqueRecipients()} of ${N} accepted; ${JSON.stringify(await e.status().catch((err) => String(err)))}`,
      );
      const check = checkDelivery(s.messages, addresses);
      const topo = await e.app.topology();
      reportFigures(`failover/${kind}`, {
        recipients: N,
        workers: WORKERS,
        killed: victim.address,
        promoted: promoted.address,
        acceptedAtKill,
        failoverMs,
        afterKillS: (Date.now() - killedAt) / 1000,
        lost: check.missing.length,
        messages: check.accepted,
        doubled: check.doubled,
        extraCopies: check.extraCopies,
        differentIds: check.differentIds.length,
        seconds: (Date.now() - started) / 1000,
      });
      expect(check.missing, `lost: ${describeCheck(check)}`).toEqual([]);
      expect(check.unexpected, describeCheck(check)).toEqual([]);
      expect(check.differentIds, `a repeated copy must carry the same Message-ID: ${describeCheck(check)}`).toEqual([]);
      // What was in flight in every worker when the primary died, at most.
      expect(check.extraCopies, describeCheck(check)).toBeLessThanOrEqual(WORKERS * CONCURRENCY * POOL);
      expect(status).toMatchObject({ state: 'sent', total: N, sent: N, failed: 0 });
      const ledger = await e.app.redis.hvals(e.app.keys.editionLedger(EDITION));
      expect(ledger.length).toBe(N);
      expect(ledger.filter((v) => !v.startsWith('s:'))).toEqual([]);
      // The queues now live on the promoted node, and every worker is still running.
      expect(topo.queueNode).toBe(promoted.address);
      for (const w of workers) expect(w.running, `worker ${w.pid}:\n${w.stderr.slice(-1500)}`).toBe(true);
      // One scheduler, however many workers started.
      expect(await e.app.editionsQueue.getJobSchedulersCount()).toBe(1);
    }, 400_000 * size.slack);
  });
}
