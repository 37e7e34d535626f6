import { UnrecoverableError, type Job } from 'bullmq';
import type { TransactionalMailer } from '../src/signup/transactional-mail.js';
import type { SignupService } from '../src/signup/signup-service.js';
import { PURGE_JOB, type TransactionalJobData } from '../src/delivery/queues.js';

/**
 * The `transactional` queue: confirmation and welcome emails, one recipient per job, and
 * the hourly purge of stale signups. A 4xx or a lost connection throws, so BullMQ retries
 * with backoff; a 5xx suppresses the address inside the mailer and the job is done.
 */
export function transactionalProcessor(deps: { mailer: TransactionalMailer; signup: SignupService }) {
  return async (job: Job<TransactionalJobData>): Promise<string> => {
    if (job.name === PURGE_JOB) {
      const r = await deps.signup.purge();
      return `purged ${r.pending} pending, ${r.offers} offers`;
    }
    if (job.data?.kind === 'approval') return deps.mailer.approvalRequest(job.data.id);
    if (job.data?.kind !== 'confirm' && job.data?.kind !== 'welcome') throw new UnrecoverableError(`unknown transactional job ${job.name}`);
    return deps.mailer.run(job.data);
  };
}
