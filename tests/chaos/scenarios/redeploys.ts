import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rawConfig } from '../harness/chaos-env.js';
import { chaosFixture } from '../harness/fixture.js';
import { reportFigures } from '../harness/delivery-report.js';
import type { ChaosSize } from '../harness/sizes.js';

/** The next 09:30 in Asia/Tbilisi (UTC+4, no DST) after `now`, in ms. */
function next0930Tbilisi(now: number): number {
  const d = new Date(now);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 5, 30);
  if (t <= now) t += 86_400_000;
  return t;
}

/**
 * tests/delivery/operations.test.ts restarts the workers of one process five times in a row.
 * Here real `brief worker` processes are deployed five times the way deploys go wrong:
 * two starting at the same moment (their scheduler upserts race), some killed with SIGKILL
 * (no clean shutdown), and the schedule changed in between. One Job Scheduler and one
 * scheduled job must remain, at the new time: a stale job at the old time would send a
 * second edition that day.
 */
export function redeployScenario(size: ChaosSize): void {
  describe(`redeploys of worker processes (${size.name})`, () => {
    const fx = chaosFixture();

    it(`${size.redeploy.starts} starts (overlapping, killed, schedule changed) leave one scheduled job per newsletter`, async () => {
      const e = await fx.env();
      const started = Date.now();
      let starts = 0;
      const startWorker = async () => {
        starts++;
        return e.procs.worker(e.configFile);
      };

      // A rolling deploy: the new process starts while the old one runs; the old one is killed.
      const [a, b] = await Promise.all([startWorker(), startWorker()]);
      a.kill('SIGKILL');
      // Not the instant it says "running": graceful-stop's "SIGTERM right after running" is
      // the test for that window; this one is about the schedulers.
      await new Promise((r) => setTimeout(r, 300));
      b.kill('SIGTERM');
      expect(await b.waitExit(15_000 * size.slack)).toEqual({ code: 0, signal: null });
      await a.waitExit(5000);
      const c = await startWorker();
      c.kill('SIGKILL');
      await c.waitExit(5000);
      expect(await e.app.editionsQueue.getJobSchedulersCount()).toBe(1);
      expect((await e.app.editionsQueue.getJobCounts('delayed')).delayed).toBe(1);

      // The editor moves the send to 09:30; the next deploy (two processes again) picks it up.
      const raw = rawConfig({}) as { newsletters: Array<Record<string, unknown>> };
      raw.newsletters[0]!.schedule = '30 9 * * *';
      writeFileSync(e.configFile, JSON.stringify(raw, null, 2));
      const more = await Promise.all(Array.from({ length: Math.max(2, size.redeploy.starts - starts) }, () => startWorker()));

      const schedulers = await e.app.editionsQueue.getJobSchedulers(0, -1);
      expect(schedulers.map((x) => [x.key, x.pattern, x.tz])).toEqual([['edition-daily', '30 9 * * *', 'Asia/Tbilisi']]);
      const delayed = await e.app.editionsQueue.getJobs(['delayed']);
      expect(delayed.length, 'one scheduled job, not one per deploy or per schedule').toBe(1);
      const fireAt = delayed[0]!.timestamp + (delayed[0]!.delay ?? 0);
      expect(fireAt).toBe(next0930Tbilisi(Date.now()));
      expect(await e.app.editionsQueue.getJobCounts('waiting', 'active', 'prioritized')).toEqual({ waiting: 0, active: 0, prioritized: 0 });
      for (const w of more) {
        w.kill('SIGTERM');
        expect(await w.waitExit(15_000 * size.slack)).toEqual({ code: 0, signal: null });
      }
      reportFigures(`redeploys/${size.name}`, { starts, schedulers: schedulers.length, delayed: delayed.length, seconds: (Date.now() - started) / 1000 });
    }, 120_000 * size.slack);
  });
}
