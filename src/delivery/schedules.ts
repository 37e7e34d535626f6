import type { Queue } from 'bullmq';
import type { BriefConfig } from '../config/schema.js';
import { SCHEDULED_JOB, schedulerId, type PrepareJobData } from './queues.js';

/**
 * One Job Scheduler per newsletter, upserted at every worker start: upserting the same id
 * updates it in place, so five redeploys still leave one scheduled job per newsletter.
 * Schedulers of newsletters that left the config are removed.
 */
export async function syncSchedules(queue: Queue<PrepareJobData>, config: BriefConfig): Promise<{ upserted: string[]; removed: string[] }> {
  const wanted = new Set<string>();
  const upserted: string[] = [];
  for (const n of config.newsletters) {
    const id = schedulerId(n.id);
    wanted.add(id);
    await queue.upsertJobScheduler(
      id,
      { pattern: n.schedule, tz: n.timezone },
      {
        name: SCHEDULED_JOB,
        data: { newsletter: n.id },
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
    upserted.push(id);
  }
  const removed: string[] = [];
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.key ?? s.id;
    if (id && id.startsWith('edition-') && !wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  return { upserted, removed };
}

/** Next run of each newsletter's scheduler, as BullMQ has it. */
export async function nextRuns(queue: Queue<PrepareJobData>): Promise<Map<string, number | undefined>> {
  const out = new Map<string, number | undefined>();
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.key ?? s.id;
    if (id) out.set(id, s.next);
  }
  return out;
}
