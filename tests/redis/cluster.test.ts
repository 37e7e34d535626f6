import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalTopology } from '../../src/redis/local-topology.js';
import { chaosEnv, EDITION, FIXTURE_DATE, seed, until, type ChaosEnv } from '../chaos/harness/chaos-env.js';
import { checkDelivery, describeCheck, reportFigures } from '../chaos/harness/delivery-report.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import type { Topology } from '../../src/redis/topology.js';

const POOL = 3;

/**
 * The reduced Cluster run inside `npm test` (`npm run test:cluster` is the full one): a real
 * three-primary Redis Cluster without replicas, two `brief worker` processes sending through
 * it while one is killed with SIGKILL and started again, and `brief status` showing where the
 * queues live.
 */
describe('on a real Redis Cluster (three primaries)', () => {
  let cluster: LocalTopology | undefined;
  let env: ChaosEnv | undefined;
  let sink: SmtpSink | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster({ primaries: 3, replicas: 0 });
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
    await sink?.stop();
    await cluster?.stop();
  }, 60_000);

  it('two workers send an edition, one killed mid-send: everyone once (repeats only in the acceptance window); brief status shows the slots', async () => {
    sink = new SmtpSink({ delayMs: 2 }, { keepRaw: false });
    await sink.start();
    env = await chaosEnv({
      redisUrl: cluster!.url,
      smtpUrl: sink.url,
      delivery: { batchSize: 50, poolSize: POOL, concurrency: 2, lockDurationMs: 2000, backoffMs: 50 },
    });
    const e = env;
    const s = sink;
    const N = 400;
    const addresses = await seed(e.app, N);
    const a = await e.procs.worker(e.configFile);
    const b = await e.procs.worker(e.configFile);
    await e.app.service.request('daily', FIXTURE_DATE);
    await until(() => s.uniqueRecipients() >= N / 3, 60_000, `${N / 3} recipients accepted`, () => `${s.uniqueRecipients()} accepted`, 5);
    a.kill('SIGKILL');
    expect((await a.waitExit(5000))?.signal).toBe('SIGKILL');
    await e.procs.worker(e.configFile);
    const status = await until(
      async () => {
        const st = await e.status();
        return st.state === 'sent' ? st : undefined;
      },
      60_000,
      'the edition sent',
      async () => JSON.stringify(await e.status()),
    );
    const check = checkDelivery(s.messages, addresses);
    reportFigures('cluster/ci', { recipients: N, messages: check.accepted, extraCopies: check.extraCopies });
    expect(status).toMatchObject({ state: 'sent', total: N, sent: N, failed: 0 });
    expect(check.missing, describeCheck(check)).toEqual([]);
    expect(check.differentIds, describeCheck(check)).toEqual([]);
    expect(check.extraCopies, describeCheck(check)).toBeLessThanOrEqual(POOL * 2);
    expect(b.running).toBe(true);
    const ledger = await e.app.redis.hvals(e.app.keys.editionLedger(EDITION));
    expect(ledger.filter((v) => !v.startsWith('s:'))).toEqual([]);

    const out = await e.procs.run(['status', '--json', '--config', e.configFile], 30_000);
    expect(out.code, out.stderr).toBe(0);
    const redis = (JSON.parse(out.stdout) as { redis: Topology }).redis;
    const primaries = redis.nodes.filter((n) => n.role === 'primary');
    expect(redis.kind).toBe('cluster');
    expect(primaries.map((n) => n.address).sort()).toEqual(cluster!.nodes.map((n) => n.address).sort());
    expect(redis.queueNode).toBe((await cluster!.primaryFor(`${e.app.keys.queuePrefix()}:send-batch`)).address);
    expect(primaries.filter((n) => n.holdsQueueSlot).map((n) => n.address)).toEqual([redis.queueNode]);
    expect(primaries.flatMap((n) => n.slots ?? []).length).toBeGreaterThanOrEqual(3);
    const text = await e.procs.run(['status', '--config', e.configFile], 30_000);
    expect(text.stdout).toMatch(new RegExp(`redis:\\n  Redis Cluster \\(seeds [^)]+\\); queues in slot ${redis.queueSlot} on ${redis.queueNode}`));
  }, 120_000);
});
