import { afterEach, describe, expect, it } from 'vitest';
import { chaosEnv, FIXTURE_DATE, seed, until, type ChaosEnv } from '../harness/chaos-env.js';
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
export function failoverScenario(kind: 'cluster' | 'sentinel', size: FailoverSize, victim: 'queues' | 'edition' = 'queues'): void {
  describe(`failover mid-send on Redis ${kind}${victim === 'edition' ? ", the edition's primary" : ''}`, () => {
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
    it(`${WORKERS} workers, ${N} recipients, SIGKILL of the primary holding the ${victim} halfway: lost 0, extras same Message-ID`, async () => {
      topology = await startLocalTopology(kind);
      // Hash tags hold no prefix, so where an edition's keys live depends on its id alone. To
      // kill the edition's primary without the queues', pick a newsletter id whose edition
      // is on another primary than the queues.
      let newsletter = 'daily';
      if (victim === 'edition' && kind === 'cluster') {
        const queues = await topology.primaryFor('any:{q}');
        const ids = ['daily', 'morning', 'evening', 'weekend', 'business', 'culture', 'sport'];
        for (const id of ids) {
          newsletter = id;
          if ((await topology.primaryFor(`any:{ed:${id}-${FIXTURE_DATE}}:meta`)) !== queues) break;
        }
      }
      const editionId = `${newsletter}-${FIXTURE_DATE}`;
      sink = new SmtpSink({ delayMs: 2 }, { keepRaw: false });
      await sink.start();
      // The lock outlives the failover: a worker cut off for a few seconds keeps its batch.
      env = await chaosEnv({
        newsletter: { id: newsletter },
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
      await e.app.service.request(newsletter, FIXTURE_DATE);

      await until(() => s.uniqueRecipients() >= N / 2, 120_000 * size.slack, `${N / 2} recipients before the kill`,
        () => `${s.uniqueRecipients()} accepted`, 5);
      const queueKey = `${e.app.keys.queuePrefix()}:send-batch`;
      const killKey = victim === 'queues' ? queueKey : e.app.keys.edition(editionId);
      const dead = await t.primaryFor(killKey);
      const queuesPrimary = await t.primaryFor(queueKey);
      if (victim === 'edition' && kind === 'cluster') expect(dead, 'the edition on a primary of its own').not.toBe(queuesPrimary);
      const killedAt = Date.now();
      await dead.kill();
      const acceptedAtKill = s.messages.length;
      const promoted = await t.waitForFailover(killKey, dead, 60_000 * size.slack);
      const failoverMs = Date.now() - killedAt;

      const status = await until(
        async () => {
          const st = await e.status(editionId);
          return st.state === 'sent' ? st : undefined;
        },
        180_000 * size.slack,
        'the edition to be sent after the failover',
        async () => `${s.uniqueRecipients()} of ${N} accepted; ${JSON.stringify(await e.status(editionId).catch((err) => String(err)))}`,
      );
      const check = checkDelivery(s.messages, addresses);
      const topo = await e.app.topology();
      reportFigures(`failover/${kind}${victim === 'edition' ? '/edition' : ''}`, {
        recipients: N,
        workers: WORKERS,
        killed: dead.address,
        sameNodeAsQueues: dead === queuesPrimary,
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
      const ledger = await e.app.redis.hvals(e.app.keys.editionLedger(editionId));
      expect(ledger.length).toBe(N);
      expect(ledger.filter((v) => !v.startsWith('s:'))).toEqual([]);
      // The queues live on the promoted node if theirs was killed, and every worker is still running.
      expect(topo.queueNode).toBe(dead === queuesPrimary ? promoted.address : queuesPrimary.address);
      expect(topo.kind).toBe(kind);
      if (kind === 'sentinel') {
        expect(topo.nodes.filter((n) => n.role === 'sentinel').map((n) => n.address)).toEqual(t.sentinels.map((n) => n.address));
        expect(topo.nodes.find((n) => n.role === 'primary')?.address).toBe(promoted.address);
      }
      // The workers said where they were connected, without a password.
      expect(workers[0]!.stderrHead, 'the worker\'s start-up lines').toMatch(kind === 'cluster' ? /"redis":"Redis Cluster \(seeds / : /"redis":"Redis Sentinel master \\"brief\\" \(sentinels /);
      for (const w of workers) expect(w.running, `worker ${w.pid}:\n${w.stderr.slice(-1500)}`).toBe(true);
      // One scheduler, however many workers started.
      expect(await e.app.editionsQueue.getJobSchedulersCount()).toBe(1);
      expect((await e.app.editionsQueue.getJobCounts('delayed')).delayed).toBe(1);
    }, 400_000 * size.slack);
  });
}
