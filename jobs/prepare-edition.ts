import type { Job } from 'bullmq';
import type { BriefConfig } from '../src/config/schema.js';
import { getNewsletter } from '../src/config/load.js';
import { editionDateOf } from '../src/edition/index.js';
import type { EditionService } from '../src/delivery/edition-service.js';
import { APPROVAL_JOB, SCHEDULED_JOB, type PrepareJobData } from '../src/delivery/queues.js';
import { editionWindow as windowOf, parseEditionId } from '../src/edition/index.js';

/**
 * The `editions` queue: a newsletter's Job Scheduler fires `scheduled-edition` at each
 * occurrence of its cron pattern; that asks for the edition of the occurrence's date, which
 * enqueues `prepare-edition` (compile, freeze, snapshot, fan out).
 */
export function prepareEditionProcessor(deps: { config: BriefConfig; service: EditionService }) {
  return async (job: Job<PrepareJobData>): Promise<string> => {
    if (job.name === SCHEDULED_JOB) {
      const newsletter = getNewsletter(deps.config, job.data.newsletter ?? '');
      // The occurrence this job stands for, not when a worker got round to it: a worker
      // that was down at 08:00 and catches up at 08:05 still sends that day's edition.
      const at = job.opts.prevMillis ?? job.timestamp + (job.delay ?? 0);
      const date = editionDateOf(new Date(at), newsletter.timezone);
      const { status } = await deps.service.request(newsletter.id, date);
      // The approval step of the edition after this one (a no-op when it is already queued).
      await deps.service.scheduleApproval(newsletter.id, at + 1);
      return status.id;
    }
    if (job.name === APPROVAL_JOB) {
      const id = job.data.editionId ?? '';
      await deps.service.awaitApproval(id);
      const { newsletter, date } = parseEditionId(id);
      const n = getNewsletter(deps.config, newsletter);
      await deps.service.scheduleApproval(n.id, Date.parse(windowOf(n.schedule, n.timezone, date).end) + 1);
      return id;
    }
    await deps.service.prepare(job.data.editionId ?? '');
    return job.data.editionId ?? '';
  };
}
