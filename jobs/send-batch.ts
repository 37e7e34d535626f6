import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import type { BatchSender } from '../src/delivery/batch-sender.js';
import type { BatchJobData } from '../src/delivery/queues.js';

/** Raised so BullMQ retries the batch with backoff; only the temporarily failed recipients go again. */
export class TemporaryBatchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporaryBatchFailure';
  }
}

/** The `send-batch` queue: one job per batch of the recipient snapshot. */
export function sendBatchProcessor(deps: { sender: BatchSender; maxAttempts: number; stopping: () => boolean }) {
  return async (job: Job<BatchJobData>, token?: string): Promise<string> => {
    const out = await deps.sender.run({
      editionId: job.data.editionId,
      batch: job.data.batch,
      // BullMQ's lock token is new for every run of the job, including a take-over.
      token: token ?? randomUUID(),
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? deps.maxAttempts,
      stopping: deps.stopping,
    });
    if (out.kind === 'stopped') {
      // Shutting down: hand the batch back without spending an attempt; the ledger lets
      // whoever runs it next skip what was sent.
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    if (out.kind === 'retry') {
      throw new TemporaryBatchFailure(`${out.temporary} recipient(s) failed temporarily, e.g. ${out.sample}`);
    }
    return out.kind;
  };
}
