import { describe, expect, it } from 'vitest';
import { EDITION, FIXTURE_DATE, seed, until } from '../harness/chaos-env.js';
import { chaosFixture } from '../harness/fixture.js';
import type { SinkFaults } from '../../helpers/smtp-sink.js';
import { checkDelivery, describeCheck, reportFigures } from '../harness/delivery-report.js';
import type { ChaosSize } from '../harness/sizes.js';

/** Which fault an address meets, by its number: one in ten of each kind. */
function kindOf(address: string): number {
  return Number(/^reader(\d+)@/.exec(address)?.[1] ?? -1) % 10;
}

/**
 * One relay that misbehaves in every way a real one does: 451 to some recipients (twice),
 * 421 and a closed connection, a connection dropped after DATA with no reply, 452 after DATA,
 * a refused greeting, slow answers, and 550 for some addresses. Every deliverable subscriber
 * gets exactly one copy; the 550s are suppressed and counted; the send finishes.
 */
export const RELAY_FAULTS: SinkFaults = {
  connect: (n) => (n === 2 || n % 9 === 0 ? { code: 421, message: 'too busy, try later' } : undefined),
  rcpt: (a, attempt) => {
    switch (kindOf(a)) {
      case 1:
        return attempt <= 2 ? { code: 451, message: 'greylisted, try again later' } : undefined;
      case 2:
        return { code: 550, message: 'no such user here' };
      case 4:
        return attempt === 1 ? { code: 421, message: 'closing connection' } : undefined;
      default:
        return undefined;
    }
  },
  data: (rcpt, attempt) => {
    const k = kindOf(rcpt[0] ?? '');
    if (k === 3 && attempt === 1) return 'drop';
    if (k === 5 && attempt === 1) return { code: 452, message: 'insufficient storage, try later' };
    return undefined;
  },
  delayMs: (rcpt) => (kindOf(rcpt[0] ?? '') === 6 ? 250 : 2),
};

export function relayFaultsScenario(size: ChaosSize): void {
  describe(`relay faults (${size.name})`, () => {
    const fx = chaosFixture();

    const { recipients: N } = size.relay;

    it(`${N} recipients through 451, 421, dropped DATA, 452, slow answers and 550: one copy each, 550s suppressed`, async () => {
      const { e, s } = await fx.withRelay(RELAY_FAULTS, { delivery: { batchSize: 50, poolSize: 3, concurrency: 2, attempts: 8, backoffMs: 50, lockDurationMs: 5000 } });
      const addresses = await seed(e.app, N);
      const bouncing = addresses.filter((a) => kindOf(a) === 2);
      const deliverable = addresses.filter((a) => kindOf(a) !== 2);
      const started = Date.now();
      const worker = await e.procs.worker(e.configFile);
      await e.app.service.request('daily', FIXTURE_DATE);
      const status = await until(
        async () => {
          const st = await e.status();
          return st.state === 'sent' || st.state === 'failed' ? st : undefined;
        },
        (30_000 + N * 100) * size.slack,
        'the edition to finish',
        async () => `${JSON.stringify(await e.status())}; faults ${JSON.stringify(s.faultCounts)}`,
      );
      const check = checkDelivery(s.messages, deliverable);
      reportFigures(`relay-faults/${size.name}`, {
        recipients: N,
        faults: s.faultCounts,
        messages: check.accepted,
        doubled: check.doubled,
        suppressed: status.suppressed,
        seconds: (Date.now() - started) / 1000,
      });
      expect(status).toMatchObject({ state: 'sent', total: N, sent: deliverable.length, suppressed: bouncing.length, failed: 0, skipped: 0 });
      expect(check.missing, describeCheck(check)).toEqual([]);
      expect(check.unexpected, describeCheck(check)).toEqual([]);
      expect(check.extraCopies, describeCheck(check)).toBe(0);
      // Every kind of fault really happened.
      expect(s.faultCounts.connect).toBeGreaterThan(0);
      expect(s.faultCounts.drop).toBeGreaterThan(0);
      expect(s.faultCounts.data).toBeGreaterThan(0);
      for (const a of bouncing) {
        expect(await e.app.subscribers.isSuppressed(a), a).toBe(true);
        expect((await e.app.subscribers.get('daily', a))?.status, a).toBe('bounced');
        expect(await e.app.editions.ledger(EDITION, a)).toMatch(/^x:\d+:550\t\d+\t\d+\t550 /);
      }
      for (const a of deliverable.slice(0, 50)) expect(await e.app.subscribers.isSuppressed(a), a).toBe(false);
      // The worker rode it all out.
      expect(worker.running).toBe(true);
    }, (120_000 + N * 200) * size.slack);
  });
}
